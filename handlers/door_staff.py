"""Door staff: an organizer adds them (by @username, a forwarded message or an invitation link) and
removes them from an event's menu; staff open /door for today's events with a counter."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from domain.errors import NotStaff, StaffUnknown
from domain.ids import parse_person
from domain.models import User
from domain.services.door_staff import INVITE_PREFIX, Added, DoorStaffService
from domain.services.organizers import OrganizerService
from domain.services.users import UserService
from handlers.callbacks import DoorRefreshCb, StaffAddCb, StaffInviteCb, StaffListCb, StaffRemoveCb
from handlers.editing import show
from handlers.menus import refresh_menu
from handlers.views import base as v
from handlers.views import door_staff as view
from handlers.views.organizer import person

router = Router(name="door_staff")
logger = logging.getLogger(__name__)


class StaffForm(StatesGroup):
    adding = State()  # data: event_id


async def _welcome(bot: Bot, i18n: I18n, added: Added, tz: ZoneInfo, roles: tuple) -> None:
    """Tell the new steward (in their language) and give them /door in their menu."""
    await refresh_menu(bot, i18n, added.staff, *roles)
    with i18n.use_locale(added.staff.language.value):
        text = v._("staff.welcome").format(title=v.escape(added.event.title), when=v.when(added.event.starts_at, tz))
    try:
        await bot.send_message(added.staff.telegram_id, text)
    except TelegramAPIError as exc:
        logger.warning("could not tell staff %s: %s", added.staff.id, exc.message)


@router.callback_query(StaffListCb.filter())
async def staff_list(query: CallbackQuery, callback_data: StaffListCb, user: User, door_staff: DoorStaffService):
    event, staff = await door_staff.staff_of(user, callback_data.event_id)
    await show(query, *view.staff_list(event, staff))


@router.callback_query(StaffAddCb.filter())
async def start_adding(
    query: CallbackQuery, callback_data: StaffAddCb, state: FSMContext, user: User, door_staff: DoorStaffService
):
    await door_staff.staff_of(user, callback_data.event_id)  # one's own event, or refused
    await state.set_state(StaffForm.adding)
    await state.set_data({"event_id": callback_data.event_id})
    await query.message.answer(v._("staff.add.prompt"))


@router.message(StateFilter(StaffForm.adding), Command("cancel"))
async def cancel_adding(message: Message, state: FSMContext, user: User, door_staff: DoorStaffService) -> None:
    data = await state.get_data()
    await state.clear()
    event, staff = await door_staff.staff_of(user, data["event_id"])
    text, markup = view.staff_list(event, staff)
    await message.answer(text, reply_markup=markup)


@router.message(StateFilter(StaffForm.adding), F.forward_origin | (F.text & ~F.text.startswith("/")))
async def adding(
    message: Message,
    state: FSMContext,
    user: User,
    door_staff: DoorStaffService,
    organizers: OrganizerService,
    users: UserService,
    bot: Bot,
    i18n: I18n,
    tz: ZoneInfo,
) -> None:
    data = await state.get_data()
    origin = message.forward_origin
    if origin is not None:
        if origin.type != "user":
            raise StaffUnknown()  # the author hides their account in forwards: only the link works
        who: int | str | None = origin.sender_user.id
    else:
        who = parse_person(message.text.strip())
    if who is None:
        await message.answer(v._("staff.add.prompt"))
        return
    added = await door_staff.add(user, data["event_id"], who)
    await state.clear()
    key = "staff.add.done" if added.created else "staff.add.already"
    await message.answer(v._(key).format(person=person(added.staff)))
    if added.created:
        await _welcome(bot, i18n, added, tz, (organizers, users, door_staff))
    event, staff = await door_staff.staff_of(user, data["event_id"])
    text, markup = view.staff_list(event, staff)
    await message.answer(text, reply_markup=markup)


@router.callback_query(StaffInviteCb.filter())
async def invite(
    query: CallbackQuery, callback_data: StaffInviteCb, user: User, door_staff: DoorStaffService, bot: Bot
):
    payload = await door_staff.invite(user, callback_data.event_id)
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={payload}"
    await query.message.answer(v._("staff.invite.link").format(link=link))


@router.message(CommandStart(deep_link=True, magic=F.args.startswith(INVITE_PREFIX)))
async def accept_invite(
    message: Message,
    command: CommandObject,
    user: User,
    door_staff: DoorStaffService,
    organizers: OrganizerService,
    users: UserService,
    bot: Bot,
    i18n: I18n,
    tz: ZoneInfo,
) -> None:
    added = await door_staff.accept(user, command.args)
    await refresh_menu(bot, i18n, user, organizers, users, door_staff)
    await message.answer(
        v._("staff.welcome").format(title=v.escape(added.event.title), when=v.when(added.event.starts_at, tz))
    )


@router.callback_query(StaffRemoveCb.filter())
async def remove(
    query: CallbackQuery,
    callback_data: StaffRemoveCb,
    user: User,
    door_staff: DoorStaffService,
    organizers: OrganizerService,
    users: UserService,
    bot: Bot,
    i18n: I18n,
) -> None:
    removed = await door_staff.remove(user, callback_data.event_id, callback_data.user_id)
    event, staff = await door_staff.staff_of(user, callback_data.event_id)
    if removed is not None:
        await refresh_menu(bot, i18n, removed, organizers, users, door_staff)
    await show(query, *view.staff_list(event, staff))


@router.message(Command("door"))
async def door(message: Message, user: User, door_staff: DoorStaffService, tz: ZoneInfo) -> None:
    if not await door_staff.is_staff(user):
        raise NotStaff()
    text, markup = view.door(await door_staff.door(user, tz), tz)
    await message.answer(text, reply_markup=markup)


@router.callback_query(DoorRefreshCb.filter())
async def door_refresh(query: CallbackQuery, user: User, door_staff: DoorStaffService, tz: ZoneInfo) -> None:
    if not await door_staff.is_staff(user):
        raise NotStaff()
    await show(query, *view.door(await door_staff.door(user, tz), tz))
