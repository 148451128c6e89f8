"""Each person's command menu shows what they may do: the default menu for customers, and a menu of
their own (setMyCommands with BotCommandScopeChat) for organizers and admins, set when a role changes."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n

from handlers.views.base import _
from handlers.views.common import COMMANDS

logger = logging.getLogger(__name__)

ORGANIZER_COMMANDS = ("events", "new_event", "report", "order")
STAFF_COMMANDS = ("door",)
ADMIN_COMMANDS = ("user", "order", "promocodes", "credit", "staff", "plans", "revoke_organizer")


def commands_for(organizer: bool = False, admin: bool = False, staff: bool = False) -> tuple[str, ...]:
    """Customer commands first; the help stays last."""
    extra = (
        (ORGANIZER_COMMANDS if organizer else ())
        + (STAFF_COMMANDS if staff else ())
        + (ADMIN_COMMANDS if admin else ())
    )
    extra = tuple(dict.fromkeys(extra))  # /order is both an organizer's and an admin's
    base = tuple(c for c in COMMANDS if c != "help" and not (organizer and c == "organizer"))
    return base + extra + ("help",)


def _menu(i18n: I18n, lang: str, names: tuple[str, ...]) -> list[BotCommand]:
    with i18n.context(), i18n.use_locale(lang):
        return [BotCommand(command=c, description=_("command." + c)) for c in names]


async def set_default_menu(bot: Bot, i18n: I18n) -> None:
    """The customers' menu in each language, English where Telegram's language has no menu of its own."""
    for lang in (None, *sorted(i18n.available_locales)):
        await bot.set_my_commands(
            _menu(i18n, lang or "en", commands_for()), scope=BotCommandScopeDefault(), language_code=lang
        )


async def set_personal_menu(
    bot: Bot, i18n: I18n, chat_id: int, organizer: bool, admin: bool, lang: str, staff: bool = False
) -> bool:
    """A person's own menu, or back to the default one when they have no role. lang: the language the
    person chose in the bot, used when Telegram's language has no menu. Best effort: False when Telegram
    refused (a person who never started the bot has no chat); the role itself is already stored."""
    scope = BotCommandScopeChat(chat_id=chat_id)
    try:
        for code in (None, *sorted(i18n.available_locales)):
            if organizer or admin or staff:
                menu = _menu(i18n, code or lang, commands_for(organizer, admin, staff))
                await bot.set_my_commands(menu, scope=scope, language_code=code)
            else:
                await bot.delete_my_commands(scope=scope, language_code=code)
    except TelegramAPIError as exc:
        logger.warning("could not set the menu of chat %s: %s", chat_id, exc.message)
        return False
    return True


async def refresh_menu(bot: Bot, i18n: I18n, person, organizers, users, door_staff) -> bool:
    """The person's menu from their roles as the database has them now (after any role change)."""
    organizer = await organizers.is_organizer(person)
    staff = await door_staff.is_staff(person)
    return await set_personal_menu(
        bot, i18n, person.telegram_id, organizer, users.is_admin(person), person.language.value, staff
    )
