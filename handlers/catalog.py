"""Search, result pages, the event card and the tariff picker."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from domain.errors import DateInPast, DateUnreadable, DomainError
from domain.models import User
from domain.search import SearchFilter
from domain.services.cart import CartService
from domain.services.catalog import MAX_QUERY, CatalogService
from handlers.callbacks import AddCb, EventCb, SearchCategoriesCb, SearchDayCb, SearchFilterCb, SearchPageCb, TariffCb
from handlers.editing import CAPTION_LIMIT, show, show_card
from handlers.views import base as v
from handlers.views import cart as cart_view
from handlers.views import catalog as catalog_view

router = Router(name="catalog")


class SearchForm(StatesGroup):
    day = State()  # data: search_id


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


@router.message(StateFilter(SearchForm.day), Command("cancel"))
async def day_cancelled(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(v._("search.day_cancelled"))


@router.message(StateFilter(SearchForm.day), F.text & ~F.text.startswith("/"))
async def day_typed(message: Message, state: FSMContext, user: User, catalog: CatalogService, tz: ZoneInfo) -> None:
    """A day for the search filter; text without a digit in it is a new search instead."""
    if not any(c.isdigit() for c in message.text):
        await state.clear()
        await _search(message, message.text, user, catalog, tz)
        return
    try:
        page = await catalog.on_day(user.id, (await state.get_data())["search_id"], message.text)
    except DateUnreadable:
        await message.answer(v._("search.day_unreadable"))
        return
    except DateInPast:
        await message.answer(v._("search.day_past"))
        return
    except DomainError:  # the search itself is gone: no point asking for its day again
        await state.clear()
        raise
    await state.clear()
    text, kb = catalog_view.search_results(page, tz)
    await message.answer(text, reply_markup=kb)


@router.message(Command("search"))
async def search_command(
    message: Message, command: CommandObject, state: FSMContext, user: User, catalog: CatalogService, tz: ZoneInfo
) -> None:
    if await state.get_state() == SearchForm.day.state:  # a new search instead of the day asked for
        await state.clear()
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


@router.callback_query(SearchFilterCb.filter())
async def search_filter(
    query: CallbackQuery, callback_data: SearchFilterCb, user: User, catalog: CatalogService, tz: ZoneInfo
) -> None:
    filters = SearchFilter.of(callback_data.category, callback_data.period)
    page = await catalog.refine(user.id, callback_data.search_id, filters)
    text, kb = catalog_view.search_results(page, tz)
    await show(query, text, kb)


@router.callback_query(SearchCategoriesCb.filter())
async def search_categories(
    query: CallbackQuery, callback_data: SearchCategoriesCb, user: User, catalog: CatalogService
):
    _query, filters = await catalog.query_of(user.id, callback_data.search_id)
    text, kb = catalog_view.search_categories(callback_data.search_id, filters)
    await show(query, text, kb)


@router.callback_query(SearchDayCb.filter())
async def search_day(
    query: CallbackQuery, callback_data: SearchDayCb, state: FSMContext, user: User, catalog: CatalogService
) -> None:
    await catalog.query_of(user.id, callback_data.search_id)  # someone else's search is refused here
    await state.set_state(SearchForm.day)
    await state.set_data({"search_id": callback_data.search_id})
    await query.message.answer(v._("search.day_prompt"))


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
