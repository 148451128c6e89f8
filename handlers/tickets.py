"""My tickets: the list with statuses, and the QR sent again on request."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from domain.codes import deep_link, short_code
from domain.models import User
from domain.services.tickets import TicketService
from domain.views import TicketView
from handlers.callbacks import TicketQrCb, TicketsPageCb
from handlers.editing import show
from handlers.qr import TicketPictures
from handlers.views import tickets as tickets_view

router = Router(name="tickets")


async def send_ticket(bot: Bot, pictures: TicketPictures, chat_id: int, view: TicketView, tz: ZoneInfo) -> None:
    me = await bot.me()
    picture = await pictures.file(deep_link(me.username, view.payload), short_code(view.ticket.secret))
    await bot.send_photo(chat_id, picture, caption=tickets_view.ticket_caption(view, tz))


@router.message(Command("tickets"))
async def my_tickets(message: Message, user: User, tickets: TicketService, tz: ZoneInfo) -> None:
    page = await tickets.my_tickets(user.id, 0)
    text, kb = tickets_view.tickets_page(page, tz)
    await message.answer(text, reply_markup=kb)


@router.callback_query(TicketsPageCb.filter())
async def tickets_page(
    query: CallbackQuery, callback_data: TicketsPageCb, user: User, tickets: TicketService, tz: ZoneInfo
) -> None:
    page = await tickets.my_tickets(user.id, callback_data.page)
    text, kb = tickets_view.tickets_page(page, tz)
    await show(query, text, kb)


@router.callback_query(TicketQrCb.filter())
async def resend_qr(
    query: CallbackQuery,
    callback_data: TicketQrCb,
    user: User,
    tickets: TicketService,
    pictures: TicketPictures,
    tz: ZoneInfo,
) -> None:
    view = await tickets.ticket_of(user.id, callback_data.ticket_id)
    await send_ticket(query.bot, pictures, query.from_user.id, view, tz)
