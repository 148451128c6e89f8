"""`make run` with a BOT_TOKEN: the runner migrates, registers the commands and long-polls the Bot API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from aiogram.exceptions import TelegramUnauthorizedError

from bot.config import Settings
from bot.runner import run_telegram, startup_failure
from sandbox import Sandbox

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def _settings(sandbox: Sandbox, tmp_path, token: str = TOKEN) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=token,
        telegram_api_base=sandbox.base_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}",
    )


@contextlib.asynccontextmanager
async def production_bot(tmp_path) -> AsyncIterator[Sandbox]:
    """The real runner (polling with tasks, as in production) against the sandbox, until the block ends."""
    async with Sandbox(token=TOKEN, bot_username="prod_like_bot") as sandbox:
        runner = asyncio.create_task(run_telegram(_settings(sandbox, tmp_path)))
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


async def test_a_users_updates_are_handled_in_order_in_production_mode(tmp_path):
    """Per-user event isolation keeps one person's updates in order even when updates run as tasks."""
    async with production_bot(tmp_path) as sandbox:
        anna = sandbox.user("Anna")
        words = [f"word{n}" for n in range(8)]
        for word in words:
            await anna.send(word, wait=False)
        await _until(lambda: len(anna.messages) == len(words))
        answered = [next(w for w in words if f"«{w}»" in m.text) for m in anna.messages]
        assert answered == words
