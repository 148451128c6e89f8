"""Search, result pages, the event card and the tariff picker."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from domain.models import User
from domain.services.cart import CartService
from domain.services.catalog import MAX_QUERY, CatalogService
from handlers.callbacks import AddCb, EventCb, SearchPageCb, TariffCb
from handlers.editing import CAPTION_LIMIT, show, show_card
from handlers.views import base as v
from handlers.views import cart as cart_view
from handlers.views import catalog as catalog_view

router = Router(name="catalog")


async def _search(message: Message, query: str, user: User, catalog: CatalogService, tz: ZoneInfo) -> None:
    query = query.strip()
    if not query:
        await message.answer(v._("search.prompt"))
        return
    if len(query) > MAX_QUERY:
        await message.answer(v._("search.too_long").format(max=v.chars_n(MAX_QUERY), length=v.chars_n(len(query))))
        return
    page = await catalog.search(user.id, query)
    text, kb = catalog_view.search_results(page, tz)
    await message.answer(text, reply_markup=kb)


@router.message(Command("search"))
async def search_command(
    message: Message, command: CommandObject, user: User, catalog: CatalogService, tz: ZoneInfo
) -> None:
    await _search(message, command.args or "", user, catalog, tz)


@router.message(F.text & ~F.text.startswith("/"))
async def search_text(message: Message, user: User, catalog: CatalogService, tz: ZoneInfo) -> None:
    await _search(message, message.text, user, catalog, tz)


@router.callback_query(SearchPageCb.filter())
async def search_page(
    query: CallbackQuery, callback_data: SearchPageCb, user: User, catalog: CatalogService, tz: ZoneInfo
) -> None:
    page = await catalog.page(user.id, callback_data.search_id, callback_data.page)
    text, kb = catalog_view.search_results(page, tz)
    await show(query, text, kb)


@router.callback_query(EventCb.filter())
async def event_card(
    query: CallbackQuery, callback_data: EventCb, catalog: CatalogService, tz: ZoneInfo, is_admin: bool = False
) -> None:
    card = await catalog.event_card(callback_data.event_id)
    poster = card.event.poster_file_id
    text, kb = catalog_view.event_card(card, tz, admin=is_admin, limit=CAPTION_LIMIT if poster else None)
    await show_card(query, text, kb, poster, new_message=not callback_data.back)


@router.callback_query(TariffCb.filter())
async def tariff(query: CallbackQuery, callback_data: TariffCb, catalog: CatalogService, tz: ZoneInfo) -> None:
    event, offer = await catalog.tariff(callback_data.ticket_type_id)
    if not offer.on_sale or offer.max_qty < 1:
        text, kb = catalog_view.tariff_unavailable(event, offer, tz)
    else:
        qty = min(max(callback_data.qty, 1), offer.max_qty)
        text, kb = catalog_view.tariff_picker(event, offer, qty)
    await show_card(query, text, kb, event.poster_file_id, new_message=False)


@router.callback_query(AddCb.filter())
async def add_to_cart(
    query: CallbackQuery,
    callback_data: AddCb,
    user: User,
    cart: CartService,
    tz: ZoneInfo,
    callback_answer: CallbackAnswer,
) -> None:
    op_key = f"add:{query.message.message_id if query.message else 0}:{callback_data.nonce}"
    view = await cart.add_tickets(user.id, callback_data.ticket_type_id, callback_data.qty, op_key)
    added = next((line for line in view.ready if line.ticket_type_id == callback_data.ticket_type_id), None)
    # The cart replaces the picker (one edit, and the buyer is one press from paying); "added" is a toast.
    callback_answer.text = cart_view.added_toast(view, tz)
    text, kb = cart_view.cart(view, tz, back_to_event=added.event_id if added else None)
    await show(query, text, kb)
