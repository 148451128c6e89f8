"""Whatever no other dialog took: unknown commands, stickers and photos, stale or forged buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from handlers import render

router = Router(name="fallback")


@router.message(F.text.startswith("/"))
async def unknown_command(message: Message) -> None:
    command = render.escape(message.text.split()[0][:40])
    await message.answer(render._("fallback.unknown_command").format(command=command) + "\n\n" + render.command_list())


@router.message()
async def not_text(message: Message) -> None:
    await message.answer(render._("fallback.not_text"))


@router.callback_query()
async def stale_button(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    callback_answer.text, callback_answer.show_alert = render._("error.stale_button"), True
