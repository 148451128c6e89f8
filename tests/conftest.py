"""Shared fixtures: migrated databases (SQLite file, real PostgreSQL) and a movable clock."""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import ManualClock
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.tables import metadata

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# `make mutate` runs pytest once per mutant: migrating a fresh PostgreSQL database and a SQLite template
# every time would cost more than most mutants' tests. With TEST_DB_REUSE=1 each pytest process claims
# one of a few migrated databases (an flock per slot) and the migrated SQLite template is kept on disk;
# both are named by a hash of the migrations, so a new revision gets new ones.
REUSE = os.environ.get("TEST_DB_REUSE") == "1"
REUSE_DIR = Path(tempfile.gettempdir()) / "ticketbot-test-dbs"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def run_in_thread(coro):
    """Run a coroutine to completion on its own loop, even when called from inside a running loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _pg_admin_dsn() -> str:
    return os.environ.get("TEST_POSTGRES_DSN", DEFAULT_PG)


async def _create_pg_database() -> str:
    admin = _pg_admin_dsn()
    name = f"ticketbot_test_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin.replace("postgresql+asyncpg://", "postgresql://"), timeout=5)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')  # a test DB: no fsync wait
    finally:
        await conn.close()
    url = make_url(admin).set(database=name, drivername="postgresql+asyncpg")
    engine = create_engine(url.render_as_string(hide_password=False))
    await upgrade(engine)
    await engine.dispose()
    return url.render_as_string(hide_password=False)


async def _drop_pg_database(url: str) -> None:
    name = make_url(url).database
    conn = await asyncpg.connect(_pg_admin_dsn().replace("postgresql+asyncpg://", "postgresql://"), timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _migrations_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _claim_reusable_pg_database() -> tuple[str, object]:
    """A migrated database no other pytest process is using, and the lock that keeps it ours."""
    REUSE_DIR.mkdir(exist_ok=True)
    prefix = f"ticketbot_reuse_{_migrations_hash()}"
    for slot in range(64):
        lock = open(REUSE_DIR / f"{prefix}_{slot}.lock", "w")  # held for the session
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        url = make_url(_pg_admin_dsn()).set(database=f"{prefix}_{slot}", drivername="postgresql+asyncpg")
        rendered = url.render_as_string(hide_password=False)
        run_in_thread(_ensure_pg_database(rendered))
        return rendered, lock
    raise RuntimeError("no free reusable test database slot")


async def _ensure_pg_database(url: str) -> None:
    name = make_url(url).database
    conn = await asyncpg.connect(_pg_admin_dsn().replace("postgresql+asyncpg://", "postgresql://"), timeout=5)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
            await conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        await conn.close()
    if not exists:
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for the session. In CI an unreachable server fails the run."""
    lock = None
    try:
        if REUSE:
            url, lock = _claim_reusable_pg_database()
        else:
            url = run_in_thread(_create_pg_database())
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and is unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    yield url
    if lock is not None:
        lock.close()
    else:
        run_in_thread(_drop_pg_database(url))


def _migrated_sqlite(path: Path) -> str:
    async def _migrate() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()

    run_in_thread(_migrate())
    return str(path)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """Migrate once, copy the file per test: Alembic runs for real, tests stay fast."""
    fresh = _migrated_sqlite(tmp_path_factory.mktemp("db") / "template.db") if not REUSE else None
    if fresh is not None:
        return fresh
    REUSE_DIR.mkdir(exist_ok=True)
    kept = REUSE_DIR / f"template_{_migrations_hash()}.db"
    if not kept.exists():
        # atomic: a concurrent pytest process sees none or all of it
        os.replace(_migrated_sqlite(tmp_path_factory.mktemp("db") / "template.db"), kept)
    return str(kept)


_EMPTYING: dict[str, str] = {}


async def _truncate(engine: AsyncEngine) -> None:
    """Empty every table and restart every id sequence, as TRUNCATE ... RESTART IDENTITY would. DELETE and
    setval are used instead: on a test's handful of rows they take about 3 ms where TRUNCATE takes about
    20 (it makes new files for every table and index), and `make mutate` empties the database before each
    of thousands of PostgreSQL tests. One script, one round trip; the sequence names are read once."""
    url = engine.url.render_as_string(hide_password=False)
    async with engine.begin() as conn:
        if url not in _EMPTYING:
            sequences = (
                await conn.execute(
                    text(
                        "SELECT pg_get_serial_sequence(quote_ident(table_name), column_name) FROM "
                        "information_schema.columns WHERE table_schema = current_schema() AND column_name = 'id'"
                    )
                )
            ).scalars()
            deletes = [f"DELETE FROM {t.name};" for t in reversed(metadata.sorted_tables)]
            restarts = [f"SELECT setval('{s}', 1, false);" for s in sequences if s]
            _EMPTYING[url] = "\n".join(deletes + restarts)
        raw = await conn.get_raw_connection()
        await raw.driver_connection.execute(_EMPTYING[url])  # asyncpg: several statements, simple protocol


@pytest.fixture(params=["sqlite", "postgres"])
async def engine(request, tmp_path) -> AsyncIterator[AsyncEngine]:
    """A migrated, empty database; every test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        import shutil

        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        eng = create_engine(f"sqlite+aiosqlite:///{path}")
    else:
        eng = create_engine(request.getfixturevalue("pg_url"))
        await _truncate(eng)
    yield eng
    await eng.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))


@pytest.fixture
async def redis_client():
    """A client of the real Redis. In CI an unreachable server fails the run."""
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, aioredis.ConnectionError) as exc:
        await client.aclose()
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI and is unreachable: {exc}")
        pytest.skip(f"Redis unreachable: {exc}")
    yield client
    await client.aclose()


def pytest_collection_modifyitems(config, items):
    """Under `make mutate`, run a mutant's tests fastest first: pytest stops at the first failure (-x),
    so a killed mutant then costs its cheapest failing test instead of whatever the set order put first."""
    if "MUTANT_UNDER_TEST" not in os.environ:
        return
    stats = Path("mutmut-stats.json")
    if not stats.exists():
        return
    durations = json.loads(stats.read_text()).get("duration_by_test", {})
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))
