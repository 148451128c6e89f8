"""Connections are not pinged at checkout (asyncpg's ping is three round trips): a connection the server
dropped (a PostgreSQL restart, a proxy's idle limit) must cost a retry, never a customer's action."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.middlewares import ConflictRetryMiddleware
from domain.errors import ConcurrencyConflict
from domain.models import TelegramProfile
from domain.policies import AdminPolicy
from domain.services.users import UserService
from storage.engine import create_engine
from storage.uow import UnitOfWorkFactory


async def _drop_every_connection_to(url: str) -> int:
    conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        return await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()


async def _warm(uow: UnitOfWorkFactory, n: int = 3) -> None:
    """Leave n connections idle in the pool."""
    opened = [uow(write=False) for _ in range(n)]
    for unit in opened:
        await unit.__aenter__()
        await unit.users.get(1)
    for unit in opened:
        await unit.__aexit__(None, None, None)


async def test_a_dropped_connection_is_a_retryable_conflict_and_the_next_attempt_works(pg_url, clock):
    engine = create_engine(pg_url)
    uow = UnitOfWorkFactory(engine)
    try:
        await _warm(uow)
        assert await _drop_every_connection_to(pg_url) >= 3
        with pytest.raises(ConcurrencyConflict):
            async with uow() as unit:
                await unit.users.get(1)
        async with uow() as unit:  # every connection as old as the dropped one is gone from the pool
            assert await unit.users.get(-1) is None
        # Handlers are retried on a conflict: a customer never sees the dropped connection.
        await _warm(uow)
        await _drop_every_connection_to(pg_url)
        users = UserService(uow, clock, AdminPolicy(frozenset()))

        async def handler(event, data):
            user, _ = await users.identify_first(TelegramProfile(5150, "Anna", None, None, "en"))
            return user

        user = await ConflictRetryMiddleware(base_delay=0)(handler, None, {})
        assert user.telegram_id == 5150
    finally:
        await engine.dispose()


async def test_the_profile_upsert_of_every_update_survives_a_dropped_connection(pg_url, clock):
    """Identification runs before the handler's retry: it retries its own idempotent upsert."""
    engine = create_engine(pg_url)
    uow = UnitOfWorkFactory(engine)
    try:
        await _warm(uow)
        await _drop_every_connection_to(pg_url)
        users = UserService(uow, clock, AdminPolicy(frozenset()))
        user, first = await users.identify_first(TelegramProfile(5151, "Boris", None, None, "ru"))
        assert (user.telegram_id, first) == (5151, True)
    finally:
        await engine.dispose()
