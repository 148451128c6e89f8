"""Promo codes in the cart: 🏷 asks for one, the next text is the code, ✖ takes one out."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.errors import CartChanged, DomainError
from domain.models import User
from domain.services.cart import CartService
from domain.services.cart_codes import CartCodes
from handlers.callbacks import CartCb, CodeCb
from handlers.editing import show
from handlers.views import base as v
from handlers.views import cart as cart_view
from handlers.views import cart_pricing

router = Router(name="cart_codes")


class PromoForm(StatesGroup):
    code = State()  # the next text is a promo code


async def ask(query: CallbackQuery, state: FSMContext) -> None:
    """From the cart's 🏷 button: the next text is taken as a code (a command leaves the dialog)."""
    await state.set_state(PromoForm.code)
    kb = InlineKeyboardBuilder()
    kb.row(v.btn(v._("button.back_to_cart"), CartCb(op="show")))
    await query.message.answer(v._("promo.ask"), reply_markup=kb.as_markup())


@router.message(StateFilter(PromoForm.code), F.text & ~F.text.startswith("/"))
async def typed(message: Message, user: User, codes: CartCodes, state: FSMContext, tz: ZoneInfo) -> None:
    await state.clear()
    try:
        view, code = await codes.add(user.id, message.text)
    except DomainError as error:
        kb = InlineKeyboardBuilder()
        kb.row(v.btn(v._("button.promo_try_again"), CartCb(op="code")))
        kb.row(v.btn(v._("button.back_to_cart"), CartCb(op="show")))
        await message.answer(v.render_error(error), reply_markup=kb.as_markup())
        return
    text, kb = cart_view.cart(view, tz)
    await message.answer(cart_pricing.code_outcome(view, code) + "\n\n" + text, reply_markup=kb)


@router.message(StateFilter(PromoForm.code), ~F.text)
async def not_text(message: Message) -> None:
    await message.answer(v._("promo.type_please"))


@router.callback_query(CodeCb.filter())
async def remove(
    query: CallbackQuery,
    callback_data: CodeCb,
    user: User,
    codes: CartCodes,
    cart: CartService,
    tz: ZoneInfo,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        view = await codes.remove(user.id, callback_data.code, callback_data.version)
    except (CartChanged, DomainError) as error:
        callback_answer.text, callback_answer.show_alert = v.render_error(error, html=False), True
        view = await cart.view(user.id)
    else:
        callback_answer.text = v._("promo.removed").format(code=callback_data.code)
    await show(query, *cart_view.cart(view, tz))
