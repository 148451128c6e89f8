"""One poller per bot and database: taken before anything is replayed from the update inbox.

A second process started by mistake on the same database would otherwise replay the updates the first
one has in hand before Telegram's 409 sends it away. The lock dies with its holder, so a restart after
kill -9 takes it at once: a PostgreSQL session advisory lock on a connection held open for the life of
the poller, or an OS file lock next to the SQLite file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import zlib
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class PollerLock:
    def __init__(self, conn: AsyncConnection | None = None, file: IO[str] | None = None) -> None:
        self._conn = conn
        self._file = file

    async def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()  # ends the session, and its advisory lock with it
            self._conn = None
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


async def take_poller_lock(engine: AsyncEngine, bot_id: int) -> PollerLock | None:
    """The lock, or None when another live process holds it."""
    if engine.dialect.name == "postgresql":
        key = zlib.crc32(f"ticketbot-poller:{bot_id}".encode()) - 2**31
        conn = await engine.connect()
        taken = (await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})).scalar_one()
        await conn.commit()
        if not taken:
            await conn.close()
            return None
        return PollerLock(conn=conn)
    database = make_url(engine.url).database
    if not database or database == ":memory:":
        return PollerLock()  # nothing another process could share
    file = _lock_file(Path(f"{database}.poller-{bot_id}.lock"))
    return PollerLock(file=file) if file is not None else None


def _lock_file(path: Path) -> IO[str] | None:
    """flock with LOCK_NB never waits: fine on the event loop."""
    file = path.open("a+")
    try:
        fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        file.close()
        return None
    file.seek(0)
    file.truncate()
    file.write(f"{os.getpid()}\n")
    file.flush()
    return file
