"""Two pollers on one token, bots restarted after a crash, and callback queries answered too late."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiogram import Bot, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from sandbox import Sandbox

from .helpers import raw_call, start_polling

CONFLICT = {
    "ok": False,
    "error_code": 409,
    "description": "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
}
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


async def poll(session: aiohttp.ClientSession, sb: Sandbox, **params: object) -> tuple[int, dict]:
    async with session.post(f"{sb.base_url}/bot{sb.token}/getUpdates", json=params) as response:
        return response.status, await response.json()


# ---------------------------------------------------------------------- two pollers


async def test_two_pollers_on_one_token_kick_each_other(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as first, aiohttp.ClientSession() as second:
        older = asyncio.create_task(poll(first, sb, timeout=5))
        await asyncio.sleep(0.2)
        newer = asyncio.create_task(poll(second, sb, timeout=5))
        assert await asyncio.wait_for(older, 2) == (409, CONFLICT)
        await asyncio.sleep(0.1)
        assert not newer.done()  # the newest long poll goes on

        again = asyncio.create_task(poll(first, sb, timeout=5))  # the first instance retries ...
        assert await asyncio.wait_for(newer, 2) == (409, CONFLICT)  # ... and now the second one is kicked
        await sb.user("Ivy").send("hi", wait=False)
        status, body = await asyncio.wait_for(again, 2)
        assert status == 200 and [u["message"]["text"] for u in body["result"]] == ["hi"]


async def test_unconfirmed_updates_are_fetched_again_by_the_next_poller(sb: Sandbox) -> None:
    """A bot killed (kill -9) after getUpdates returned but before it asked for the next offset gets the
    same updates again when it starts over, on a new connection."""
    jo = sb.user("Jo")
    processed = asyncio.create_task(jo.send("one"))  # waits until some poller confirms the update
    await asyncio.sleep(0)  # let it post
    await jo.send("two", wait=False)
    async with aiohttp.ClientSession() as crashed:
        _, body = await poll(crashed, sb, timeout=1)
    first_delivery = body["result"]
    assert [u["message"]["text"] for u in first_delivery] == ["one", "two"]
    await asyncio.sleep(0.1)
    assert not processed.done() and sb.pending_update_ids == [u["update_id"] for u in first_delivery]

    async with aiohttp.ClientSession() as restarted:
        _, body = await poll(restarted, sb, timeout=1)
        assert body["result"] == first_delivery  # same update_ids, same content
        _, body = await poll(restarted, sb, offset=first_delivery[0]["update_id"] + 1)
        assert [u["message"]["text"] for u in body["result"]] == ["two"]  # "one" is confirmed now
        assert await asyncio.wait_for(processed, 2) == []
        _, body = await poll(restarted, sb, offset=first_delivery[-1]["update_id"] + 1)
        assert body["result"] == [] and sb.pending_update_ids == []


async def test_a_poller_that_died_while_waiting_loses_nothing(sb: Sandbox) -> None:
    session = aiohttp.ClientSession()
    dying = asyncio.create_task(poll(session, sb, timeout=5))
    await asyncio.sleep(0.2)
    dying.cancel()
    await session.close()  # the connection is gone while the long poll waits
    await asyncio.sleep(0.1)
    await sb.user("Kim").send("are you there?", wait=False)
    async with aiohttp.ClientSession() as restarted:
        status, body = await poll(restarted, sb, timeout=2)
    assert status == 200 and [u["message"]["text"] for u in body["result"]] == ["are you there?"]


# ---------------------------------------------------------------------- callback queries answered too late


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=d, callback_data=d) for d in data]])


async def test_answering_after_callback_answer_timeout_fails_like_telegram() -> None:
    async with Sandbox(callback_answer_timeout=0.3) as sb:
        bot = Bot(sb.token, session=AiohttpSession(api=TelegramAPIServer.from_base(sb.base_url)))
        try:
            lea = sb.user("Lea")
            await lea.send("/start", wait=False)
            await bot.send_message(lea.id, "pick", reply_markup=keyboard("a"))
            await lea.press("a", wait=False)
            assert await bot.answer_callback_query(lea.query_ids[-1], text="in time")
            await lea.press("a", wait=False)
            await asyncio.sleep(0.4)
            with pytest.raises(TelegramBadRequest) as info:
                await bot.answer_callback_query(lea.query_ids[-1], text="too late")
            assert info.value.message == TOO_OLD
            assert lea.unanswered_queries() == [lea.query_ids[-1]] and lea.last_alert() == "in time"
        finally:
            await bot.session.close()


async def test_a_bot_restarted_after_a_crash_survives_answering_old_presses() -> None:
    async with Sandbox(callback_answer_timeout=0.2, wait_timeout=5) as sb:
        bot = Bot(sb.token, session=AiohttpSession(api=TelegramAPIServer.from_base(sb.base_url)))
        errors: list[str] = []
        router = Router()

        @router.callback_query(F.data == "careful")
        async def careful(query: CallbackQuery) -> None:
            try:
                await query.answer("done")
            except TelegramBadRequest as error:  # the user has long stopped waiting for the spinner
                errors.append(error.message)
            assert isinstance(query.message, Message)
            await query.message.edit_text("done anyway")

        @router.callback_query(F.data == "careless")
        async def careless(query: CallbackQuery) -> None:
            await query.answer("done")  # raises; aiogram logs it and goes on with the next update

        @router.message()
        async def echo(message: Message) -> None:
            await message.answer(f"echo: {message.text}")

        try:
            max_ = sb.user("Max")
            await max_.send("/start", wait=False)
            await bot.send_message(max_.id, "pick", reply_markup=keyboard("careful", "careless"))
            await max_.press("careful", wait=False)
            await max_.press("careless", wait=False)
            _, body = await raw_call(sb, "getUpdates")  # the first instance fetched them, then crashed
            assert len(body["result"]) == 3
            await asyncio.sleep(0.3)

            dp, task = await start_polling(sb, bot, router)  # the restarted instance gets them again
            try:
                await max_.send("ping")  # confirmed after the presses: the bot went on past them
            finally:
                await dp.stop_polling()
                await task
            assert [m.text for m in max_.messages] == ["done anyway", "echo: /start", "echo: ping"]
            assert errors == [TOO_OLD]
            assert max_.unanswered_queries() == max_.query_ids and max_.alerts == []
        finally:
            await bot.session.close()
