"""Sell-out throughput: N buyers racing for a quota, against the same purchases made one at a time.

    python -m bench.checkout_race [--quota 100] [--buyers 200] [--timeout 15] [--no-postgres]

Runs on a temporary SQLite file and, when reachable, on a temporary PostgreSQL database
(TEST_POSTGRES_DSN or postgresql://postgres@127.0.0.1:5432/postgres). Prints purchases/s, the
concurrent/sequential ratio, sold vs quota and oversold tickets. Timing is reported, never asserted;
the exit status is 1 only if a run sold a different number of tickets than the quota.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import pg
from domain.clock import ManualClock
from domain.errors import SoldOut
from domain.models import EntryKind, Event, EventStatus, TelegramProfile, TicketType
from domain.money import Money
from domain.policies import HoldPolicy
from domain.services.attendees import AttendeeService
from domain.services.cart import CartService
from domain.services.checkout import CheckoutService
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.tables import ticket_types, tickets
from storage.uow import UnitOfWorkFactory

CURRENCY = "RUB"
PRICE = Money(150_000, CURRENCY)
POLICY = HoldPolicy(hold_minutes=15, max_per_order=10)


@dataclass
class Phase:
    label: str
    quota: int
    attempts: int
    bought: int
    sold_out: int
    seconds: float
    sold: int  # ticket_types.sold after the run
    issued: int  # ticket rows issued for the event
    held: int

    @property
    def rate(self) -> float:
        return self.bought / self.seconds if self.seconds > 0 else float("inf")

    @property
    def oversold(self) -> int:
        return max(self.sold - self.quota, self.issued - self.quota, 0)

    @property
    def consistent(self) -> bool:
        return self.sold == self.issued == self.bought == self.quota and self.held == 0


class Shop:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.clock = ManualClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
        self.uow = UnitOfWorkFactory(engine)
        self.carts = CartService(self.uow, self.clock, POLICY, CURRENCY)
        self.checkout = CheckoutService(self.uow, self.clock, POLICY, CURRENCY)
        self.attendees = AttendeeService(self.uow, self.clock, POLICY, CURRENCY)
        self._next_telegram_id = 1_000_000

    async def event(self, title: str, quota: int) -> TicketType:
        async with self.uow() as uow:
            event = await uow.events.add(
                Event(0, title, self.clock.now() + timedelta(days=10), "Bench hall", EventStatus.PUBLISHED)
            )
            tt = await uow.events.add_ticket_type(TicketType(0, event.id, "Standard", PRICE, quota))
            await uow.commit()
        return tt

    async def buyers(self, count: int) -> list[int]:
        ids = []
        async with self.uow() as uow:
            for _ in range(count):
                self._next_telegram_id += 1
                user = await uow.users.upsert_profile(
                    TelegramProfile(self._next_telegram_id, f"Buyer {self._next_telegram_id}"), self.clock.now()
                )
                await uow.wallets.apply(user.id, PRICE * 2, EntryKind.CREDIT, f"seed:{user.id}", self.clock.now())
                ids.append(user.id)
            await uow.commit()
        return ids

    async def buy(self, user_id: int, ticket_type_id: int) -> bool:
        try:
            view = await self.carts.add_tickets(user_id, ticket_type_id, 1)
        except SoldOut:
            return False
        view = await self.attendees.same_as_me(user_id, view.ready[0].item_id, 0)
        result = await self.checkout.pay_from_wallet(user_id, view.version, view.terms)
        return len(result.tickets) == 1

    async def tally(self, tt: TicketType) -> tuple[int, int, int]:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(ticket_types).where(ticket_types.c.id == tt.id))).one()
            issued = (
                await conn.execute(select(func.count()).select_from(tickets).where(tickets.c.ticket_type_id == tt.id))
            ).scalar_one()
        return row.sold, issued, row.held


async def sequential(shop: Shop, quota: int, budget_s: float) -> Phase:
    tt = await shop.event("Sequential", quota)
    buyers = await shop.buyers(quota)

    async def run() -> list[bool]:
        return [await shop.buy(b, tt.id) for b in buyers]

    started = time.perf_counter()
    outcomes = await asyncio.wait_for(run(), budget_s)
    seconds = time.perf_counter() - started
    return Phase(
        "sequential", quota, len(buyers), outcomes.count(True), outcomes.count(False), seconds, *await shop.tally(tt)
    )


async def concurrent(shop: Shop, quota: int, buyers_count: int, budget_s: float) -> Phase:
    tt = await shop.event("Concurrent", quota)
    buyers = await shop.buyers(buyers_count)
    started = time.perf_counter()
    outcomes = await asyncio.wait_for(asyncio.gather(*(shop.buy(b, tt.id) for b in buyers)), budget_s)
    seconds = time.perf_counter() - started
    return Phase(
        "concurrent", quota, len(buyers), outcomes.count(True), outcomes.count(False), seconds, *await shop.tally(tt)
    )


def report(database: str, seq: Phase, conc: Phase) -> bool:
    print(f"\n== {database} ==")
    for phase in (seq, conc):
        print(
            f"  {phase.label:<10}  {phase.bought:>5} purchases of {phase.attempts:>5} attempts"
            f" in {phase.seconds:7.3f} s"
            f"  = {phase.rate:8.1f} purchases/s  | sold {phase.sold}/{phase.quota} (tickets issued {phase.issued},"
            f" held {phase.held}), oversold {phase.oversold}, refused as sold out {phase.sold_out}"
        )
    ratio = conc.rate / seq.rate if seq.rate else float("nan")
    print(f"  ratio concurrent/sequential: {ratio:.2f}x")
    ok = seq.consistent and conc.consistent
    print(f"  sold == quota and oversold == 0: {'yes' if ok else 'NO'}")
    return ok


async def measure(database: str, engine: AsyncEngine, quota: int, buyers: int, budget_s: float) -> bool:
    shop = Shop(engine)
    try:
        seq = await sequential(shop, quota, budget_s)
        conc = await concurrent(shop, quota, buyers, budget_s)
    except TimeoutError:
        print(f"\n== {database} ==\n  gave up after {budget_s:.0f} s per phase (lower --quota/--buyers)")
        return True
    return report(database, seq, conc)


async def bench_sqlite(quota: int, buyers: int, budget_s: float) -> bool:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        try:
            await upgrade(engine)
            return await measure("SQLite (WAL, temporary file)", engine, quota, buyers, budget_s)
        finally:
            await engine.dispose()


async def bench_postgres(quota: int, buyers: int, budget_s: float) -> bool:
    unreachable = await pg.reachable()
    if unreachable is not None:
        print(f"\n== PostgreSQL ==\n  skipped: unreachable ({unreachable})")
        return True
    async with pg.temporary_database("ticketbot_bench") as (url, engine):
        return await measure(pg.describe(url), engine, quota, buyers, budget_s)


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quota", type=int, default=100, help="tickets on sale (= purchases per phase)")
    parser.add_argument("--buyers", type=int, default=200, help="buyers racing in the concurrent phase")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds allowed per phase")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    if args.buyers < args.quota:
        parser.error("--buyers must be at least --quota so the quota sells out")
    print(
        f"checkout race: quota {args.quota}, {args.buyers} concurrent buyers, 1 ticket each, "
        f"baseline = {args.quota} purchases one buyer at a time"
    )
    ok = await bench_sqlite(args.quota, args.buyers, args.timeout)
    if not args.no_postgres:
        ok = await bench_postgres(args.quota, args.buyers, args.timeout) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
