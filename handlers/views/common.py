"""Greeting, help, the command list and the language picker."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import LanguageCb
from handlers.views.base import _, escape

COMMANDS = (
    "search",
    "cart",
    "tickets",
    "orders",
    "wallet",
    "membership",
    "language",
    "terms",
    "paysupport",
    "organizer",
    "help",
)


def command_list() -> str:
    return "\n".join(f"/{c} — {_('command.' + c)}" for c in COMMANDS)


def greeting(name: str, returning: bool = False) -> str:
    key = "start.welcome_back" if returning else "start.greeting"
    return _(key).format(name=escape(name)) + "\n\n" + command_list()


def help_text() -> str:
    return _("help.text") + "\n\n" + command_list()


def language_keyboard() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text="Русский", callback_data=LanguageCb(code="ru"))
    kb.button(text="English", callback_data=LanguageCb(code="en"))
    return kb.as_markup()


def private_chat_pointer(bot_username: str) -> tuple[str, InlineKeyboardMarkup]:
    """What the bot says in a group: nothing personal, only the way to the private chat."""
    kb = InlineKeyboardBuilder()
    kb.button(text=_("group.open_private_chat"), url=f"https://t.me/{bot_username}")
    return _("group.private_only"), kb.as_markup()
