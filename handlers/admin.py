"""Platform admin commands: /credit and /staff."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n

from domain.ids import parse_telegram_id
from domain.models import User
from domain.services.admin import AdminService
from domain.services.door_staff import DoorStaffService
from domain.services.organizers import OrganizerService
from domain.services.users import UserService
from domain.services.wallet import WalletService
from handlers.menus import refresh_menu
from handlers.views import base as v

router = Router(name="admin")
logger = logging.getLogger(__name__)


async def _notify(bot: Bot, i18n: I18n, target: User, key: str, **params) -> None:
    """Tell the other person in their own language; a blocked bot must not undo what was done."""
    with i18n.use_locale(target.language.value):
        text = v._(key).format(**params)
    try:
        await bot.send_message(target.telegram_id, text)
    except TelegramAPIError as exc:
        logger.warning("could not notify user %s: %s", target.id, exc.message)


async def _refuse(message: Message, key: str, text: str, usage: str) -> None:
    """An argument that is no id: say which one, then how the command is written."""
    await message.answer(v._(key).format(text=v.escape(v.clip(text, 40))) + "\n\n" + v._(usage))


@router.message(Command("credit"))
async def credit(
    message: Message,
    command: CommandObject,
    user: User,
    users: UserService,
    wallet: WalletService,
    i18n: I18n,
    bot: Bot,
) -> None:
    users.ensure_admin(user)
    parts = (command.args or "").split(maxsplit=1)  # the amount may be written "1 500,50"
    if len(parts) != 2:
        await message.answer(v._("admin.credit.usage"))
        return
    target_id = parse_telegram_id(parts[0])
    if target_id is None:
        await _refuse(message, "admin.bad_telegram_id", parts[0], "admin.credit.usage")
        return
    key = f"credit:{message.chat.id}:{message.message_id}"
    result = await wallet.admin_credit(user, target_id, parts[1], key=key)
    target, entry = result.target, result.entry
    await message.answer(
        v._("admin.credit.done").format(
            amount=v.money(entry.amount),
            name=v.escape(target.display_name),
            id=target.telegram_id,
            balance=v.money(entry.balance_after),
        )
    )
    if not result.duplicate:
        with i18n.use_locale(target.language.value):
            amount, balance = v.money(entry.amount), v.money(entry.balance_after)
        await _notify(bot, i18n, target, "wallet.credited", amount=amount, balance=balance)


@router.message(Command("staff"))
async def staff(
    message: Message,
    command: CommandObject,
    user: User,
    users: UserService,
    admin: AdminService,
    organizers: OrganizerService,
    door_staff: DoorStaffService,
    i18n: I18n,
    bot: Bot,
    tz: ZoneInfo,
) -> None:
    users.ensure_admin(user)
    parts = (command.args or "").split()
    if len(parts) != 2:
        await message.answer(v._("admin.staff.usage"))
        return
    staff_id, event_id = parse_telegram_id(parts[0]), parse_telegram_id(parts[1])
    if staff_id is None:
        await _refuse(message, "admin.bad_telegram_id", parts[0], "admin.staff.usage")
        return
    if event_id is None:
        await _refuse(message, "admin.bad_event_id", parts[1], "admin.staff.usage")
        return
    result = await admin.assign_staff(user, staff_id, event_id)
    title = v.escape(result.event.title)
    key = "admin.staff.done" if result.created else "admin.staff.already"
    await message.answer(
        v._(key).format(
            name=v.escape(result.staff.display_name),
            id=result.staff.telegram_id,
            title=title,
            event=result.event.id,
        )
    )
    if result.created:
        await refresh_menu(bot, i18n, result.staff, organizers, users, door_staff)
        with i18n.use_locale(result.staff.language.value):
            when = v.when(result.event.starts_at, tz)
        await _notify(bot, i18n, result.staff, "staff.assigned", title=title, when=when)
