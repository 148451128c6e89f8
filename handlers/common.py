"""Greeting, help and language."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from domain.models import Language, User
from domain.services.users import UserService
from handlers.callbacks import LanguageCb
from handlers.views import base as v
from handlers.views import common as common_view

router = Router(name="common")


@router.message(CommandStart())
async def start(message: Message, user: User, first_contact: bool = False) -> None:
    await message.answer(common_view.greeting(user.first_name, returning=not first_contact))


@router.message(Command("help"))
async def help_(message: Message) -> None:
    await message.answer(common_view.help_text())


@router.message(Command("language"))
async def language(message: Message) -> None:
    await message.answer(v._("language.choose"), reply_markup=common_view.language_keyboard())


@router.callback_query(LanguageCb.filter())
async def set_language(
    query: CallbackQuery, callback_data: LanguageCb, user: User, users: UserService, i18n: I18n
) -> None:
    if callback_data.code not in {lang.value for lang in Language}:
        await query.answer(v._("error.stale_button"), show_alert=True)
        return
    await users.set_language(user, Language(callback_data.code))
    with i18n.use_locale(callback_data.code):
        await query.message.edit_text(v._("language.set"))
        await query.message.answer(common_view.greeting(user.first_name))
