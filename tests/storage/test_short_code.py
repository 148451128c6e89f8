"""The short code typed at the door, on SQLite and PostgreSQL: its own column with a unique index (an exact
index hit, not a scan of every secret), issuing never fails on a clash, revision 0002 backfills old tickets,
and a guessing staff account is throttled while a busy door never is."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import bindparam, event, select, text

from bot.limits import MemoryAttemptLimiter
from domain import codes
from domain.codes import short_code
from domain.errors import TooManyAttempts
from domain.models import EntryKind, Event, EventStatus, TelegramProfile, TicketType
from domain.money import Money
from domain.policies import AdminPolicy, HoldPolicy
from domain.services.cart import CartService
from domain.services.checkin import CheckinService
from domain.services.checkout import CheckoutService
from domain.views import Verdict
from storage.migrate import downgrade, upgrade
from storage.tables import TS, tickets
from storage.uow import UnitOfWorkFactory
from tests.paying import pay

PRICE = Money(150_000, "RUB")
POLICY = HoldPolicy(hold_minutes=15, max_per_order=10)


class Shop:
    def __init__(self, engine, clock) -> None:
        self.uow = UnitOfWorkFactory(engine)
        self.clock = clock
        self.carts = CartService(self.uow, clock, POLICY, "RUB")
        self.checkout = CheckoutService(self.uow, clock, POLICY, "RUB")

    async def event(self, title: str) -> TicketType:
        async with self.uow() as u:
            ev = await u.events.add(
                Event(0, title, self.clock.now() + timedelta(days=10), "Таганка", EventStatus.PUBLISHED)
            )
            tt = await u.events.add_ticket_type(TicketType(0, ev.id, "Standard", PRICE, 100))
            await u.commit()
        return tt

    async def person(self, telegram_id: int, name: str, money: int = 0):
        async with self.uow() as u:
            user = await u.users.upsert_profile(TelegramProfile(telegram_id, name), self.clock.now())
            if money:
                await u.wallets.apply(user.id, PRICE * money, EntryKind.CREDIT, f"seed:{user.id}", self.clock.now())
            await u.commit()
        return user

    async def buy(self, user, tt: TicketType, qty: int) -> list:
        view = await self.carts.add_tickets(user.id, tt.id, qty)
        result = await pay(self.checkout, user.id, view.version, view.terms)
        return [t.ticket for t in result.tickets]


async def test_short_code_look_up_is_an_index_hit(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event("Маузер")
    bought = await shop.buy(await shop.person(1001, "Anna", money=5), tt, 5)
    target = bought[2]
    code = codes.parse_short_code(short_code(target.secret))
    async with engine.connect() as conn:
        stored = dict((await conn.execute(select(tickets.c.id, tickets.c.short_code))).all())
    assert stored == {t.id: t.secret[:8] for t in bought}  # filled on issue, the secret's first 8 characters

    captured: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "short_code" in statement and statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        async with shop.uow(write=False) as u:
            found = await u.tickets.by_short_code(code)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    assert found is not None and found.id == target.id
    assert len(captured) == 1
    statement, parameters = captured[0]
    assert "LIKE" not in statement.upper()

    # The very statement the repository ran, explained by the database itself.
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            plan = (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)).all()
            details = " ".join(str(row[-1]) for row in plan)
            assert "USING INDEX ix_tickets_short_code" in details, details
        else:
            # Five rows would be seq-scanned whatever the indexes; forbid that to see what the index offers.
            await conn.exec_driver_sql("SET enable_seqscan = off")
            plan = (await conn.exec_driver_sql("EXPLAIN " + statement, parameters)).scalars().all()
            details = "\n".join(plan)
            assert "Index Scan using ix_tickets_short_code on tickets" in details, details
            assert "Seq Scan" not in details, details


async def test_issuing_draws_a_new_secret_when_a_short_code_is_taken(engine, clock, monkeypatch):
    shop = Shop(engine, clock)
    tt = await shop.event("Маузер")
    anna = await shop.person(1001, "Anna", money=5)
    (first,) = await shop.buy(anna, tt, 1)
    taken = first.secret
    other_tail = "".join("b" if c != "b" else "c" for c in taken[8:])
    fresh = iter([codes.new_ticket_secret() for _ in range(2)])
    # The next draws: the same secret, then another secret with the same short code, then fresh ones.
    draws = itertools.chain([taken, taken[:8] + other_tail], [next(fresh)], [taken[:8] + other_tail], fresh)
    calls: list[str] = []

    def drawn() -> str:
        calls.append(next(draws))
        return calls[-1]

    monkeypatch.setattr(codes, "new_ticket_secret", drawn)
    second, third = await shop.buy(anna, tt, 2)  # two tickets: a clash before each, in one transaction

    assert len(calls) == 5
    assert second.secret == calls[2] and third.secret == calls[4]
    async with engine.connect() as conn:
        rows = (await conn.execute(select(tickets.c.secret, tickets.c.short_code).order_by(tickets.c.id))).all()
    assert [r.secret for r in rows] == [taken, calls[2], calls[4]]
    assert [r.short_code for r in rows] == [taken[:8], calls[2][:8], calls[4][:8]]
    assert len({r.short_code for r in rows}) == 3


async def test_revision_0002_backfills_short_codes_and_leaves_old_duplicates_null(engine, clock):
    """Data from before the column: tickets sharing a prefix get no short code at all (the code printed
    under either QR must never find the other ticket); their QR still scans."""
    ts = bindparam("ts", type_=TS)
    secrets = ["abcdefgh" + "x" * 24, "zzzzzzzz" + "x" * 24, "abcdefgh" + "y" * 24]
    try:
        await downgrade(engine, "0001")
        async with engine.begin() as conn:
            statements = [
                "INSERT INTO users (id, telegram_id, first_name, language, created_at, updated_at) "
                "VALUES (1, 1001, 'Anna', 'en', :ts, :ts)",
                "INSERT INTO events (id, title, venue, starts_at, status, created_at) "
                "VALUES (1, 'Маузер', 'Таганка', :ts, 'published', :ts)",
                "INSERT INTO ticket_types (id, event_id, name, price_minor, currency, quantity) "
                "VALUES (1, 1, 'Standard', 100, 'RUB', 10)",
                "INSERT INTO orders (id, user_id, status, total_minor, currency, idempotency_key, created_at) "
                "VALUES (1, 1, 'paid', 300, 'RUB', 'k1', :ts)",
            ]
            for sql in statements:
                params = {"ts": clock.now()} if ":ts" in sql else {}
                stmt = text(sql).bindparams(ts) if params else text(sql)
                await conn.execute(stmt, params)
            for n, secret in enumerate(secrets, start=1):
                await conn.execute(
                    text(
                        "INSERT INTO tickets (id, order_id, event_id, ticket_type_id, owner_id, holder_name, secret, "
                        "status, created_at) VALUES (:id, 1, 1, 1, 1, 'Anna', :secret, 'valid', :ts)"
                    ).bindparams(ts),
                    {"id": n, "secret": secret, "ts": clock.now()},
                )
        await upgrade(engine)
        async with engine.connect() as conn:
            rows = (await conn.execute(select(tickets.c.id, tickets.c.short_code).order_by(tickets.c.id))).all()
        assert [r.short_code for r in rows] == [None, "zzzzzzzz", None]
        async with UnitOfWorkFactory(engine)(write=False) as u:
            assert await u.tickets.by_short_code("abcdefgh") is None
            assert (await u.tickets.by_short_code("zzzzzzzz")).id == 2
            assert (await u.tickets.by_secret(secrets[0])).id == 1  # their QRs still scan
            assert (await u.tickets.by_secret(secrets[2])).id == 3
    finally:
        await upgrade(engine)  # the PostgreSQL database is shared by the session: leave it migrated


async def test_a_busy_door_is_never_throttled_and_a_guesser_is(engine, clock):
    shop = Shop(engine, clock)
    mine, theirs = await shop.event("Маузер"), await shop.event("Другой концерт")
    anna = await shop.person(1001, "Anna", money=20)
    door = await shop.person(2001, "Door")
    async with shop.uow() as u:
        await u.staff.assign(door.id, mine.event_id, door.id, clock.now())
        await u.commit()
    ours = await shop.buy(anna, mine, 10)
    (foreign,) = await shop.buy(anna, theirs, 1)
    limiter = MemoryAttemptLimiter()
    checkin = CheckinService(shop.uow, clock, AdminPolicy(), limiter)

    for _ in range(3):  # thirty good look-ups in a row, by short code and by QR
        for ticket in ours:
            assert (await checkin.scan_short_code(door, short_code(ticket.secret))).verdict is Verdict.VALID
    for ticket in ours:
        assert (await checkin.scan(door, codes.ticket_payload(ticket.secret))).verdict is Verdict.VALID
    assert limiter.active_keys == 0  # successes leave no trace

    other = await checkin.scan_short_code(door, short_code(foreign.secret))
    assert other.verdict is Verdict.WRONG_EVENT
    assert other.ticket is None and other.tariff is None and other.checked_in_by is None
    assert other.event.title == "Другой концерт"
    for guess in ("2222-2222", "2222-3333", "2222-4444", "2222-5555", "2222-6666"):  # nine more failures
        assert (await checkin.scan_short_code(door, guess)).verdict is Verdict.UNKNOWN
    for char in "2345":
        assert (await checkin.scan(door, codes.ticket_payload(char * 32))).verdict is Verdict.UNKNOWN
    with pytest.raises(TooManyAttempts) as blocked:
        await checkin.scan_short_code(door, short_code(ours[0].secret))  # even a correct code
    assert blocked.value.params == {"seconds": 60}
    with pytest.raises(TooManyAttempts):
        await checkin.scan(door, codes.ticket_payload(ours[0].secret))
    clock.advance(seconds=30)
    with pytest.raises(TooManyAttempts) as blocked:
        await checkin.scan(door, codes.ticket_payload(ours[0].secret))
    assert blocked.value.params == {"seconds": 30}
    clock.advance(seconds=30)
    assert (await checkin.scan_short_code(door, short_code(ours[0].secret))).verdict is Verdict.VALID
