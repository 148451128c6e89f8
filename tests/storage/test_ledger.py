"""The wallet ledger on real storage: the balance is never negative and always equals the sum of its entries,
and an idempotency key is spent once, whatever sequence of credits, debits and replays arrives."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from domain.errors import DuplicateOperation
from domain.models import EntryKind, TelegramProfile
from domain.money import Money
from storage.engine import create_engine
from storage.uow import UnitOfWorkFactory
from tests.conftest import run_in_thread

CURRENCY = "RUB"
START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

amounts = st.integers(min_value=1, max_value=100_000)
operations = st.lists(
    st.tuples(st.sampled_from(["credit", "debit", "debit", "replay"]), amounts, st.integers(min_value=0)),
    max_size=30,
)
LEDGER_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


async def _state(factory: UnitOfWorkFactory, user_id: int) -> tuple[int, int]:
    async with factory(write=False) as uow:
        balance = await uow.wallets.balance(user_id, CURRENCY)
        return balance.minor, await uow.wallets.entries_sum(user_id)


async def exercise_ledger(engine, ops: list[tuple[str, int, int]]) -> None:
    factory = UnitOfWorkFactory(engine)
    now = START
    async with factory() as uow:
        user = await uow.users.upsert_profile(TelegramProfile(42, "Ledger", language_code="ru"), now)
        await uow.commit()

    expected = 0
    used: list[tuple[str, Money, EntryKind]] = []
    for step, (op, minor, pick) in enumerate(ops):
        now += timedelta(seconds=1)
        if op == "replay" and used:
            key, amount, kind = used[pick % len(used)]
            async with factory() as uow:
                with pytest.raises(DuplicateOperation):
                    await uow.wallets.apply(user.id, amount, kind, key, now)
            assert await _state(factory, user.id) == (expected, expected), f"replay of {key} changed the wallet"
            continue
        kind = EntryKind.PURCHASE if op == "debit" else EntryKind.CREDIT
        amount = Money(-minor if op == "debit" else minor, CURRENCY)
        key = f"op:{step}"
        async with factory() as uow:
            entry = await uow.wallets.apply(user.id, amount, kind, key, now)
            await uow.commit()
        if op == "debit" and minor > expected:
            assert entry is None, f"debit of {minor} overdrew a balance of {expected}"
        else:
            assert entry is not None
            assert entry.amount == amount
            expected += amount.minor
            assert entry.balance_after == Money(expected, CURRENCY)
            used.append((key, amount, kind))
        balance, entries = await _state(factory, user.id)
        assert balance >= 0
        assert balance == entries == expected

    # The same key applied twice in a row: the second one raises and the balance does not move.
    async with factory() as uow:
        assert await uow.wallets.apply(user.id, Money(777, CURRENCY), EntryKind.CREDIT, "twice", now) is not None
        await uow.commit()
    expected += 777
    async with factory() as uow:
        with pytest.raises(DuplicateOperation):
            await uow.wallets.apply(user.id, Money(777, CURRENCY), EntryKind.CREDIT, "twice", now)
    assert await _state(factory, user.id) == (expected, expected)
    async with factory(write=False) as uow:
        assert (await uow.wallets.entry_by_key("twice")).amount == Money(777, CURRENCY)


@given(ops=operations)
@LEDGER_SETTINGS
def test_ledger_invariant_sqlite(sqlite_template, ops):
    async def body() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "ledger.db"
            shutil.copy(sqlite_template, path)
            engine = create_engine(f"sqlite+aiosqlite:///{path}")
            try:
                await exercise_ledger(engine, ops)
            finally:
                await engine.dispose()

    run_in_thread(body())


@given(ops=operations)
@LEDGER_SETTINGS
def test_ledger_invariant_postgres(pg_url, ops):
    async def body() -> None:
        engine = create_engine(pg_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(text("TRUNCATE wallet_entries, wallets, users RESTART IDENTITY CASCADE"))
            await exercise_ledger(engine, ops)
        finally:
            await engine.dispose()

    run_in_thread(body())


async def replayed_debit(engine) -> None:
    factory = UnitOfWorkFactory(engine)
    async with factory() as uow:
        user = await uow.users.upsert_profile(TelegramProfile(43, "Replay"), START)
        await uow.wallets.apply(user.id, Money(1_000, CURRENCY), EntryKind.CREDIT, "seed", START)
        assert await uow.wallets.apply(user.id, Money(-1_000, CURRENCY), EntryKind.PURCHASE, "order:1", START)
        await uow.commit()
    async with factory() as uow:
        # The same debit redelivered after it emptied the wallet: it was already applied, so it is a duplicate,
        # not a new debit refused for lack of money.
        with pytest.raises(DuplicateOperation):
            await uow.wallets.apply(user.id, Money(-1_000, CURRENCY), EntryKind.PURCHASE, "order:1", START)
    assert await _state(factory, user.id) == (0, 0)


async def test_replayed_debit_that_no_longer_fits_is_a_duplicate(engine):
    await replayed_debit(engine)
