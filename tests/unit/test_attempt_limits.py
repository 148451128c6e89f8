"""Failed door look-ups: N failures in a sliding window block a key for the rest of the window; successes never
count; nothing is kept for people who are not active, in memory or in Redis (shared by several processes)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from bot.limits import MemoryAttemptLimiter, RedisAttemptLimiter
from domain.ratelimit import AttemptPolicy, whole_seconds
from tests.conftest import REDIS_URL

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
POLICY = AttemptPolicy(max_failures=3, window_seconds=60)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# --- the pure policy -----------------------------------------------------------------------------------------


def test_defaults_are_ten_failures_a_minute():
    assert AttemptPolicy() == AttemptPolicy(max_failures=10, window_seconds=60)


def test_fewer_failures_than_the_limit_never_block():
    assert POLICY.retry_after([at(0), at(1)], at(2)) is None
    assert POLICY.retry_after([], at(0)) is None


def test_the_nth_failure_blocks_for_the_rest_of_the_window():
    failures = [at(0), at(10), at(20)]
    assert POLICY.retry_after(failures, at(20)) == 40  # until the oldest of the three leaves the window
    assert POLICY.retry_after(failures, at(59.5)) == 0.5
    assert POLICY.retry_after(failures, at(60)) is None  # the failure at 0 is out: two left, unblocked


def test_the_window_slides():
    failures = [at(0), at(50), at(55)]
    assert POLICY.retry_after(failures, at(55)) == 5  # blocked until the failure at 0 leaves the window
    assert POLICY.retry_after(failures, at(60)) is None
    failures.append(at(70))  # with the one at 0 gone, three within the last minute again
    assert POLICY.retry_after(failures, at(70)) == 40  # until the one at 50 leaves: 50 + 60
    assert POLICY.retry_after(failures, at(109)) == 1
    assert POLICY.retry_after(failures, at(110)) is None


def test_order_of_failures_does_not_matter():
    assert POLICY.retry_after([at(20), at(0), at(10)], at(20)) == 40


def test_what_a_person_is_told_is_whole_seconds_never_zero():
    assert whole_seconds(40) == 40
    assert whole_seconds(39.2) == 40
    assert whole_seconds(0.01) == 1


def test_a_policy_needs_a_limit_and_a_window():
    with pytest.raises(ValueError):
        AttemptPolicy(max_failures=0)
    with pytest.raises(ValueError):
        AttemptPolicy(window_seconds=0)


# --- the two implementations ---------------------------------------------------------------------------------


async def _blocks_then_unblocks(limiter) -> None:
    """The contract both implementations keep. Successes are simply never reported to a limiter."""
    assert await limiter.retry_after("door:1", at(0)) is None
    assert await limiter.failed("door:1", at(0)) is None
    assert await limiter.failed("door:1", at(10)) is None
    assert await limiter.retry_after("door:1", at(10)) is None
    assert await limiter.failed("door:1", at(20)) == pytest.approx(40)  # the third failure blocks
    assert await limiter.retry_after("door:1", at(30)) == pytest.approx(30)
    assert await limiter.retry_after("door:2", at(30)) is None  # per key: the next steward is not affected
    # Asking while blocked is not a failure: the block ends when the window says, however often one asks.
    for second in range(30, 60):
        assert await limiter.retry_after("door:1", at(second)) is not None
    assert await limiter.retry_after("door:1", at(60)) is None
    # Two failures are still inside the window: one more blocks again, until the one at 10 leaves it.
    assert await limiter.failed("door:1", at(61)) == pytest.approx(9)
    assert await limiter.retry_after("door:1", at(80)) is None


async def test_memory_limiter_blocks_and_unblocks():
    await _blocks_then_unblocks(MemoryAttemptLimiter(POLICY))


async def test_memory_limiter_keeps_nothing_for_people_who_are_not_active():
    limiter = MemoryAttemptLimiter(POLICY)
    for person in range(50):
        for second in range(5):
            await limiter.failed(f"door:{person}", at(second))
    assert limiter.active_keys == 50
    # Long after, one unrelated look-up (or an explicit prune) drops every idle person.
    assert await limiter.retry_after("door:999", at(200)) is None
    assert limiter.active_keys == 0
    assert limiter._failures == {}


async def test_memory_limiter_keeps_at_most_n_failures_per_person():
    limiter = MemoryAttemptLimiter(POLICY)
    for second in range(30):
        await limiter.failed("door:1", at(second))
    assert len(limiter._failures["door:1"]) == POLICY.max_failures
    assert await limiter.retry_after("door:1", at(30)) == pytest.approx(57)  # the 3 latest: 27, 28, 29
    limiter.prune(at(1000))
    assert limiter._failures == {}


async def test_redis_is_used_when_configured_and_memory_otherwise():
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.app import build_app
    from bot.config import Settings

    engine = create_async_engine("sqlite+aiosqlite://")
    for redis_url, kind in ((None, MemoryAttemptLimiter), (REDIS_URL, RedisAttemptLimiter)):
        app = build_app(Settings(_env_file=None, redis_url=redis_url), engine)
        assert isinstance(app.services.checkin._limiter, kind)
        await app.close()
    await engine.dispose()


@pytest.fixture
async def redis_prefix(redis_client):
    prefix = f"test:attempts:{uuid.uuid4().hex}"
    yield prefix
    keys = await redis_client.keys(f"{prefix}*")
    if keys:
        await redis_client.delete(*keys)


async def test_redis_limiter_blocks_and_unblocks(redis_client, redis_prefix):
    await _blocks_then_unblocks(RedisAttemptLimiter(redis_client, POLICY, prefix=redis_prefix))


async def test_redis_limiter_is_shared_by_processes_and_expires(redis_client, redis_prefix):
    one = RedisAttemptLimiter(redis_client, POLICY, prefix=redis_prefix)  # two bot processes
    two = RedisAttemptLimiter(redis_client, POLICY, prefix=redis_prefix)
    await one.failed("door:7", at(0))
    await two.failed("door:7", at(0))  # the same instant in two processes: both count
    assert await one.failed("door:7", at(1)) == pytest.approx(59)
    assert await two.retry_after("door:7", at(2)) == pytest.approx(58)
    name = one.key("door:7")
    assert 0 < await redis_client.ttl(name) <= 60  # Redis forgets an idle person by itself
    for second in range(3, 20):
        await one.failed("door:7", at(second))
    assert await redis_client.zcard(name) == POLICY.max_failures  # trimmed to what can decide a block
    assert await one.retry_after("door:7", at(200)) is None
    assert await redis_client.exists(name) == 0  # trimmed to nothing: the key is gone
