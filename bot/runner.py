"""Start-up: migrate, build the app, then poll Telegram, or, with no BOT_TOKEN, the local sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import locale
import logging
import os
import signal
import sys

from bot.app import SANDBOX_TOKEN, App, build_app, set_commands
from bot.config import ConfigError, Settings, load_settings
from bot.delivery import deliver_undelivered
from bot.demo import seed_demo
from bot.logs import setup_logging
from bot.memberships import send_membership_notices
from bot.polling import AnotherPollerRunning, DurablePoller, WebhookIsSet
from bot.warmup import warm_up
from scheduler.jobs import build_scheduler
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.poller_lock import take_poller_lock

logger = logging.getLogger("bot")
TERMINAL_USER_ID = 1001


async def _start(settings: Settings) -> App:
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    app = build_app(settings, engine)
    app.pictures.start()
    warm_up()
    return app


def _scheduler(app: App):
    s = app.services
    deliver = functools.partial(deliver_undelivered, app.bot, app.pictures, s.checkout, app.i18n, app.settings.tz)
    notices = functools.partial(send_membership_notices, app.bot, app.i18n, s.memberships, app.settings.tz)
    return build_scheduler(
        s.cart,
        s.catalog,
        app.update_log,
        app.clock,
        deliver=deliver,
        editor=s.editor,
        resume_broadcasts=app.broadcaster.resume,
        memberships=s.memberships,
        membership_notices=notices,
    )


def poller_for(app: App, **overrides) -> DurablePoller:
    s = app.settings
    options = (
        dict(
            max_in_hand=max(512, 8 * s.max_updates_in_flight),  # waiting for one's turn takes no place
            drain_timeout=s.shutdown_grace_seconds,
            conflict_window=s.poll_conflict_window_seconds,
        )
        | overrides
    )
    return DurablePoller(app.dp, app.bot, app.update_log, app.clock, **options)


async def run_telegram(settings: Settings) -> None:
    """Production: long polling that records every update before confirming it, and stops gracefully
    on SIGTERM or SIGINT (fetching stops, updates in hand finish, then the session and engine close)."""
    app = await _start(settings)
    poller = poller_for(app)
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for sig in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, poller.stop)
    scheduler = _scheduler(app)
    lock = None
    try:
        lock = await take_poller_lock(app.engine, app.bot.id)
        if lock is None:  # before any replay: the other process has those updates in hand
            raise AnotherPollerRunning("another process polls this bot with this database")
        await set_commands(app)
        await app.bot.delete_webhook(drop_pending_updates=False)
        scheduler.start()
        logger.info("polling started")
        await poller.run()
    finally:
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        if scheduler.running:
            scheduler.shutdown(wait=False)
        if lock is not None:
            await lock.release()
        await app.close()
        await app.engine.dispose()
        logger.info("stopped")


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
    lock = await take_poller_lock(app.engine, app.bot.id)
    if lock is None:
        await app.close()
        await app.engine.dispose()
        await sandbox.stop()
        raise AnotherPollerRunning("another process polls this bot with this database")
    await set_commands(app)  # before the demo makes the admin known: the sandbox has no chat with them yet
    seeder = TERMINAL_USER_ID if TERMINAL_USER_ID in admins else min(admins)
    added = await seed_demo(app.services, app.clock, seeder, settings.tz)
    scheduler = _scheduler(app)
    scheduler.start()
    poller = poller_for(app, polling_timeout=10)
    polling = asyncio.create_task(poller.run())
    print(
        f"Sandbox Bot API at {sandbox.base_url} (no BOT_TOKEN set). Demo catalogue: "
        f"{'seeded' if added else 'already there'}. You are user {TERMINAL_USER_ID}"
        f"{' (admin)' if TERMINAL_USER_ID in admins else ''}.\n"
        "Type /start. Press a button by typing its number; ':as Pavel ru' plays another person; ':quit' ends."
    )
    try:
        await run_terminal_chat(sandbox, name="You", lang=_terminal_language(), user_id=TERMINAL_USER_ID)
    finally:
        poller.stop()
        with contextlib.suppress(asyncio.CancelledError, RuntimeError, TimeoutError):
            await asyncio.wait_for(polling, timeout=settings.shutdown_grace_seconds + 5)
        scheduler.shutdown(wait=False)
        await lock.release()
        await app.close()
        await app.engine.dispose()
        await sandbox.stop()


def loop_factory():
    """uvloop where it exists (not on Windows): the bot is CPU-bound on its event loop in a rush, and a
    third of that loop went to asyncio's own socket and future handling (bench/README.md)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main() -> None:
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    setup_logging(settings.log_level if not settings.sandbox else "WARNING")
    runner = run_sandbox if settings.sandbox else run_telegram
    try:
        with contextlib.suppress(KeyboardInterrupt), asyncio.Runner(loop_factory=loop_factory()) as loop:
            loop.run(runner(settings))
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

    if isinstance(error, WebhookIsSet):
        return "A webhook was set for this BOT_TOKEN while the bot was polling (409 Conflict): remove it, then restart."
    if isinstance(error, AnotherPollerRunning) and "database" in str(error):
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        return f"Another bot process is already running on the database {where}: stop it first."
    if isinstance(error, AnotherPollerRunning):
        return (
            "Another process is already polling Telegram with this BOT_TOKEN (409 Conflict). Long polling "
            "allows one poller per token: stop the other process first."
        )
    if isinstance(error, TelegramUnauthorizedError):
        return "Telegram rejected BOT_TOKEN (Unauthorized): check the token BotFather gave you."
    if isinstance(error, TelegramNetworkError):
        return f"Cannot reach the Telegram Bot API at {settings.telegram_api_base}: {error.message}"
    if isinstance(error, DBAPIError | OSError):
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        return f"Cannot open the database {where}: {str(error).splitlines()[0][:200]}"
    return None
