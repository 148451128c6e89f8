"""Whatever no other dialog took: unknown commands, stickers and photos, stale or forged buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from handlers.views import base as v
from handlers.views import common as common_view

router = Router(name="fallback")


@router.message(F.text.startswith("/"))
async def unknown_command(message: Message) -> None:
    command = v.escape(message.text.split()[0][:40])
    await message.answer(v._("fallback.unknown_command").format(command=command) + "\n\n" + common_view.command_list())


@router.message()
async def not_text(message: Message) -> None:
    await message.answer(v._("fallback.not_text"))


@router.callback_query()
async def stale_button(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    callback_answer.text, callback_answer.show_alert = v._("error.stale_button"), True
