"""Becoming an organizer (/organizer), the admins' decision, /revoke_organizer and the own-events list."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from domain.ids import parse_person
from domain.models import User
from domain.services.door_staff import DoorStaffService
from domain.services.organizers import OrganizerService
from domain.services.users import UserService
from handlers.callbacks import OrganizerDecisionCb, OrganizerEventsPageCb
from handlers.editing import show
from handlers.menus import set_personal_menu
from handlers.views import base as v
from handlers.views import organizer as view

router = Router(name="organizer")
logger = logging.getLogger(__name__)


async def _tell(bot: Bot, i18n: I18n, target: User, render) -> None:
    """A message to another person, in their language; a blocked bot must not undo what was done."""
    with i18n.use_locale(target.language.value):
        text, markup = render()
    try:
        await bot.send_message(target.telegram_id, text, reply_markup=markup)
    except TelegramAPIError as exc:
        logger.warning("could not tell user %s: %s", target.id, exc.message)


@router.message(Command("organizer"))
async def request(
    message: Message, command: CommandObject, user: User, organizers: OrganizerService, i18n: I18n, bot: Bot
) -> None:
    if not (command.args or "").strip():
        await message.answer(v._("organizer.request.usage"))
        return
    filed = await organizers.request(user, command.args)
    await message.answer(v._("organizer.request.sent"))
    for admin in filed.admins:
        await _tell(bot, i18n, admin, lambda: view.request_card(filed.request, user))
    if not filed.admins:
        logger.warning("organizer request %s: no admin has started the bot", filed.request.id)


@router.callback_query(OrganizerDecisionCb.filter())
async def decide(
    query: CallbackQuery,
    callback_data: OrganizerDecisionCb,
    user: User,
    users: UserService,
    organizers: OrganizerService,
    door_staff: DoorStaffService,
    i18n: I18n,
    bot: Bot,
) -> None:
    decision = await organizers.decide(user, callback_data.request_id, approve=bool(callback_data.approve))
    applicant = decision.applicant
    await show(query, view.decided_card(decision.request, applicant, user), None)
    if applicant.is_organizer:
        staff = await door_staff.is_staff(applicant)
        await set_personal_menu(
            bot, i18n, applicant.telegram_id, True, users.is_admin(applicant), applicant.language.value, staff
        )
        await _tell(bot, i18n, applicant, lambda: (v._("organizer.approved"), None))
    else:
        await _tell(bot, i18n, applicant, lambda: (v._("organizer.declined"), None))


@router.message(Command("revoke_organizer"))
async def revoke(
    message: Message,
    command: CommandObject,
    user: User,
    users: UserService,
    organizers: OrganizerService,
    door_staff: DoorStaffService,
    i18n: I18n,
    bot: Bot,
) -> None:
    users.ensure_admin(user)
    args = (command.args or "").split()
    if len(args) != 1:
        await message.answer(v._("organizer.revoke.usage"))
        return
    who = parse_person(args[0])
    if who is None:
        await message.answer(
            v._("admin.bad_person").format(text=v.escape(v.clip(args[0], 40))) + "\n\n" + v._("organizer.revoke.usage")
        )
        return
    target = await organizers.revoke(user, who)
    await message.answer(v._("organizer.revoke.done").format(person=view.person(target)))
    staff = await door_staff.is_staff(target)
    await set_personal_menu(bot, i18n, target.telegram_id, False, users.is_admin(target), target.language.value, staff)
    await _tell(bot, i18n, target, lambda: (v._("organizer.revoked"), None))


@router.message(Command("events"))
async def my_events(message: Message, user: User, organizers: OrganizerService, tz: ZoneInfo) -> None:
    text, markup = view.events_page(await organizers.my_events(user), tz)
    await message.answer(text, reply_markup=markup)


@router.callback_query(OrganizerEventsPageCb.filter())
async def my_events_page(
    query: CallbackQuery, callback_data: OrganizerEventsPageCb, user: User, organizers: OrganizerService, tz: ZoneInfo
) -> None:
    text, markup = view.events_page(await organizers.my_events(user, callback_data.page), tz)
    await show(query, text, markup)
