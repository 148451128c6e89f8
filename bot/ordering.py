"""One person's updates are handled one at a time, in the order Telegram numbered them.

aiogram's event isolation is a lock, and a lock is not a queue: eight words sent at once came back
shuffled with Redis. Here each waiting update holds a place by its update id, and the smallest id of a
person goes next. In one process a dict of small heaps does it; with Redis a sorted set per person does
it across processes, and a lease that its holder keeps renewing means a crashed process cannot block a
person for longer than the lease, while a slow handler never loses its turn. Nothing is kept for people
who have nothing in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

logger = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class Sequencer(Protocol):
    def turn(self, key: int, update_id: int) -> contextlib.AbstractAsyncContextManager[None]: ...


@dataclass
class _Line:
    waiting: list[int] = field(default_factory=list)  # a heap of update ids
    turns: dict[int, asyncio.Future[None]] = field(default_factory=dict)
    serving: int | None = None


class LocalSequencer:
    """Within one process: a heap of waiting update ids per person."""

    def __init__(self) -> None:
        self._lines: dict[int, _Line] = {}

    @property
    def active_keys(self) -> int:
        return len(self._lines)

    @contextlib.asynccontextmanager
    async def turn(self, key: int, update_id: int) -> AsyncIterator[None]:
        line = self._lines.setdefault(key, _Line())
        heapq.heappush(line.waiting, update_id)
        future = asyncio.get_running_loop().create_future()
        line.turns[update_id] = future
        self._advance(line)
        try:
            await future
        except BaseException:
            self._leave(key, line, update_id)
            raise
        try:
            yield
        finally:
            self._leave(key, line, update_id)

    def _advance(self, line: _Line) -> None:
        if line.serving is None and line.waiting:
            nxt = heapq.heappop(line.waiting)
            line.serving = nxt
            future = line.turns.get(nxt)
            if future is not None and not future.done():
                future.set_result(None)

    def _leave(self, key: int, line: _Line, update_id: int) -> None:
        line.turns.pop(update_id, None)
        if line.serving == update_id:
            line.serving = None
        elif update_id in line.waiting:
            line.waiting.remove(update_id)
            heapq.heapify(line.waiting)
        self._advance(line)
        if line.serving is None and not line.waiting:
            self._lines.pop(key, None)


# KEYS[1] line (sorted set of waiting ids), KEYS[2] my lease, KEYS[3] who is being served;
# ARGV: update id, lease ms, line ttl ms, holder token. Joins the line, renews my lease, and returns who
# is served now: me when it is my turn. The one being served keeps its turn until it leaves (an earlier
# id that arrives late waits for it); a holder whose lease lapsed died with its process and is dropped.
_JOIN = """
local me = ARGV[1]
local prefix = KEYS[1] .. ':lease:'
redis.call('ZADD', KEYS[1], 'NX', me, me)
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local serving = redis.call('GET', KEYS[3])
if serving then
  if serving == me or redis.call('EXISTS', prefix .. serving) == 1 then return serving end
  redis.call('ZREM', KEYS[1], serving)
  redis.call('DEL', KEYS[3])
end
for i = 1, 32 do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if not head then return false end
  if head == me then
    redis.call('SET', KEYS[3], me, 'PX', ARGV[3])
    return me
  end
  if redis.call('EXISTS', prefix .. head) == 1 then return head end
  redis.call('ZREM', KEYS[1], head)
end
return false
"""

# KEYS as for _JOIN; ARGV[1] update id, ARGV[2] holder token.
_LEAVE = """
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
return 1
"""


class RedisSequencer:
    """Across processes sharing Redis: a sorted set of update ids per person; the smallest id goes next.

    Every member, waiting or running, holds a lease it renews every lease/3; a head whose lease lapsed
    belonged to a dead process and is dropped by the next waiter. The set itself expires when idle."""

    def __init__(
        self,
        redis: Any,
        prefix: str = "ticketbot:turn",
        lease_ms: int = 15_000,
        poll: float = 0.01,
        max_poll: float = 0.1,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._lease_ms = lease_ms
        self._poll = poll
        self._max_poll = max_poll
        self._join = redis.register_script(_JOIN)
        # One process joins a person's line in update-id order: its updates of one person may reach
        # Redis over different connections in any order, and a later id must not be served first.
        self._joins = LocalSequencer()
        self._leave = redis.register_script(_LEAVE)
        self._token = f"{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def line_key(self, key: int) -> str:
        return f"{self._prefix}:{key}"

    @contextlib.asynccontextmanager
    async def turn(self, key: int, update_id: int) -> AsyncIterator[None]:
        line = self.line_key(key)
        keys = [line, f"{line}:lease:{update_id}", f"{line}:serving"]
        args = [update_id, self._lease_ms, self._lease_ms * 4, self._token]
        try:
            await self._wait(key, update_id, keys, args)
            renewer = asyncio.create_task(self._renew(keys))
            try:
                yield
            finally:
                renewer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewer
        finally:
            with contextlib.suppress(Exception):  # TimeoutError too: the lease then lapses on its own
                async with asyncio.timeout(self._lease_ms / 1000):
                    await asyncio.shield(self._leave(keys=keys, args=[update_id, self._token]))

    async def _wait(self, key: int, update_id: int, keys: list[str], args: list[Any]) -> None:
        me = str(update_id)
        delay = self._poll
        loop = asyncio.get_running_loop()
        renewed = loop.time()
        async with self._joins.turn(key, update_id):
            head = await self._join(keys=keys, args=args)
        while _text(head) != me:
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, self._max_poll)
            head = await self._join(keys=keys, args=args)  # also renews my lease while I wait
            if loop.time() - renewed > self._lease_ms / 1000:
                logger.warning("waited a whole lease for %s", keys[0])
                renewed = loop.time()

    async def _renew(self, keys: list[str]) -> None:
        """Keep the turn while the handler runs, however long; a failed renewal (Redis away for a
        moment) is tried again sooner, never given up, and never turns the handler's answer into an error."""
        pause = self._lease_ms / 3000
        while True:
            await asyncio.sleep(pause)
            try:
                # A reply that never comes (a half-open connection) is given up while the lease still runs,
                # and tried again: otherwise the lease lapses and the next update starts beside this one.
                async with asyncio.timeout(self._lease_ms / 4000):
                    async with self._redis.pipeline(transaction=False) as pipe:
                        pipe.set(keys[1], self._token, px=self._lease_ms)
                        pipe.pexpire(keys[0], self._lease_ms * 4)
                        pipe.pexpire(keys[2], self._lease_ms * 4)
                        await pipe.execute()
                pause = self._lease_ms / 3000
            except Exception as exc:
                logger.warning("could not renew the turn of %s (%s); trying again", keys[0], exc)
                pause = min(self._lease_ms / 10000, 0.2)


def _text(value: Any) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class UserOrderMiddleware(BaseMiddleware):
    """Outer update middleware: the update waits for its person's earlier updates to finish, then for one
    of the process's places. Waiting for one's turn takes no place, so one person sending a hundred
    messages at once holds one place, not all of them, and everybody else is still answered."""

    def __init__(self, sequencer: Sequencer, places: asyncio.Semaphore | None = None) -> None:
        self.sequencer = sequencer
        self.places = places or asyncio.Semaphore(1_000_000)

    async def __call__(self, handler: Handler, event: Update, data: dict[str, Any]) -> Any:
        person = data.get("event_from_user")
        if person is None:
            async with self.places:
                return await handler(event, data)
        async with self.sequencer.turn(person.id, event.update_id), self.places:
            return await handler(event, data)
