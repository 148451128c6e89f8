"""Show a reply in place of the pressed message (or as a new one), tolerating Telegram's edit quirks."""

from __future__ import annotations

import re
from html import unescape

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


CAPTION_LIMIT = 1024  # Telegram's limit for a photo's caption, in visible characters


def visible_length(html: str) -> int:
    """What Telegram counts: the text without its tags, entities read as one character each."""
    return len(unescape(re.sub(r"<[^>]+>", "", html)))


async def show_card(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None, poster: str | None, new_message: bool
) -> None:
    """An event card and the screens that replace it in place (the tariff picker and back): with a poster
    the card is a photo sent once, and later screens edit its caption rather than send another photo."""
    message = query.message
    if new_message or not isinstance(message, Message):
        chat_id = message.chat.id if message is not None else query.from_user.id
        if poster:
            await query.bot.send_photo(chat_id, poster, caption=text, reply_markup=markup)
        else:
            await query.bot.send_message(chat_id, text, reply_markup=markup)
        return
    if not message.photo:
        await show(query, text, markup)
        return
    try:
        await message.edit_caption(caption=text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "message is not modified" not in exc.message:
            raise
