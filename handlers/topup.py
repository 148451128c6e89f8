"""Topping the wallet up by card: 💳 in /wallet, an amount, Telegram's invoice, the pre-checkout answer,
the credit when Telegram says the payment went through."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, LabeledPrice, Message, PreCheckoutQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.config import Settings
from domain.errors import DomainError, PaymentRefused
from domain.models import User
from domain.money import Money
from domain.services.topup import TopUpService
from domain.topup import TopUpPayload
from handlers.callbacks import TopUpCb
from handlers.views import base as v
from handlers.views import wallet as wallet_view

router = Router(name="topup")
logger = logging.getLogger(__name__)


class TopUpForm(StatesGroup):
    amount = State()  # the next text is an amount to top up by


async def _send_invoice(bot: Bot, chat_id: int, payload: TopUpPayload, settings: Settings) -> None:
    title, description, label = wallet_view.invoice_texts(payload.amount)
    await bot.send_invoice(
        chat_id=chat_id,
        title=title,
        description=description,
        payload=payload.encode(),
        provider_token=settings.payment_provider_token.get_secret_value(),
        currency=payload.amount.currency,
        prices=[LabeledPrice(label=label, amount=payload.amount.minor)],
    )


@router.callback_query(TopUpCb.filter())
async def topup_button(
    query: CallbackQuery,
    callback_data: TopUpCb,
    user: User,
    topup: TopUpService,
    settings: Settings,
    state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        if callback_data.op == "menu":
            text, kb = wallet_view.topup_menu(topup.presets(), *topup.limits())
            await query.message.answer(text, reply_markup=kb)
        elif callback_data.op == "other":
            topup.presets()  # refuses when top-up is not available
            await state.set_state(TopUpForm.amount)
            await query.message.answer(wallet_view.topup_ask(*topup.limits()))
        elif callback_data.op == "pay":
            payload = topup.invoice(user, Money(callback_data.amount, settings.currency))
            await _send_invoice(query.bot, query.message.chat.id, payload, settings)
        else:
            callback_answer.text, callback_answer.show_alert = v._("error.stale_button"), True
    except DomainError as error:
        callback_answer.text, callback_answer.show_alert = v.render_error(error, html=False), True


@router.message(StateFilter(TopUpForm.amount), F.text & ~F.text.startswith("/"))
async def typed_amount(
    message: Message, user: User, topup: TopUpService, settings: Settings, state: FSMContext
) -> None:
    try:
        payload = topup.invoice(user, message.text)
    except DomainError as error:
        await message.answer(v.render_error(error))  # still waiting for an amount
        return
    await state.clear()
    await _send_invoice(message.bot, message.chat.id, payload, settings)


@router.pre_checkout_query()
async def pre_checkout(query: PreCheckoutQuery, topup: TopUpService) -> None:
    """Telegram waits ten seconds for this answer before it takes the money."""
    try:
        await topup.check(query.from_user.id, query.invoice_payload, query.currency, query.total_amount)
    except PaymentRefused as error:
        logger.warning("pre-checkout refused: telegram_id=%s reason=%s", query.from_user.id, error.params["reason"])
        await query.answer(ok=False, error_message=v.render_error(error, html=False))
        return
    await query.answer(ok=True)


@router.message(F.successful_payment)
async def paid(message: Message, user: User, topup: TopUpService) -> None:
    charge = message.successful_payment
    result = await topup.credit(
        user,
        charge.invoice_payload,
        charge.currency,
        charge.total_amount,
        charge.telegram_payment_charge_id,
        charge.provider_payment_charge_id,
    )
    if result.duplicate:
        logger.info("payment delivered again, credited before: user_id=%s", user.id)
        return
    await message.answer(wallet_view.topped_up(result.amount, result.balance))
