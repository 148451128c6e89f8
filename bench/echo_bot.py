"""The baseline of `bench.rush`: a bare aiogram bot that does nothing but answer.

Every message gets one message back (with one inline button, so the scripted people have something to
press) and every button press gets an answerCallbackQuery. It polls with ``handle_as_tasks=True`` like
aiogram's default, no database, no middlewares: what the same sandbox, HTTP stack and aiogram cost
before any of the shop's work.

    BOT_TOKEN=... TELEGRAM_API_BASE=http://127.0.0.1:PORT python -m bench.echo_bot
"""

from __future__ import annotations

import asyncio
import logging
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.runner import loop_factory

BUTTON = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Again", callback_data="again")]])

dp = Dispatcher()


@dp.message()
async def echo(message: Message) -> None:
    await message.answer("echo", reply_markup=BUTTON)


@dp.callback_query()
async def answer(query: CallbackQuery) -> None:
    await query.answer()


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_BASE"]))
    bot = Bot(os.environ["BOT_TOKEN"], session=session)
    await dp.start_polling(bot, handle_as_tasks=True, polling_timeout=10, handle_signals=True)


if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING").upper())
    with asyncio.Runner(loop_factory=loop_factory()) as runner:  # the bot's own event loop (uvloop)
        runner.run(main())
