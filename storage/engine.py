"""Engine setup: SQLite (WAL, busy timeout, BEGIN IMMEDIATE for writers) or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> str:
    """Accept plain sqlite:/// and postgresql:// URLs and pick the async drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str, echo: bool = False) -> AsyncEngine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, pool_size=8, max_overflow=16, pool_timeout=60)
        _tune_sqlite(engine)
        return engine
    # No pool_pre_ping: asyncpg's ping is a transaction of its own (three round trips per checkout, a
    # tenth of the event loop in a rush). A connection the server dropped fails its first statement;
    # the unit of work reports that as a ConcurrencyConflict, which is retried on a fresh connection.
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=20)


def bookkeeping_engine(engine: AsyncEngine) -> AsyncEngine:
    """Short writes that the update pipeline waits on (recording fetched updates, noting that tickets
    went out) get a pool of their own on PostgreSQL: in a rush every connection of the main pool can be
    queued behind one quota row. SQLite has one writer per file anyway; there the writer queue lets
    them go first (storage/uow.py), so they share the engine."""
    if engine.dialect.name == "sqlite":
        return engine
    return create_async_engine(engine.url, pool_size=4, max_overflow=8)


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control from the driver so we can emit BEGIN IMMEDIATE ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn) -> None:
        # A deferred BEGIN that reads then writes fails with SQLITE_BUSY under contention;
        # writers take the write lock up front and queue on busy_timeout instead.
        writing = conn.get_execution_options().get("sqlite_write", True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
