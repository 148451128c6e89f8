"""The organizer's event dialog (/new_event), step by step with Back and Cancel, and each event's own
menu where any field can be changed later. Dialog state is aiogram's FSM (Redis when configured); the
draft itself is in the database from its first step, so an abandoned dialog loses nothing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from domain.errors import EventIncomplete
from domain.event_fields import STEPS, EventField
from domain.models import Event, User
from domain.services.cart import CartService
from domain.services.event_editor import EventEditor, ensure_editable
from domain.services.organizers import OrganizerService
from handlers.callbacks import CancelEventCb, EventEditCb, EventFormCb, EventMenuCb, NewEventCb, PublishCb
from handlers.editing import show
from handlers.views import base as v
from handlers.views import event_editor as view

router = Router(name="event_editor")


class EventForm(StatesGroup):
    filling = State()  # data: event_id (0 before the title), field, creating


async def _ask(message: Message, state: FSMContext, field: EventField, event: Event | None, tz, creating: bool):
    await state.set_state(EventForm.filling)
    await state.set_data({"event_id": event.id if event else 0, "field": field.value, "creating": creating})
    text, markup = view.prompt(field, event, tz, creating)
    await message.answer(text, reply_markup=markup)


async def render_menu(editor: EventEditor, user: User, event_id: int, tz: ZoneInfo):
    event, tariffs, missing = await editor.overview(user, event_id)
    return view.menu(event, tz, len(tariffs), missing)


async def _next(
    message: Message,
    state: FSMContext,
    event: Event,
    field: EventField,
    creating: bool,
    tz,
    editor: EventEditor,
    user: User,
) -> None:
    """After a step: the next one while creating, else (or after the last) the event's menu."""
    if creating and field in STEPS and STEPS.index(field) + 1 < len(STEPS):
        await _ask(message, state, STEPS[STEPS.index(field) + 1], event, tz, creating=True)
        return
    await state.clear()
    if creating:
        await message.answer(v._("editor.created").format(title=v.escape(event.title)))
    text, markup = await render_menu(editor, user, event.id, tz)
    await message.answer(text, reply_markup=markup)


@router.message(Command("new_event"))
async def new_event(message: Message, state: FSMContext, user: User, organizers: OrganizerService, tz: ZoneInfo):
    await organizers.ensure_organizer(user)
    await _ask(message, state, EventField.TITLE, None, tz, creating=True)


@router.callback_query(NewEventCb.filter())
async def new_event_button(
    query: CallbackQuery, state: FSMContext, user: User, organizers: OrganizerService, tz: ZoneInfo
):
    await organizers.ensure_organizer(user)
    await _ask(query.message, state, EventField.TITLE, None, tz, creating=True)


@router.message(StateFilter(EventForm.filling), F.text & ~F.text.startswith("/"))
async def typed(message: Message, state: FSMContext, user: User, editor: EventEditor, tz: ZoneInfo) -> None:
    data = await state.get_data()
    field, creating = EventField(data["field"]), bool(data.get("creating"))
    if field is EventField.POSTER:
        await message.answer(v._("editor.poster_expected"))
        return
    if not data["event_id"]:
        event = await editor.create(user, message.text)
    else:
        event = await editor.set_text(user, data["event_id"], field, message.text, tz)
    await _next(message, state, event, field, creating, tz, editor, user)


@router.message(StateFilter(EventForm.filling), F.photo)
async def photo(message: Message, state: FSMContext, user: User, editor: EventEditor, tz: ZoneInfo) -> None:
    data = await state.get_data()
    field = EventField(data["field"])
    if field is not EventField.POSTER or not data["event_id"]:
        await message.answer(v._("editor.text_expected"))
        return
    event = await editor.set_poster(user, data["event_id"], message.photo[-1].file_id)
    await _next(message, state, event, field, bool(data.get("creating")), tz, editor, user)


@router.message(StateFilter(EventForm.filling), F.document)
async def document(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    key = "editor.poster_as_photo" if data.get("field") == EventField.POSTER.value else "editor.text_expected"
    await message.answer(v._(key))


@router.message(StateFilter(EventForm.filling), Command("cancel"))
async def cancel_command(message: Message, state: FSMContext, user: User, editor: EventEditor, tz: ZoneInfo):
    await _cancel(message, state, user, editor, tz)


async def _cancel(message: Message, state: FSMContext, user: User, editor: EventEditor, tz: ZoneInfo) -> None:
    """Creating: the draft stays (said so). Changing one field: back to the event's menu, unchanged."""
    data = await state.get_data()
    await state.clear()
    if not data.get("event_id"):
        await message.answer(v._("editor.cancelled"))
        return
    event = await editor.own(user, data["event_id"])
    if data.get("creating"):
        await message.answer(v._("editor.cancelled_draft").format(title=v.escape(event.title)))
    else:
        text, markup = await render_menu(editor, user, event.id, tz)
        await message.answer(text, reply_markup=markup)


@router.message(StateFilter(EventForm.filling), ~F.text)
async def not_text(message: Message) -> None:
    await message.answer(v._("editor.text_expected"))


@router.callback_query(EventFormCb.filter())
async def form_button(
    query: CallbackQuery,
    callback_data: EventFormCb,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    user: User,
    editor: EventEditor,
    tz: ZoneInfo,
) -> None:
    data = await state.get_data()
    current = await state.get_state() == EventForm.filling.state
    if not current or data.get("event_id") != callback_data.event_id or data.get("field") != callback_data.field:
        callback_answer.text, callback_answer.show_alert = v._("editor.stale_step"), True
        return
    field, creating = EventField(callback_data.field), bool(data.get("creating"))
    if callback_data.action == "cancel":
        await _cancel(query.message, state, user, editor, tz)
    elif callback_data.action == "back" and creating and STEPS.index(field) > 0:
        event = await editor.own(user, callback_data.event_id)
        await _ask(query.message, state, STEPS[STEPS.index(field) - 1], event, tz, creating=True)
    elif callback_data.action == "skip" and callback_data.event_id:
        event = await editor.clear(user, callback_data.event_id, field)
        await _next(query.message, state, event, field, creating, tz, editor, user)
    elif callback_data.action == "cat" and field is EventField.CATEGORY and callback_data.event_id:
        event = await editor.set_text(user, callback_data.event_id, field, callback_data.value, tz)
        await _next(query.message, state, event, field, creating, tz, editor, user)
    else:
        callback_answer.text, callback_answer.show_alert = v._("editor.stale_step"), True


@router.callback_query(EventMenuCb.filter())
async def event_menu(query: CallbackQuery, callback_data: EventMenuCb, user: User, editor: EventEditor, tz: ZoneInfo):
    text, markup = await render_menu(editor, user, callback_data.event_id, tz)
    await show(query, text, markup)


@router.callback_query(PublishCb.filter())
async def publish(
    query: CallbackQuery,
    callback_data: PublishCb,
    callback_answer: CallbackAnswer,
    user: User,
    editor: EventEditor,
    tz: ZoneInfo,
) -> None:
    callback_answer.show_alert = True
    try:
        event = await editor.publish(user, callback_data.event_id)
    except EventIncomplete as error:
        missing = view.missing_names(error.params["missing"])
        callback_answer.text = v._("error.event_incomplete").format(fields=missing)
        return
    callback_answer.text = v._("editor.published").format(title=v.clip(event.title, 100))
    text, markup = await render_menu(editor, user, event.id, tz)
    await show(query, text, markup)


@router.callback_query(CancelEventCb.filter())
async def cancel_event(
    query: CallbackQuery,
    callback_data: CancelEventCb,
    callback_answer: CallbackAnswer,
    user: User,
    editor: EventEditor,
    cart: CartService,
    tz: ZoneInfo,
) -> None:
    """First press: what cancelling means, with Yes and No. Yes: sales stop, holds end and their quota
    goes back at once (carts whose owner is busy right now are taken by the next sweep)."""
    if not callback_data.confirm:
        event, tariffs, _missing = await editor.overview(user, callback_data.event_id)
        ensure_editable(event)
        text, markup = view.cancel_confirmation(event, sum(t.sold for t in tariffs))
        await show(query, text, markup)
        return
    event = await editor.cancel(user, callback_data.event_id)
    await cart.release_expired()
    callback_answer.text, callback_answer.show_alert = (
        v._("editor.cancel.done").format(title=v.clip(event.title, 100)),
        True,
    )
    text, markup = await render_menu(editor, user, event.id, tz)
    await show(query, text, markup)


@router.callback_query(EventEditCb.filter())
async def edit_field(
    query: CallbackQuery,
    callback_data: EventEditCb,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    user: User,
    editor: EventEditor,
    tz: ZoneInfo,
) -> None:
    if callback_data.field not in {f.value for f in EventField}:
        callback_answer.text, callback_answer.show_alert = v._("error.stale_button"), True
        return
    event = await editor.own(user, callback_data.event_id, editable=True)
    await _ask(query.message, state, EventField(callback_data.field), event, tz, creating=False)
