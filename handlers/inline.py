"""Inline mode: `@bot query` in any chat lists matching events as articles; each posts a short card with
a button that opens the event in the bot (a deep link), where the buying happens."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
)

from domain.ids import parse_telegram_id
from domain.services.catalog import CatalogService
from handlers.editing import CAPTION_LIMIT
from handlers.views import base as v
from handlers.views import catalog as catalog_view

router = Router(name="inline")
EVENT_LINK = "ev_"
CACHE_SECONDS = 30  # what is on sale changes; a short cache still spares a typing person's repeats


@router.inline_query()
async def inline_search(query: InlineQuery, catalog: CatalogService, bot: Bot, tz: ZoneInfo) -> None:
    items, next_offset = await catalog.inline(query.query, query.offset)
    me = await bot.me()
    results = []
    for item in items:
        e = item.event
        link = f"https://t.me/{me.username}?start={EVENT_LINK}{e.id}"
        summary = catalog_view.inline_summary(item, tz)
        results.append(
            InlineQueryResultArticle(
                id=f"e{e.id}",
                title=v.clip(e.title, 100),
                description=summary,
                input_message_content=InputTextMessageContent(
                    message_text=f"🎭 <b>{v.escape(v.clip(e.title, 200))}</b>\n{v.escape(summary)}"
                ),
                reply_markup=InlineKeyboardMarkup(
                    inline_keyboard=[[InlineKeyboardButton(text=v._("button.open_in_bot"), url=link)]]
                ),
            )
        )
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False, next_offset=next_offset)


@router.message(CommandStart(deep_link=True, magic=F.args.startswith(EVENT_LINK)))
async def open_event(message: Message, command: CommandObject, catalog: CatalogService, tz: ZoneInfo, is_admin=False):
    """The button under an inline result: the event's card in the private chat."""
    event_id = parse_telegram_id(command.args.removeprefix(EVENT_LINK))
    card = await catalog.event_card(event_id if event_id is not None and event_id < 2**31 else 0)
    poster = card.event.poster_file_id
    text, kb = catalog_view.event_card(card, tz, admin=is_admin, limit=CAPTION_LIMIT if poster else None)
    if poster:
        await message.answer_photo(poster, caption=text, reply_markup=kb)
    else:
        await message.answer(text, reply_markup=kb)
