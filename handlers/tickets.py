"""My tickets: the list with statuses, the QR sent again on request, and an attendee's name changed where
the organizer allows it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from domain.codes import deep_link, short_code
from domain.errors import AttendeeNameInvalid, DomainError, NamesNotChangeable
from domain.models import TicketStatus, User
from domain.services.attendees import AttendeeService
from domain.services.tickets import TicketService
from domain.views import TicketView
from handlers.callbacks import OrdersPageCb, TicketQrCb, TicketRenameCb, TicketsPageCb
from handlers.editing import show
from handlers.qr import TicketPictures
from handlers.views import base as v
from handlers.views import orders as orders_view
from handlers.views import tickets as tickets_view

router = Router(name="tickets")


class TicketRename(StatesGroup):
    typing = State()  # data: ticket_id


async def send_ticket(bot: Bot, pictures: TicketPictures, chat_id: int, view: TicketView, tz: ZoneInfo) -> None:
    me = await bot.me()
    picture = await pictures.file(deep_link(me.username, view.payload), short_code(view.ticket.secret))
    await bot.send_photo(chat_id, picture, caption=tickets_view.ticket_caption(view, tz))


@router.message(Command("tickets"))
async def my_tickets(message: Message, user: User, tickets: TicketService, tz: ZoneInfo) -> None:
    page = await tickets.my_tickets(user.id, 0)
    text, kb = tickets_view.tickets_page(page, tz)
    await message.answer(text, reply_markup=kb)


@router.message(Command("orders"))
async def my_orders(message: Message, user: User, tickets: TicketService, tz: ZoneInfo) -> None:
    text, kb = orders_view.orders_page(await tickets.my_orders(user.id, 0), tz)
    await message.answer(text, reply_markup=kb)


@router.callback_query(OrdersPageCb.filter())
async def orders_page(
    query: CallbackQuery, callback_data: OrdersPageCb, user: User, tickets: TicketService, tz: ZoneInfo
) -> None:
    await show(query, *orders_view.orders_page(await tickets.my_orders(user.id, callback_data.page), tz))


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


@router.callback_query(TicketRenameCb.filter())
async def rename_ticket(
    query: CallbackQuery,
    callback_data: TicketRenameCb,
    user: User,
    tickets: TicketService,
    state: FSMContext,
    tz: ZoneInfo,
) -> None:
    if not callback_data.ticket_id:  # Cancel: the list again, and typing is a search again
        await state.clear()
        await show(query, *tickets_view.tickets_page(await tickets.my_tickets(user.id, 0), tz))
        return
    view = await tickets.ticket_of(user.id, callback_data.ticket_id)  # someone else's: not found
    if not view.event.names_changeable or view.ticket.status is not TicketStatus.VALID:
        raise NamesNotChangeable()
    await state.set_state(TicketRename.typing)
    await state.set_data({"ticket_id": view.ticket.id})
    await show(query, *tickets_view.rename_prompt(view))


@router.message(StateFilter(TicketRename.typing), F.text & ~F.text.startswith("/"))
async def renamed(
    message: Message, user: User, attendees: AttendeeService, tickets: TicketService, state: FSMContext, tz: ZoneInfo
) -> None:
    try:
        ticket = await attendees.rename_ticket(user.id, (await state.get_data())["ticket_id"], message.text)
    except AttendeeNameInvalid as error:  # typed again, the dialog stays
        await message.answer(v.render_error(error))
        return
    except DomainError as error:  # used at the door meanwhile, or the organizer changed their mind
        await state.clear()
        await message.answer(v.render_error(error))
        return
    await state.clear()
    await message.answer(
        v._("tickets.renamed").format(code=short_code(ticket.secret), holder=v.escape(ticket.holder_name))
    )
    text, kb = tickets_view.tickets_page(await tickets.my_tickets(user.id, 0), tz)
    await message.answer(text, reply_markup=kb)


@router.message(StateFilter(TicketRename.typing), ~F.text)
async def rename_not_text(message: Message) -> None:
    await message.answer(v._("attendee.type_please"))
