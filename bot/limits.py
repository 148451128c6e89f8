"""Attempt limiters (domain.ports.AttemptLimiter): failed door look-ups per staff account.

One process keeps the failures in memory, and keeps nothing for people who are not active: entries older
than the window are dropped, and so is a key with none left. Several processes share Redis: one sorted set
per key (score = the time of a failure), trimmed to the window and to the last N failures, with a TTL.
"""

from __future__ import annotations

import math
import uuid
from collections import deque
from datetime import UTC, datetime
from typing import Any

from domain.ratelimit import AttemptPolicy


class MemoryAttemptLimiter:
    def __init__(self, policy: AttemptPolicy | None = None) -> None:
        self.policy = policy or AttemptPolicy()
        self._failures: dict[str, deque[datetime]] = {}
        self._swept_at: datetime | None = None

    @property
    def active_keys(self) -> int:
        return len(self._failures)

    async def retry_after(self, key: str, now: datetime) -> float | None:
        self._sweep(now)
        return self.policy.retry_after(self._recent(key, now) or (), now)

    async def failed(self, key: str, now: datetime) -> float | None:
        self._sweep(now)
        failures = self._recent(key, now)
        if failures is None:
            failures = self._failures[key] = deque()
        failures.append(now)
        while len(failures) > self.policy.max_failures:  # older ones can no longer decide a block
            failures.popleft()
        return self.policy.retry_after(failures, now)

    def prune(self, now: datetime) -> None:
        """Drop every failure that left the window, and every key left with none."""
        for key in list(self._failures):
            self._recent(key, now)
        self._swept_at = now

    def _sweep(self, now: datetime) -> None:
        """Idle keys go at most one window after their last failure, at the cost of one pass per window."""
        if self._swept_at is None or not (self._swept_at <= now < self._swept_at + self.policy.window):
            self.prune(now)

    def _recent(self, key: str, now: datetime) -> deque[datetime] | None:
        failures = self._failures.get(key)
        if failures is None:
            return None
        cutoff = now - self.policy.window
        while failures and failures[0] <= cutoff:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        return failures


class RedisAttemptLimiter:
    """Shared by every bot process. Each call is one MULTI/EXEC round trip; the key expires a window after
    its last failure, so Redis too keeps nothing for people who are not active."""

    def __init__(self, redis: Any, policy: AttemptPolicy | None = None, prefix: str = "ticketbot:attempts") -> None:
        self.redis = redis
        self.policy = policy or AttemptPolicy()
        self.prefix = prefix

    def key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    async def retry_after(self, key: str, now: datetime) -> float | None:
        name = self.key(key)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, "-inf", self._cutoff(now))
            pipe.zrange(name, 0, -1, withscores=True)
            _, entries = await pipe.execute()
        return self.policy.retry_after(self._times(entries), now)

    async def failed(self, key: str, now: datetime) -> float | None:
        name = self.key(key)
        member = f"{now.timestamp():.6f}:{uuid.uuid4().hex[:12]}"  # two failures at one instant both count
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(name, {member: now.timestamp()})
            pipe.zremrangebyscore(name, "-inf", self._cutoff(now))
            pipe.zremrangebyrank(name, 0, -(self.policy.max_failures + 1))
            pipe.expire(name, math.ceil(self.policy.window_seconds))
            pipe.zrange(name, 0, -1, withscores=True)
            *_, entries = await pipe.execute()
        return self.policy.retry_after(self._times(entries), now)

    def _cutoff(self, now: datetime) -> float:
        return (now - self.policy.window).timestamp()

    @staticmethod
    def _times(entries) -> list[datetime]:
        return [datetime.fromtimestamp(score, UTC) for _, score in entries]
