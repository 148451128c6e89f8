"""An organizer's message to the holders of one event's tickets: write, see it as they will, send."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.models import User
from domain.services.broadcasts import BroadcastService
from handlers.callbacks import BroadcastSendCb, BroadcastStartCb, EventMenuCb
from handlers.editing import show
from handlers.views import base as v

router = Router(name="broadcast")


class BroadcastForm(StatesGroup):
    writing = State()  # data: event_id


@router.callback_query(BroadcastStartCb.filter())
async def start(
    query: CallbackQuery, callback_data: BroadcastStartCb, state: FSMContext, user: User, broadcasts: BroadcastService
):
    event, _recipients = await broadcasts.audience(user, callback_data.event_id)
    await state.set_state(BroadcastForm.writing)
    await state.set_data({"event_id": event.id})
    await query.message.answer(v._("broadcast.prompt").format(title=v.escape(event.title)))


@router.message(StateFilter(BroadcastForm.writing), Command("cancel"))
async def cancel(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(v._("broadcast.cancelled"))


@router.message(StateFilter(BroadcastForm.writing), F.text & ~F.text.startswith("/"))
async def written(message: Message, state: FSMContext, user: User, broadcasts: BroadcastService) -> None:
    data = await state.get_data()
    draft = await broadcasts.draft(user, data["event_id"], message.text)
    await state.clear()
    kb = InlineKeyboardBuilder()
    kb.row(
        v.btn(v._("button.broadcast_send").format(n=draft.recipients), BroadcastSendCb(broadcast_id=draft.broadcast.id))
    )
    kb.row(v.btn(v._("button.cancel"), EventMenuCb(event_id=draft.event.id)))
    preview = v._("broadcast.preview").format(
        n=draft.recipients, title=v.escape(draft.event.title), text=v.escape(draft.broadcast.text)
    )
    await message.answer(preview, reply_markup=kb.as_markup())


@router.message(StateFilter(BroadcastForm.writing), ~F.text)
async def not_text(message: Message) -> None:
    await message.answer(v._("editor.text_expected"))


@router.callback_query(BroadcastSendCb.filter())
async def send(
    query: CallbackQuery, callback_data: BroadcastSendCb, user: User, broadcasts: BroadcastService, broadcaster
):
    started = await broadcasts.start(user, callback_data.broadcast_id)
    broadcaster.launch(started.broadcast.id)
    await show(query, v._("broadcast.sending").format(n=started.recipients, title=v.escape(started.event.title)), None)
