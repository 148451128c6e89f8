"""`make run` with a BOT_TOKEN: the runner migrates, registers the commands and long-polls the Bot API."""

from __future__ import annotations

import asyncio
import contextlib

from bot.config import Settings
from bot.runner import run_telegram
from sandbox import Sandbox

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


async def _until(predicate, attempts: int = 200) -> None:
    """With tasks (the production mode) a reply lands after the update is confirmed: wait for it."""
    for _ in range(attempts):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bot did not answer")


async def test_runner_long_polls_with_a_token(tmp_path):
    async with Sandbox(token=TOKEN, bot_username="prod_like_bot") as sandbox:
        settings = Settings(
            _env_file=None,
            bot_token=TOKEN,
            telegram_api_base=sandbox.base_url,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}",
        )
        runner = asyncio.create_task(run_telegram(settings))
        try:
            await _until(lambda: sandbox.commands(language_code="ru"))
            assert ("tickets", "мои билеты") in sandbox.commands(language_code="ru")
            anna = sandbox.user("Anna", lang="ru")
            await anna.send("/start")
            await _until(lambda: anna.messages)
            assert "Здравствуйте" in anna.last_text()
            assert any(name == "deleteWebhook" for name, _ in sandbox.calls)
        finally:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner


async def test_a_wrong_token_is_one_clear_line(tmp_path):
    import pytest
    from aiogram.exceptions import TelegramUnauthorizedError

    from bot.runner import startup_failure

    async with Sandbox(token=TOKEN, bot_username="prod_like_bot") as sandbox:
        settings = Settings(
            _env_file=None,
            bot_token="987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            telegram_api_base=sandbox.base_url,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}",
        )
        with pytest.raises(TelegramUnauthorizedError) as caught:
            await run_telegram(settings)
    assert startup_failure(caught.value, settings) == (
        "Telegram rejected BOT_TOKEN (Unauthorized): check the token BotFather gave you."
    )


async def test_a_users_updates_are_handled_in_order_in_production_mode(tmp_path):
    """Polling with tasks (as in production): per-user event isolation keeps one person's updates in order."""
    async with Sandbox(token=TOKEN, bot_username="prod_like_bot") as sandbox:
        settings = Settings(
            _env_file=None,
            bot_token=TOKEN,
            telegram_api_base=sandbox.base_url,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}",
        )
        runner = asyncio.create_task(run_telegram(settings))
        try:
            await _until(lambda: sandbox.commands(language_code="en"))
            anna = sandbox.user("Anna")
            words = [f"word{n}" for n in range(8)]
            for word in words:
                await anna.send(word, wait=False)
            await _until(lambda: len(anna.messages) == len(words))
            answered = [next(w for w in words if f"«{w}»" in m.text) for m in anna.messages]
            assert answered == words
        finally:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
