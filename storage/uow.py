"""The unit of work: one short transaction on one connection, with every repository bound to it."""

from __future__ import annotations

import asyncio
import weakref
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.repos.carts import CartRepo
from storage.repos.catalog import EventRepo, InventoryRepo
from storage.repos.orders import OrderRepo, TicketRepo
from storage.repos.users import StaffRepo, UserRepo
from storage.repos.wallets import SearchRepo, WalletRepo
from storage.tables import processed_updates

_sqlite_writers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _writer_lock(engine: AsyncEngine) -> asyncio.Lock:
    """SQLite has one writer at a time. Queueing this process's writers here is fair and quick; leaving
    it to busy_timeout makes them poll with growing sleeps, which halves throughput in a sell-out rush.
    Other processes are still kept in line by BEGIN IMMEDIATE and busy_timeout."""
    lock = _sqlite_writers.get(engine.sync_engine)
    if lock is None:
        lock = _sqlite_writers[engine.sync_engine] = asyncio.Lock()
    return lock


class SqlUnitOfWork:
    def __init__(self, engine: AsyncEngine, write: bool = True) -> None:
        self._engine = engine
        self._write = write
        self._conn: AsyncConnection | None = None
        self._lock: asyncio.Lock | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        if self._write and self._engine.dialect.name == "sqlite":
            self._lock = _writer_lock(self._engine)
            await self._lock.acquire()
        try:
            return await self._open()
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    async def _open(self) -> SqlUnitOfWork:
        conn = await self._engine.connect()
        if conn.dialect.name == "sqlite":
            await conn.execution_options(sqlite_write=self._write)
        await conn.begin()
        self._conn = conn
        self.users = UserRepo(conn)
        self.staff = StaffRepo(conn)
        self.events = EventRepo(conn)
        self.inventory = InventoryRepo(conn)
        self.carts = CartRepo(conn)
        self.orders = OrderRepo(conn)
        self.tickets = TicketRepo(conn)
        self.wallets = WalletRepo(conn)
        self.searches = SearchRepo(conn)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()
            self._conn = None
            self._release()

    @property
    def connection(self) -> AsyncConnection:
        assert self._conn is not None, "unit of work is not open"
        return self._conn

    async def commit(self) -> None:
        await self.connection.commit()

    async def rollback(self) -> None:
        await self.connection.rollback()


class UnitOfWorkFactory:
    """Callable as uow() for a writer or uow(write=False) for a reader, as the domain expects."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def __call__(self, write: bool = True) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, write)


class UpdateLog:
    """Update ids already handled: a redelivered update (Telegram resends after a crash) is skipped."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def seen(self, update_id: int) -> bool:
        async with SqlUnitOfWork(self._engine, write=False) as uow:
            row = await uow.connection.execute(
                select(processed_updates.c.update_id).where(processed_updates.c.update_id == update_id)
            )
            return row.first() is not None

    async def mark(self, update_id: int, now: datetime) -> None:
        async with SqlUnitOfWork(self._engine) as uow:
            repo = UserRepo(uow.connection)
            await uow.connection.execute(
                repo.insert(processed_updates)
                .values(update_id=update_id, processed_at=now)
                .on_conflict_do_nothing(index_elements=[processed_updates.c.update_id])
            )
            await uow.commit()

    async def prune(self, now: datetime, keep: timedelta = timedelta(days=2)) -> int:
        async with SqlUnitOfWork(self._engine) as uow:
            result = await uow.connection.execute(
                delete(processed_updates).where(processed_updates.c.processed_at < now - keep)
            )
            await uow.commit()
            return result.rowcount
