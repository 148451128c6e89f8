"""Paying for the cart from the wallet and delivering the tickets: from the Pay button, or at the end of
the attendee dialog that a Pay press opened."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup

from domain.errors import (
    CartChanged,
    CartEmpty,
    CodeUsedUp,
    ConcurrencyConflict,
    HoldExpired,
    NotEnoughMoney,
    PriceChanged,
    TermsNotAccepted,
)
from domain.models import User
from domain.services.cart import CartService
from domain.services.checkout import CheckoutService
from domain.services.topup import TopUpService
from handlers.qr import TicketPictures
from handlers.tickets import send_ticket
from handlers.views import base as v
from handlers.views import cart as cart_view

logger = logging.getLogger(__name__)

Reply = Callable[[str, InlineKeyboardMarkup | None], Awaitable[None]]


async def settle(
    bot: Bot,
    chat_id: int,
    user: User,
    cart: CartService,
    checkout: CheckoutService,
    pictures: TicketPictures,
    tz: ZoneInfo,
    version: int,
    terms: str,
    reply: Reply,
    notice: Callable[[str], Awaitable[None]],
    total: int | None = None,
    topup: TopUpService | None = None,
) -> None:
    """`reply` shows a screen in place of the pressed one; `notice` a short word (an alert, or a message).
    AttendeesMissing is the caller's: it opens the attendee dialog."""
    try:
        result = await checkout.pay_from_wallet(user.id, version, terms, total)
    except NotEnoughMoney as error:
        p = error.params
        text = cart_view.not_enough_money(p["total"], p["balance"], p["missing"], user.telegram_id)
        offer = cart_view.top_up_offer(p["missing"], topup.limits()[0]) if topup and topup.available else None
        await bot.send_message(chat_id, text, reply_markup=offer)
        return
    except (CartChanged, HoldExpired, CartEmpty, TermsNotAccepted, PriceChanged, CodeUsedUp) as error:
        await notice(v.render_error(error, html=False))
        await reply(*cart_view.cart(await cart.view(user.id), tz))
        return
    if result.already_paid and not result.needs_delivery:
        await notice(cart_view.purchase(result))
        return
    # A first payment, or a paid order whose tickets a crash kept from going out (the Pay press is
    # replayed after the restart): send them, then note that they went out. The money is taken: if
    # Telegram refuses a ticket now, the customer hears so and the delivery sweep sends it later.
    await reply(cart_view.purchase(result, delivering=True), None)
    try:
        for ticket in result.tickets:
            await send_ticket(bot, pictures, chat_id, ticket, tz)
    except (TelegramAPIError, OSError) as exc:
        logger.warning("order %s paid, tickets not delivered yet: %s", result.order.id, exc)
        with contextlib.suppress(TelegramAPIError, OSError):
            await bot.send_message(chat_id, cart_view.tickets_will_follow(result))
        return
    try:
        await checkout.mark_delivered(user.id, result.order.id)
    except ConcurrencyConflict:  # the sweep may send them once more; never the whole payment again
        logger.warning("order %s delivered but not noted as such", result.order.id)
