"""/report: an organizer's figures for one of their events, and the attendee list as a CSV file."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.models import User
from domain.services.organizers import OrganizerService
from domain.services.reports import ReportService
from handlers.callbacks import AttendeesCb, ReportCb
from handlers.editing import show
from handlers.views import base as v
from handlers.views import reports as view

router = Router(name="reports")


@router.message(Command("report"))
async def choose(message: Message, user: User, organizers: OrganizerService) -> None:
    """The latest ten of one's own events, a button each."""
    page = await organizers.my_events(user)
    if not page.total:
        await message.answer(v._("organizer.events.empty"))
        return
    kb = InlineKeyboardBuilder()
    for line in page.items:
        kb.button(text=v.clip(line.event.title, 60), callback_data=ReportCb(event_id=line.event.id))
    kb.adjust(1)
    await message.answer(v._("report.choose"), reply_markup=kb.as_markup())


@router.callback_query(ReportCb.filter())
async def report(query: CallbackQuery, callback_data: ReportCb, user: User, reports: ReportService, tz: ZoneInfo):
    await show(query, *view.report(await reports.report(user, callback_data.event_id), tz))


@router.callback_query(AttendeesCb.filter())
async def attendees(query: CallbackQuery, callback_data: AttendeesCb, user: User, reports: ReportService, tz: ZoneInfo):
    event, questions, rows = await reports.attendee_list(user, callback_data.event_id)
    data, name = view.attendees_csv(event, rows, tz, questions)
    caption = v._("report.csv_caption").format(title=v.escape(v.clip(event.title, 100)), count=v.tickets_n(len(rows)))
    await query.message.answer_document(BufferedInputFile(data, name), caption=caption)
