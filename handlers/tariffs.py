"""The tariffs of an organizer's event: the list, the dialog that adds one (written whole at the end),
and one tariff's menu where each field is changed on its own."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from domain.models import User
from domain.services.tariff_editor import TariffEditor
from domain.tariff_fields import STEPS, TariffField
from handlers.callbacks import NewTariffCb, TariffEditCb, TariffFormCb, TariffListCb, TariffMenuCb
from handlers.editing import show
from handlers.views import base as v
from handlers.views import tariffs as view

router = Router(name="tariffs")


class TariffForm(StatesGroup):
    filling = State()  # data: event_id, ticket_type_id (0 while creating), field, values


async def _ask(
    message: Message,
    state: FSMContext,
    tariffs: TariffEditor,
    user: User,
    tz: ZoneInfo,
    field: TariffField,
    event_id: int,
    ticket_type_id: int = 0,
    values: dict | None = None,
) -> None:
    tt = (await tariffs.tariff(user, ticket_type_id))[1] if ticket_type_id else None
    await state.set_state(TariffForm.filling)
    await state.set_data(
        {"event_id": event_id, "ticket_type_id": ticket_type_id, "field": field.value, "values": values or {}}
    )
    text, markup = view.prompt(field, event_id, tt, tz, tariffs.currency, tariffs.shop_limit)
    await message.answer(text, reply_markup=markup)


async def _list(tariffs: TariffEditor, user: User, event_id: int, tz: ZoneInfo):
    event, types = await tariffs.tariffs(user, event_id)
    return view.tariff_list(event, types, tz)


async def _menu(tariffs: TariffEditor, user: User, ticket_type_id: int, tz: ZoneInfo):
    event, tt = await tariffs.tariff(user, ticket_type_id)
    return view.tariff_menu(event, tt, tz, tariffs.shop_limit)


async def _after(
    message: Message, state: FSMContext, tariffs: TariffEditor, user: User, tz: ZoneInfo, data: dict, value=None
) -> None:
    """After a step: the next step while creating (the tariff is written after the last), else the menu."""
    field = TariffField(data["field"])
    if data["ticket_type_id"]:
        await state.clear()
        text, markup = await _menu(tariffs, user, data["ticket_type_id"], tz)
        await message.answer(text, reply_markup=markup)
        return
    values = dict(data.get("values") or {})
    values[field.value] = value
    position = STEPS.index(field)
    if position + 1 < len(STEPS):
        await _ask(message, state, tariffs, user, tz, STEPS[position + 1], data["event_id"], values=values)
        return
    tt = await tariffs.create(user, data["event_id"], values)
    await state.clear()
    await message.answer(v._("tariff.created").format(name=v.escape(tt.name)))
    text, markup = await _list(tariffs, user, data["event_id"], tz)
    await message.answer(text, reply_markup=markup)


@router.callback_query(TariffListCb.filter())
async def tariff_list(query: CallbackQuery, callback_data: TariffListCb, user: User, tariffs: TariffEditor, tz):
    text, markup = await _list(tariffs, user, callback_data.event_id, tz)
    await show(query, text, markup)


@router.callback_query(TariffMenuCb.filter())
async def tariff_menu(query: CallbackQuery, callback_data: TariffMenuCb, user: User, tariffs: TariffEditor, tz):
    text, markup = await _menu(tariffs, user, callback_data.ticket_type_id, tz)
    await show(query, text, markup)


@router.callback_query(NewTariffCb.filter())
async def new_tariff(
    query: CallbackQuery, callback_data: NewTariffCb, state: FSMContext, user: User, tariffs: TariffEditor, tz
):
    await tariffs.tariffs(user, callback_data.event_id)  # one's own event, or refused
    await _ask(query.message, state, tariffs, user, tz, TariffField.NAME, callback_data.event_id)


@router.callback_query(TariffEditCb.filter())
async def edit_tariff(
    query: CallbackQuery,
    callback_data: TariffEditCb,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    user: User,
    tariffs: TariffEditor,
    tz: ZoneInfo,
) -> None:
    if callback_data.field not in {f.value for f in TariffField}:
        callback_answer.text, callback_answer.show_alert = v._("error.stale_button"), True
        return
    event, tt = await tariffs.tariff(user, callback_data.ticket_type_id)
    field = TariffField(callback_data.field)
    await _ask(query.message, state, tariffs, user, tz, field, event.id, ticket_type_id=tt.id)


@router.message(StateFilter(TariffForm.filling), F.text & ~F.text.startswith("/"))
async def typed(message: Message, state: FSMContext, user: User, tariffs: TariffEditor, tz: ZoneInfo) -> None:
    data = await state.get_data()
    field = TariffField(data["field"])
    if data["ticket_type_id"]:
        await tariffs.set_field(user, data["ticket_type_id"], field, message.text, tz)
        await _after(message, state, tariffs, user, tz, data)
        return
    value = tariffs.check_step(field, message.text, tz, data.get("values") or {})
    await _after(message, state, tariffs, user, tz, data, value)


@router.message(StateFilter(TariffForm.filling), ~F.text)
async def not_text(message: Message) -> None:
    await message.answer(v._("editor.text_expected"))


@router.callback_query(TariffFormCb.filter())
async def form_button(
    query: CallbackQuery,
    callback_data: TariffFormCb,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    user: User,
    tariffs: TariffEditor,
    tz: ZoneInfo,
) -> None:
    data = await state.get_data()
    current = await state.get_state() == TariffForm.filling.state and (
        data.get("event_id"),
        data.get("ticket_type_id"),
        data.get("field"),
    ) == (callback_data.event_id, callback_data.ticket_type_id, callback_data.field)
    if not current:
        callback_answer.text, callback_answer.show_alert = v._("editor.stale_step"), True
        return
    field = TariffField(callback_data.field)
    if callback_data.action == "cancel":
        await state.clear()
        if data["ticket_type_id"]:
            text, markup = await _menu(tariffs, user, data["ticket_type_id"], tz)
        else:
            await query.message.answer(v._("tariff.cancelled"))
            text, markup = await _list(tariffs, user, data["event_id"], tz)
        await query.message.answer(text, reply_markup=markup)
    elif callback_data.action == "back" and not data["ticket_type_id"] and STEPS.index(field) > 0:
        previous = STEPS[STEPS.index(field) - 1]
        await _ask(query.message, state, tariffs, user, tz, previous, data["event_id"], values=data.get("values"))
    elif callback_data.action == "skip" and data["ticket_type_id"]:
        await tariffs.clear(user, data["ticket_type_id"], field)
        await _after(query.message, state, tariffs, user, tz, data)
    elif callback_data.action == "skip":
        if field is TariffField.NAME or field is TariffField.PRICE or field is TariffField.QUANTITY:
            callback_answer.text, callback_answer.show_alert = v._("editor.stale_step"), True
            return
        await _after(query.message, state, tariffs, user, tz, data, None)
    else:
        callback_answer.text, callback_answer.show_alert = v._("editor.stale_step"), True
