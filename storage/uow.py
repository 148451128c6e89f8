"""The unit of work: one short transaction on one connection, with every repository bound to it."""

from __future__ import annotations

import asyncio
import weakref
from collections import deque

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.errors import ConcurrencyConflict
from storage.repos.attendees import AttendeeRepo
from storage.repos.broadcasts import BroadcastRepo
from storage.repos.carts import CartRepo
from storage.repos.catalog import EventRepo, InventoryRepo
from storage.repos.memberships import MembershipRepo
from storage.repos.orders import OrderRepo
from storage.repos.organizers import OrganizerRepo
from storage.repos.payments import PaymentRepo
from storage.repos.promotions import PromotionRepo
from storage.repos.reports import ReportRepo
from storage.repos.searches import SearchRepo
from storage.repos.tickets import TicketRepo
from storage.repos.users import StaffRepo, UserRepo
from storage.repos.wallets import WalletRepo


class WriterQueue:
    """SQLite has one writer at a time. Queueing this process's writers here is fair and quick; leaving
    it to busy_timeout makes them poll with growing sleeps, which halves throughput in a sell-out rush.
    Other processes are still kept in line by BEGIN IMMEDIATE and busy_timeout.

    Urgent writers go before the queue: one-row bookkeeping that others wait on (recording a fetched
    batch before the next getUpdates, noting that tickets went out) must not wait behind a rush of
    checkouts, or a crash in that wait sends a ticket twice."""

    def __init__(self) -> None:
        self._busy = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()

    async def acquire(self, urgent: bool = False) -> None:
        if not self._busy and not self._urgent and not self._normal:
            self._busy = True
            return
        future = asyncio.get_running_loop().create_future()
        (self._urgent if urgent else self._normal).append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # the turn was handed over just as we were cancelled: pass it on
            raise

    def release(self) -> None:
        for waiting in (self._urgent, self._normal):
            while waiting:
                future = waiting.popleft()
                if not future.done():
                    future.set_result(None)  # handed over: still busy
                    return
        self._busy = False


_sqlite_writers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _writer_queue(engine: AsyncEngine) -> WriterQueue:
    queue = _sqlite_writers.get(engine.sync_engine)
    if queue is None:
        queue = _sqlite_writers[engine.sync_engine] = WriterQueue()
    return queue


TRANSIENT_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


def is_transient(error: DBAPIError, committing: bool = False) -> bool:
    """Rolled back because of another transaction or a lost connection, not because of this one's data:
    safe to run again. A connection lost while committing is not: the commit may have landed."""
    if getattr(error.orig, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    if error.connection_invalidated and not committing:
        # The server closed it (restarted, or the connection sat idle past a proxy's limit). Connections
        # are not pinged at checkout (three round trips each with asyncpg); the pool drops every
        # connection as old as this one, and PostgreSQL rolled this transaction back.
        return True
    return "database is locked" in str(error.orig)  # SQLite's busy_timeout ran out


class SqlUnitOfWork:
    def __init__(self, engine: AsyncEngine, write: bool = True, urgent: bool = False) -> None:
        self._engine = engine
        self._write = write
        self._urgent = urgent
        self._conn: AsyncConnection | None = None
        self._lock: WriterQueue | None = None
        self._committing = False

    async def __aenter__(self) -> SqlUnitOfWork:
        if self._write and self._engine.dialect.name == "sqlite":
            queue = _writer_queue(self._engine)
            await queue.acquire(self._urgent)
            self._lock = queue
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
        elif not self._write:
            # At READ COMMITTED each statement reads its own snapshot anyway, so a reader's BEGIN and
            # ROLLBACK were two round trips that changed nothing: readers run in autocommit.
            await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.begin()
        self._conn = conn
        self.users = UserRepo(conn)
        self.organizers = OrganizerRepo(conn)
        self.staff = StaffRepo(conn)
        self.events = EventRepo(conn)
        self.inventory = InventoryRepo(conn)
        self.carts = CartRepo(conn)
        self.orders = OrderRepo(conn)
        self.tickets = TicketRepo(conn)
        self.wallets = WalletRepo(conn)
        self.searches = SearchRepo(conn)
        self.reports = ReportRepo(conn)
        self.broadcasts = BroadcastRepo(conn)
        self.attendees = AttendeeRepo(conn)
        self.promotions = PromotionRepo(conn)
        self.payments = PaymentRepo(conn)
        self.memberships = MembershipRepo(conn)
        return self

    async def __aexit__(self, exc_type: type | None, exc: BaseException | None, tb: object) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()
            self._conn = None
            self._release()
        if isinstance(exc, DBAPIError) and is_transient(exc, self._committing):
            raise ConcurrencyConflict(str(exc.orig)[:200]) from exc

    @property
    def connection(self) -> AsyncConnection:
        assert self._conn is not None, "unit of work is not open"
        return self._conn

    async def commit(self) -> None:
        self._committing = True  # stays set if the commit fails: its outcome is unknown
        await self.connection.commit()
        self._committing = False

    async def rollback(self) -> None:
        await self.connection.rollback()


class UnitOfWorkFactory:
    """Callable as uow() for a writer, uow(write=False) for a reader, uow(urgent=True) for a one-row
    write others wait on, as the domain expects. Urgent writes use the bookkeeping engine when there is
    one (PostgreSQL: a small pool of its own, so they never wait behind a rush holding the main pool)."""

    def __init__(self, engine: AsyncEngine, bookkeeping: AsyncEngine | None = None) -> None:
        self.engine = engine
        self.bookkeeping = bookkeeping or engine

    def __call__(self, write: bool = True, urgent: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.bookkeeping if urgent else self.engine, write, urgent)
