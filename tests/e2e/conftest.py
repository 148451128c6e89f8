"""The real bot (app factory, dispatcher, middlewares, handlers) polling the sandbox Bot API over HTTP."""

from __future__ import annotations

import asyncio
import io
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image

from bot.app import SANDBOX_TOKEN, App, build_app, set_commands
from bot.config import Settings
from bot.runner import poller_for
from domain.models import Event, EventStatus, TicketType
from domain.money import Money
from sandbox import Sandbox
from storage.engine import create_engine
from storage.uow import UnitOfWorkFactory

ADMIN_ID = 900_001
BOT_USERNAME = "ticket_test_bot"


@pytest.fixture
async def sqlite_engine(tmp_path, sqlite_template):
    path = tmp_path / "e2e.db"
    shutil.copy(sqlite_template, path)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    yield engine
    await engine.dispose()


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(token=SANDBOX_TOKEN, bot_username=BOT_USERNAME, wait_timeout=20) as sb:
        yield sb


async def start_bot(sandbox: Sandbox, engine, clock, **overrides) -> tuple[App, asyncio.Task]:
    # Ticket pictures are drawn on the event loop here (a worker process per test would cost a second
    # each); tests/e2e/test_ticket_pictures.py buys through the worker process as production does.
    overrides.setdefault("qr_processes", 0)
    settings = Settings(
        _env_file=None,
        bot_token=None,
        telegram_api_base=sandbox.base_url,
        admin_ids=str(ADMIN_ID),
        hold_minutes=15,
        timezone="Europe/Moscow",
        **overrides,
    )
    app = build_app(settings, engine, clock)
    await set_commands(app)
    # The production poller (durable inbox, replay, ordering), handling each batch before the next
    # getUpdates: that getUpdates means the update is fully handled, so the scripted user knows when the
    # bot is done. Production runs up to max_updates_in_flight updates at once.
    app.poller = poller_for(app, sequential=True, polling_timeout=1)
    task = asyncio.create_task(app.poller.run())
    return app, task


async def stop_bot(app: App, task: asyncio.Task) -> None:
    app.poller.stop()
    await asyncio.wait_for(task, timeout=10)
    await app.close()


@pytest.fixture
async def bot_app(sandbox, sqlite_engine, clock) -> AsyncIterator[App]:
    app, task = await start_bot(sandbox, sqlite_engine, clock)
    yield app
    await stop_bot(app, task)


@pytest.fixture
def admin(sandbox):
    return sandbox.user("Admin", lang="en", user_id=ADMIN_ID)


@dataclass
class DemoEvent:
    id: int
    standard_id: int
    vip_id: int
    title: str


async def make_event(
    engine,
    clock,
    title="Маузер",
    standard_qty=50,
    vip_qty=5,
    days=10,
    performers="Константин Райкин",
    venue="Театр «Сатирикон»",
) -> DemoEvent:
    uow = UnitOfWorkFactory(engine)
    async with uow() as u:
        event = await u.events.add(
            Event(
                0,
                title,
                clock.now() + timedelta(days=days),
                venue,
                EventStatus.PUBLISHED,
                performers,
                "Премьера по пьесе Хайнера Мюллера.",
                "theatre",
            )
        )
        std = await u.events.add_ticket_type(TicketType(0, event.id, "Standard", Money(150_000, "RUB"), standard_qty))
        vip = await u.events.add_ticket_type(TicketType(0, event.id, "VIP", Money(500_000, "RUB"), vip_qty, position=1))
        await u.commit()
    return DemoEvent(event.id, std.id, vip.id, title)


@pytest.fixture
async def demo_event(bot_app, clock) -> DemoEvent:
    return await make_event(bot_app.engine, clock)


def decode_qr(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert results, "no QR code found in the ticket picture"
    return results[0].text


async def quota(engine, ticket_type_id: int) -> tuple[int, int]:
    async with UnitOfWorkFactory(engine)(write=False) as u:
        tt = await u.events.ticket_type(ticket_type_id)
    return tt.sold, tt.held


async def balance(engine, telegram_id: int) -> int:
    async with UnitOfWorkFactory(engine)(write=False) as u:
        user = await u.users.by_telegram_id(telegram_id)
        return (await u.wallets.balance(user.id, "RUB")).minor


async def credited(sandbox, admin, name: str, lang: str = "en", amount: str = "10000"):
    """A customer who said /start and whose wallet the admin topped up."""
    person = sandbox.user(name, lang=lang)
    await person.send("/start")
    await admin.send(f"/credit {person.id} {amount}")
    return person


NAME_PROMPTS = ("Who is this ticket for?", "Для кого этот билет?")


async def pay_for_myself(person, label: str = "Pay from wallet", **press) -> None:
    """Pay, and name every ticket the bot asks about "Same as me": the payment goes on after the last."""
    await person.press(label, **press)
    for _ in range(20):
        asking = [m for m in person.messages if any(prompt in (m.text or "") for prompt in NAME_PROMPTS)]
        if not asking:
            return
        await person.press("🙋", message=asking[-1])
    raise AssertionError(f"{person.name}: still asked who the tickets are for after 20 answers")


async def open_tariff(person, tariff: str = "Standard", event: str = "Маузер") -> None:
    """A person searches for the event, opens its card and picks a tariff, as they would in Telegram."""
    await person.send(event)
    await person.press(event)
    await person.press(tariff)
