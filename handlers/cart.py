"""The cart dialog and checkout from the wallet."""

from __future__ import annotations

import contextlib
import logging
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from domain.errors import CartChanged, CartEmpty, ConcurrencyConflict, HoldExpired, NotEnoughMoney, TermsNotAccepted
from domain.models import User
from domain.services.cart import CartService
from domain.services.checkout import CheckoutService
from domain.views import CartView
from handlers.callbacks import CartCb, PayCb
from handlers.editing import show
from handlers.qr import TicketPictures
from handlers.tickets import send_ticket
from handlers.views import base as v
from handlers.views import cart as cart_view

router = Router(name="cart")
logger = logging.getLogger(__name__)
CART_OPS = {"show", "inc", "dec", "rm", "renew", "terms"}


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
) -> None:
    if callback_data.op not in CART_OPS:
        callback_answer.text, callback_answer.show_alert = v._("error.stale_button"), True
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
    pictures: TicketPictures,
    tz: ZoneInfo,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        result = await checkout.pay_from_wallet(user.id, callback_data.version, callback_data.terms)
    except NotEnoughMoney as error:
        p = error.params
        await query.message.answer(cart_view.not_enough_money(p["total"], p["balance"], p["missing"], user.telegram_id))
        return
    except (CartChanged, HoldExpired, CartEmpty, TermsNotAccepted) as error:
        callback_answer.text, callback_answer.show_alert = v.render_error(error, html=False), True
        view = await cart.view(user.id)
        text, kb = cart_view.cart(view, tz)
        await show(query, text, kb)
        return
    if result.already_paid and not result.needs_delivery:
        callback_answer.text, callback_answer.show_alert = cart_view.purchase(result), True
        return
    # A first payment, or a paid order whose tickets a crash kept from going out (the Pay press is
    # replayed after the restart): send them, then note that they went out. The money is taken: if
    # Telegram refuses a ticket now, the customer hears so and the delivery sweep sends it later.
    await show(query, cart_view.purchase(result, delivering=True), None)
    try:
        for ticket in result.tickets:
            await send_ticket(query.bot, pictures, query.from_user.id, ticket, tz)
    except (TelegramAPIError, OSError) as exc:
        logger.warning("order %s paid, tickets not delivered yet: %s", result.order.id, exc)
        with contextlib.suppress(TelegramAPIError, OSError):
            await query.message.answer(cart_view.tickets_will_follow(result))
        return
    try:
        await checkout.mark_delivered(user.id, result.order.id)
    except ConcurrencyConflict:  # the sweep may send them once more; never the whole payment again
        logger.warning("order %s delivered but not noted as such", result.order.id)
