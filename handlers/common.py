"""Greeting, help and language."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from domain.models import Language, User
from domain.services.users import UserService
from handlers import render
from handlers.callbacks import LanguageCb

router = Router(name="common")


@router.message(CommandStart())
async def start(message: Message, user: User, first_contact: bool = False) -> None:
    await message.answer(render.greeting(user.first_name, returning=not first_contact))


@router.message(Command("help"))
async def help_(message: Message) -> None:
    await message.answer(render.help_text())


@router.message(Command("language"))
async def language(message: Message) -> None:
    await message.answer(render._("language.choose"), reply_markup=render.language_keyboard())


@router.callback_query(LanguageCb.filter())
async def set_language(
    query: CallbackQuery, callback_data: LanguageCb, user: User, users: UserService, i18n: I18n
) -> None:
    if callback_data.code not in {lang.value for lang in Language}:
        await query.answer(render._("error.stale_button"), show_alert=True)
        return
    await users.set_language(user, Language(callback_data.code))
    with i18n.use_locale(callback_data.code):
        await query.message.edit_text(render._("language.set"))
        await query.message.answer(render.greeting(user.first_name))
