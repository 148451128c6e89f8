"""`make run` with a BOT_TOKEN: the runner migrates, registers the commands and long-polls the Bot API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import pytest
from aiogram.exceptions import TelegramUnauthorizedError

from bot.config import Settings
from bot.polling import AnotherPollerRunning
from bot.runner import run_telegram, startup_failure
from sandbox import Sandbox
from tests.conftest import REDIS_URL

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def _settings(sandbox: Sandbox, tmp_path, token: str = TOKEN, **overrides) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=token,
        telegram_api_base=sandbox.base_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}",
        **overrides,
    )


@contextlib.asynccontextmanager
async def production_bot(tmp_path, **overrides) -> AsyncIterator[Sandbox]:
    """The real runner (polling with tasks, as in production) against the sandbox, until the block ends."""
    async with Sandbox(token=TOKEN, bot_username="prod_like_bot") as sandbox:
        runner = asyncio.create_task(run_telegram(_settings(sandbox, tmp_path, **overrides)))
        try:
            await _until(lambda: sandbox.commands(language_code="en"))
            yield sandbox
        finally:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner


async def _until(predicate, attempts: int = 200) -> None:
    """With tasks a reply lands after the update is confirmed: wait for it."""
    for _ in range(attempts):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bot did not answer")


async def test_runner_long_polls_with_a_token(tmp_path):
    async with production_bot(tmp_path) as sandbox:
        assert ("tickets", "мои билеты") in sandbox.commands(language_code="ru")
        anna = sandbox.user("Anna", lang="ru")
        await anna.send("/start")
        await _until(lambda: anna.messages)
        assert "Здравствуйте" in anna.last_text()
        assert any(name == "deleteWebhook" for name, _ in sandbox.calls)


async def test_a_wrong_token_is_one_clear_line(tmp_path):
    async with Sandbox(token=TOKEN, bot_username="prod_like_bot") as sandbox:
        settings = _settings(sandbox, tmp_path, token="987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
        with pytest.raises(TelegramUnauthorizedError) as caught:
            await run_telegram(settings)
    assert startup_failure(caught.value, settings) == (
        "Telegram rejected BOT_TOKEN (Unauthorized): check the token BotFather gave you."
    )


@pytest.mark.parametrize("state", ["memory", "redis"])
async def test_a_users_updates_are_handled_in_order_in_production_mode(tmp_path, state):
    """One person's updates are handled in update order even when updates run concurrently; with Redis
    (shared by several processes) as well: a lock is not a queue, the sequencer is."""
    overrides = {"redis_url": REDIS_URL} if state == "redis" else {}
    async with production_bot(tmp_path, **overrides) as sandbox:
        anna = sandbox.user("Anna")
        words = [f"word{n}" for n in range(8)]
        for word in words:
            await anna.send(word, wait=False)
        await _until(lambda: len(anna.messages) == len(words))
        answered = [next(w for w in words if f"«{w}»" in m.text) for m in anna.messages]
        assert answered == words


async def test_a_second_poller_of_the_same_token_stops_with_one_clear_line(tmp_path):
    """Long polling allows one poller per token: the second process leaves at start-up instead of the
    two kicking each other with 409 Conflict forever; the first one goes on answering."""
    async with production_bot(tmp_path, poll_conflict_window_seconds=0.5) as sandbox:
        await asyncio.sleep(1)  # the first one is past its start-up
        second = _settings(sandbox, tmp_path / "second")
        with pytest.raises(AnotherPollerRunning) as caught:
            await asyncio.wait_for(run_telegram(second), 30)
        assert startup_failure(caught.value, second).startswith("Another process is already polling Telegram")
        anna = sandbox.user("Anna", lang="en")
        await anna.send("/start", wait=False)
        await _until(lambda: anna.messages)
        assert "Hello" in anna.last_text()


async def test_one_person_flooding_the_bot_does_not_hold_up_everybody_else(tmp_path, caplog):
    """A person's waiting updates take no place while they wait, and no person may hold more than a
    bounded backlog (50): a flood of 300 messages from one person (a script, not a hand) is answered in
    order as far as the backlog allows and the rest is let go with a log line, while somebody else's
    /start is answered at once."""
    async with production_bot(tmp_path) as sandbox:
        flooder, anna = sandbox.user("Flooder"), sandbox.user("Anna", lang="en")
        with caplog.at_level(logging.WARNING):
            for n in range(300):
                await flooder.send(f"flood{n}", wait=False)
            await anna.send("/start", wait=False)
            await _until(lambda: anna.messages, attempts=400)
            assert len(flooder.messages) < 50, f"Anna waited for {len(flooder.messages)} of the flood"
            await _until(lambda: not sandbox.pending_update_ids, attempts=400)
            settled = -1
            while settled != len(flooder.messages):
                settled = len(flooder.messages)
                await asyncio.sleep(1)
        answered = [int(m.text.split("«flood")[1].split("»")[0]) for m in flooder.messages]
        assert answered[:50] == list(range(50)) and answered == sorted(answered)
        assert len(answered) < 300
        assert "flood: person" in caplog.text


async def test_a_second_process_on_the_same_database_stops_before_replaying_anything(tmp_path):
    """It would otherwise replay the updates the first one has in hand before Telegram's 409 came."""
    async with production_bot(tmp_path) as sandbox:
        await _until(lambda: any(name == "getUpdates" for name, _ in sandbox.calls))  # the first one is polling
        second = _settings(sandbox, tmp_path)  # the same database file
        with pytest.raises(AnotherPollerRunning) as caught:
            await asyncio.wait_for(run_telegram(second), 30)
        assert "Another bot process is already running on the database" in startup_failure(caught.value, second)
        await asyncio.sleep(0.3)
        anna = sandbox.user("Anna", lang="en")
        await anna.send("/start", wait=False)
        await _until(lambda: anna.messages)
        await asyncio.sleep(0.5)
        assert [m.content.startswith("Hello") for m in anna.messages] == [True]
