"""Start-up: migrate, build the app, then poll Telegram, or, with no BOT_TOKEN, the local sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import locale
import logging
import os
import sys

from bot.app import SANDBOX_TOKEN, App, build_app, set_commands
from bot.config import ConfigError, Settings, load_settings
from bot.demo import seed_demo
from bot.logs import setup_logging
from scheduler.jobs import build_scheduler
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory

logger = logging.getLogger("bot")
TERMINAL_USER_ID = 1001


async def _start(settings: Settings) -> App:
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    return build_app(settings, engine)


async def run_telegram(settings: Settings) -> None:
    app = await _start(settings)
    scheduler = build_scheduler(app.services.cart, app.update_log, app.clock)
    scheduler.start()
    try:
        await set_commands(app.bot, app.i18n)
        await app.bot.delete_webhook(drop_pending_updates=False)
        await app.dp.start_polling(app.bot)
    finally:
        scheduler.shutdown(wait=False)
        await app.close()
        await app.engine.dispose()


def _terminal_language() -> str:
    tag = os.environ.get("LANG") or (locale.getlocale()[0] or "")
    return "ru" if tag.lower().startswith("ru") else "en"


async def run_sandbox(settings: Settings) -> None:
    from sandbox import Sandbox
    from sandbox.chat import run_terminal_chat

    sandbox = Sandbox(token=SANDBOX_TOKEN, bot_username="sandbox_ticket_bot", bot_name="Ticket Bot")
    try:
        await sandbox.start(port=settings.sandbox_port)
    except OSError:
        await sandbox.start(port=0)  # the configured port is taken: any free one will do
    admins = settings.admin_ids or frozenset({TERMINAL_USER_ID})
    settings = settings.model_copy(update={"telegram_api_base": sandbox.base_url, "admin_ids": admins})
    app = await _start(settings)
    added = await seed_demo(UnitOfWorkFactory(app.engine), app.clock, settings.currency)
    scheduler = build_scheduler(app.services.cart, app.update_log, app.clock)
    scheduler.start()
    await set_commands(app.bot, app.i18n)
    polling = asyncio.create_task(app.dp.start_polling(app.bot, handle_signals=False, polling_timeout=10))
    print(
        f"Sandbox Bot API at {sandbox.base_url} (no BOT_TOKEN set). Demo catalogue: "
        f"{'seeded' if added else 'already there'}. You are user {TERMINAL_USER_ID}"
        f"{' (admin)' if TERMINAL_USER_ID in admins else ''}.\n"
        "Type /start. Press a button by typing its number; ':as Pavel ru' plays another person; ':quit' ends."
    )
    try:
        await run_terminal_chat(sandbox, name="You", lang=_terminal_language(), user_id=TERMINAL_USER_ID)
    finally:
        await app.dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError, RuntimeError):
            await asyncio.wait_for(polling, timeout=15)
        scheduler.shutdown(wait=False)
        await app.close()
        await app.engine.dispose()
        await sandbox.stop()


def main() -> None:
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    setup_logging(settings.log_level if not settings.sandbox else "WARNING")
    runner = run_sandbox if settings.sandbox else run_telegram
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(runner(settings))
    except Exception as error:  # start-up failures get one line, not a traceback
        message = startup_failure(error, settings)
        if message is None:
            raise
        print(message, file=sys.stderr)
        raise SystemExit(1) from None


def startup_failure(error: Exception, settings: Settings) -> str | None:
    """A clear line for what a newcomer can fix: a wrong token, an unreachable database or API."""
    from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    if isinstance(error, TelegramUnauthorizedError):
        return "Telegram rejected BOT_TOKEN (Unauthorized): check the token BotFather gave you."
    if isinstance(error, TelegramNetworkError):
        return f"Cannot reach the Telegram Bot API at {settings.telegram_api_base}: {error.message}"
    if isinstance(error, DBAPIError | OSError):
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        return f"Cannot open the database {where}: {str(error).splitlines()[0][:200]}"
    return None
