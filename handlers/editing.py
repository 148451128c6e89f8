"""Show a reply in place of the pressed message (or as a new one), tolerating Telegram's edit quirks."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message


async def show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None, new_message: bool = False) -> None:
    message = query.message
    if not isinstance(message, Message) or new_message or message.photo:
        if message is not None:
            await query.bot.send_message(message.chat.id, text, reply_markup=markup)
        else:
            await query.bot.send_message(query.from_user.id, text, reply_markup=markup)
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "message is not modified" in exc.message:
            return
        if "message to edit not found" in exc.message or "message can't be edited" in exc.message:
            await message.answer(text, reply_markup=markup)
            return
        raise
