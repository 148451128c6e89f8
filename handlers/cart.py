"""The cart dialog and checkout from the wallet."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from domain.errors import AttendeesMissing, CartChanged
from domain.models import User
from domain.services.attendees import AttendeeService
from domain.services.cart import CartService
from domain.services.checkout import CheckoutService
from domain.services.topup import TopUpService
from domain.views import CartView
from handlers import attendees as attendee_dialog
from handlers import cart_codes
from handlers.callbacks import CartCb, PayCb
from handlers.editing import show
from handlers.payment import settle
from handlers.qr import TicketPictures
from handlers.views import base as v
from handlers.views import cart as cart_view

router = Router(name="cart")
CART_OPS = {"show", "inc", "dec", "rm", "renew", "terms", "code"}


@router.message(Command("cart"))
async def show_cart(message: Message, user: User, cart: CartService, tz: ZoneInfo) -> None:
    view = await cart.view(user.id)
    text, kb = cart_view.cart(view, tz)
    await message.answer(text, reply_markup=kb)


async def _apply(cart: CartService, user: User, data: CartCb) -> CartView:
    if data.op == "inc":
        return await cart.adjust(user.id, data.item_id, +1, data.version)
    if data.op == "dec":
        return await cart.adjust(user.id, data.item_id, -1, data.version)
    if data.op == "rm":
        return await cart.remove(user.id, data.item_id, data.version)
    if data.op == "renew":
        return await cart.renew(user.id, data.item_id, data.version)
    return await cart.view(user.id)


@router.callback_query(CartCb.filter())
async def cart_action(
    query: CallbackQuery,
    callback_data: CartCb,
    user: User,
    cart: CartService,
    tz: ZoneInfo,
    callback_answer: CallbackAnswer,
    state: FSMContext,
) -> None:
    if callback_data.op not in CART_OPS:
        callback_answer.text, callback_answer.show_alert = v._("error.stale_button"), True
        return
    if callback_data.op == "code":
        await cart_codes.ask(query, state)
        return
    if callback_data.op == "terms":  # the conditions in full, below the cart; the cart itself stays as it is
        for text in cart_view.conditions_in_full((await cart.view(user.id)).conditions):
            await query.message.answer(text)
        return
    try:
        view = await _apply(cart, user, callback_data)
    except CartChanged as error:
        # A stale button: say so and show the cart as it is now.
        callback_answer.text, callback_answer.show_alert = v.render_error(error, html=False), True
        view = await cart.view(user.id)
    text, kb = cart_view.cart(view, tz)
    await show(query, text, kb)


@router.callback_query(PayCb.filter())
async def pay(
    query: CallbackQuery,
    callback_data: PayCb,
    user: User,
    cart: CartService,
    checkout: CheckoutService,
    attendees: AttendeeService,
    pictures: TicketPictures,
    tz: ZoneInfo,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    topup: TopUpService,
) -> None:
    async def notice(text: str) -> None:
        callback_answer.text, callback_answer.show_alert = text, True

    async def reply(text: str, kb) -> None:
        await show(query, text, kb)

    chat_id = query.message.chat.id if query.message else query.from_user.id
    try:
        await settle(
            query.bot, chat_id, user, cart, checkout, pictures, tz, callback_data.version, callback_data.terms,
            reply, notice, total=callback_data.total, topup=topup,
        )  # fmt: skip
    except AttendeesMissing as error:
        # Who the tickets are for comes first; the payment goes on by itself after the last answer.
        callback_answer.text = v.render_error(error, html=False)
        paying = {"version": callback_data.version, "terms": callback_data.terms, "total": callback_data.total}
        await attendee_dialog.begin(query, state, attendees, user, paying=paying)
