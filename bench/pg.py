"""A temporary PostgreSQL database for a benchmark: created, migrated, dropped afterwards.

The server is TEST_POSTGRES_DSN's (as for the tests), else postgres@127.0.0.1:5432."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine
from storage.migrate import upgrade

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_dsn() -> str:
    return os.environ.get("TEST_POSTGRES_DSN", DEFAULT_PG).replace("postgresql+asyncpg://", "postgresql://")


async def reachable() -> str | None:
    """None when the server answers, else why not."""
    try:
        conn = await asyncpg.connect(admin_dsn(), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return str(exc)
    await conn.close()
    return None


@contextlib.asynccontextmanager
async def temporary_database(prefix: str) -> AsyncIterator[tuple[str, AsyncEngine]]:
    """A fresh migrated database (its URL and an engine on it), dropped afterwards whatever happened."""
    admin = admin_dsn()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin, timeout=5)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = make_url(admin).set(database=name, drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        await upgrade(engine)
        yield url, engine
    finally:
        await engine.dispose()
        conn = await asyncpg.connect(admin, timeout=5)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def describe(url: str) -> str:
    parsed = make_url(url)
    return f"PostgreSQL ({parsed.host}:{parsed.port or 5432}, temporary database)"
