"""Door control: a scanned QR (deep link) or a typed code shows the verdict; staff check people in."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart, StateFilter
from aiogram.types import CallbackQuery, Message

from domain.codes import ALPHABET, SECRET_LENGTH, SHORT_CODE, TICKET_PREFIX
from domain.models import User
from domain.services.checkin import CheckinService
from handlers.callbacks import CheckinCb
from handlers.editing import show
from handlers.views import door as door_view

router = Router(name="staff")
TYPED_CODE = rf"(?i)^\s*({TICKET_PREFIX})?[{ALPHABET}]{{{SECRET_LENGTH}}}\s*$"


@router.message(CommandStart(deep_link=True, magic=F.args.startswith(TICKET_PREFIX)))
async def scan_link(
    message: Message, command: CommandObject, user: User, checkin: CheckinService, tz: ZoneInfo
) -> None:
    view = await checkin.scan(user, command.args)
    text, kb = door_view.scan(view, tz)
    await message.answer(text, reply_markup=kb)


@router.message(StateFilter(None), F.text.regexp(TYPED_CODE))  # in a dialog, the dialog reads it
async def scan_typed(message: Message, user: User, checkin: CheckinService, tz: ZoneInfo) -> None:
    view = await checkin.scan(user, message.text.strip())
    text, kb = door_view.scan(view, tz)
    await message.answer(text, reply_markup=kb)


@router.message(StateFilter(None), F.text.regexp(SHORT_CODE))
async def scan_short_code(message: Message, user: User, checkin: CheckinService, tz: ZoneInfo) -> None:
    view = await checkin.scan_short_code(user, message.text)
    text, kb = door_view.scan(view, tz)
    await message.answer(text, reply_markup=kb)


@router.callback_query(CheckinCb.filter())
async def check_in(
    query: CallbackQuery, callback_data: CheckinCb, user: User, checkin: CheckinService, tz: ZoneInfo
) -> None:
    view = await checkin.check_in(user, callback_data.ticket_id)
    text, kb = door_view.scan(view, tz)
    await show(query, text, kb)
