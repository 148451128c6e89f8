"""Platform admin commands: /credit and /staff."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n

from domain.models import User
from domain.services.admin import AdminService
from domain.services.users import UserService
from domain.services.wallet import WalletService
from handlers import render

router = Router(name="admin")
logger = logging.getLogger(__name__)


async def _notify(bot: Bot, i18n: I18n, target: User, key: str, **params) -> None:
    """Tell the other person in their own language; a blocked bot must not undo what was done."""
    with i18n.use_locale(target.language.value):
        text = render._(key).format(**params)
    try:
        await bot.send_message(target.telegram_id, text)
    except TelegramAPIError as exc:
        logger.warning("could not notify user %s: %s", target.id, exc.message)


def _ids(args: str | None) -> tuple[int, str] | None:
    parts = (args or "").split()
    if len(parts) != 2 or not parts[0].isdigit() or len(parts[0]) > 20:
        return None
    return int(parts[0]), parts[1]


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
    parsed = _ids(command.args)
    if parsed is None:
        await message.answer(render._("admin.credit.usage"))
        return
    result = await wallet.admin_credit(user, parsed[0], parsed[1], key=f"credit:{message.chat.id}:{message.message_id}")
    target, entry = result.target, result.entry
    await message.answer(
        render._("admin.credit.done").format(
            amount=render.money(entry.amount),
            name=render.escape(target.display_name),
            id=target.telegram_id,
            balance=render.money(entry.balance_after),
        )
    )
    if not result.duplicate:
        with i18n.use_locale(target.language.value):
            amount, balance = render.money(entry.amount), render.money(entry.balance_after)
        await _notify(bot, i18n, target, "wallet.credited", amount=amount, balance=balance)


@router.message(Command("staff"))
async def staff(
    message: Message,
    command: CommandObject,
    user: User,
    users: UserService,
    admin: AdminService,
    i18n: I18n,
    bot: Bot,
    tz: ZoneInfo,
) -> None:
    users.ensure_admin(user)
    parsed = _ids(command.args)
    if parsed is None or not parsed[1].isdigit() or len(parsed[1]) > 18:
        await message.answer(render._("admin.staff.usage"))
        return
    result = await admin.assign_staff(user, parsed[0], int(parsed[1]))
    title = render.escape(result.event.title)
    key = "admin.staff.done" if result.created else "admin.staff.already"
    await message.answer(
        render._(key).format(
            name=render.escape(result.staff.display_name),
            id=result.staff.telegram_id,
            title=title,
            event=result.event.id,
        )
    )
    if result.created:
        with i18n.use_locale(result.staff.language.value):
            when = render.when(result.event.starts_at, tz)
        await _notify(bot, i18n, result.staff, "staff.assigned", title=title, when=when)
