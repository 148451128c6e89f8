"""The update inbox: what Telegram sent, written down before Telegram is told it arrived.

Long polling confirms updates with the next getUpdates offset. The poller records a batch here first, so
after a crash or a deploy every update that was fetched but not finished is still here, unhandled, and is
replayed on the next start. Handled ids also make a redelivered update a no-op.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.repos._base import Repo
from storage.tables import update_inbox
from storage.uow import SqlUnitOfWork

t = update_inbox
MAX_ATTEMPTS = 3
logger = logging.getLogger(__name__)


class UpdateInbox:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._to_mark: dict[int, datetime] = {}
        self._flusher: asyncio.Task[None] | None = None

    async def record(self, updates: Sequence[tuple[int, str]], now: datetime) -> set[int]:
        """Write (update_id, json) pairs in one transaction; return the ids that were new. An id already
        here is either handled (a redelivery) or waiting for its replay: neither is dispatched again."""
        if not updates:
            return set()
        async with SqlUnitOfWork(self._engine, urgent=True) as uow:
            stmt = (
                Repo(uow.connection)
                .insert(t)
                .values([{"update_id": uid, "payload": payload, "received_at": now} for uid, payload in updates])
                .on_conflict_do_nothing(index_elements=[t.c.update_id])
                .returning(t.c.update_id)
            )
            fresh = {row.update_id for row in await uow.connection.execute(stmt)}
            await uow.commit()
        return fresh

    async def unfinished(self, now: datetime, limit: int = 10_000) -> tuple[list[tuple[int, str]], list[int]]:
        """Recorded but never marked handled, oldest first; and the ids given up: an update that was
        started MAX_ATTEMPTS times without finishing (it takes the process down, say) is marked handled,
        for the caller to log, rather than replayed forever."""
        async with SqlUnitOfWork(self._engine, urgent=True) as uow:
            pending = and_(t.c.handled_at.is_(None), t.c.payload.is_not(None))
            rows = (
                await uow.connection.execute(
                    select(t.c.update_id, t.c.payload, t.c.attempts).where(pending).order_by(t.c.update_id).limit(limit)
                )
            ).all()
            replay = [(r.update_id, r.payload) for r in rows if r.attempts < MAX_ATTEMPTS]
            given_up = [r.update_id for r in rows if r.attempts >= MAX_ATTEMPTS]
            if given_up:
                await uow.connection.execute(update(t).where(t.c.update_id.in_(given_up)).values(handled_at=now))
            await uow.commit()
        return replay, given_up

    async def attempt(self, update_id: int) -> None:
        """A replayed update is about to start: count it, so one that keeps killing the process stops."""
        async with SqlUnitOfWork(self._engine, urgent=True) as uow:
            await uow.connection.execute(update(t).where(t.c.update_id == update_id).values(attempts=t.c.attempts + 1))
            await uow.commit()

    async def seen(self, update_id: int) -> bool:
        async with SqlUnitOfWork(self._engine, write=False) as uow:
            row = await uow.connection.execute(
                select(t.c.update_id).where(t.c.update_id == update_id, t.c.handled_at.is_not(None))
            )
            return row.first() is not None

    async def mark(self, update_id: int, now: datetime) -> None:
        async with SqlUnitOfWork(self._engine) as uow:
            await uow.connection.execute(
                Repo(uow.connection)
                .insert(t)
                .values(update_id=update_id, received_at=now, handled_at=now)
                .on_conflict_do_update(index_elements=[t.c.update_id], set_={"handled_at": now})
            )
            await uow.commit()

    def mark_soon(self, update_id: int, now: datetime) -> None:
        """Note the update handled without waiting: the updates finished meanwhile are written together
        in one transaction (in a rush, one write for many instead of one each). A crash before that
        write replays them, which handlers are built to survive."""
        self._to_mark[update_id] = now
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_marks())

    async def flush(self) -> None:
        """Wait until every handled update noted so far is written (a graceful stop calls this last)."""
        while self._flusher is not None and not self._flusher.done():
            await asyncio.shield(self._flusher)

    async def _flush_marks(self) -> None:
        await asyncio.sleep(0)  # handlers finishing in this turn of the loop join the batch
        failures = 0
        while self._to_mark:
            batch, self._to_mark = self._to_mark, {}
            try:
                await self._mark_many(batch)
                failures = 0
            except Exception:
                failures += 1
                logger.exception("could not note %s updates as handled; trying again", len(batch))
                self._to_mark = batch | self._to_mark
                await asyncio.sleep(min(0.5 * 2**failures, 10.0))

    async def _mark_many(self, batch: dict[int, datetime]) -> None:
        async with SqlUnitOfWork(self._engine, urgent=True) as uow:
            stmt = (
                Repo(uow.connection)
                .insert(t)
                .values([{"update_id": uid, "received_at": at, "handled_at": at} for uid, at in batch.items()])
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=[t.c.update_id], set_={"handled_at": stmt.excluded.handled_at}
            )
            await uow.connection.execute(stmt)
            await uow.commit()

    async def prune(self, now: datetime, keep: timedelta = timedelta(days=2)) -> int:
        """Telegram keeps an unconfirmed update for 24 hours; two days of ids cover every redelivery."""
        async with SqlUnitOfWork(self._engine) as uow:
            old = now - keep
            result = await uow.connection.execute(
                delete(t).where(or_(t.c.handled_at < old, and_(t.c.handled_at.is_(None), t.c.received_at < old)))
            )
            await uow.commit()
            return result.rowcount
