"""One person's updates go one at a time in update-id order, in one process (a heap) and across
processes sharing Redis (a sorted set with leases); nothing is kept for people with nothing in flight."""

from __future__ import annotations

import asyncio
import random
import uuid

from bot.ordering import LocalSequencer, RedisSequencer


async def _run(sequencers, people: int = 5, per_person: int = 8, joined=None) -> dict[int, list[int]]:
    """Each person's updates are spread over the workers in a random order. An update 0 of each person
    holds the turn until all the others have joined (`joined(person, count)` says so, where it can be
    asked; otherwise a pause); from then on the smallest id must go next, never two of one person at
    once, whichever worker holds which update."""
    seen: dict[int, list[int]] = {p: [] for p in range(people)}
    running: dict[int, int] = {p: 0 for p in range(people)}
    overlaps: list[int] = []

    async def wait_for_the_line(person: int) -> None:
        if joined is None:
            await asyncio.sleep(0.3)
            return
        async with asyncio.timeout(10):  # a loaded machine joins slowly: wait for it, not a fixed time
            while not await joined(person, per_person):  # noqa: ASYNC110 - polling Redis, not a local flag
                await asyncio.sleep(0.01)

    async def handle(seq, person: int, update_id: int, first: bool = False) -> None:
        async with seq.turn(person, update_id):
            running[person] += 1
            if running[person] > 1:
                overlaps.append(update_id)
            if first:
                await wait_for_the_line(person)
            else:
                await asyncio.sleep(random.random() / 100)
            seen[person].append(update_id)
            running[person] -= 1

    first = [asyncio.create_task(handle(sequencers[0], p, 1000 * p, first=True)) for p in range(people)]
    await asyncio.sleep(0.05)
    jobs = [(p, 1000 * p + n) for p in range(people) for n in range(1, per_person)]
    random.shuffle(jobs)
    await asyncio.gather(*first, *(handle(sequencers[i % len(sequencers)], p, u) for i, (p, u) in enumerate(jobs)))
    assert overlaps == [], "two updates of one person ran at once"
    return seen


async def test_local_sequencer_keeps_order_and_forgets_idle_people():
    seq = LocalSequencer()
    seen = await _run([seq])
    assert all(ids == sorted(ids) for ids in seen.values())
    assert seq.active_keys == 0


async def test_local_sequencer_survives_a_cancelled_waiter():
    seq = LocalSequencer()
    order: list[int] = []
    first_in = asyncio.Event()
    release = asyncio.Event()

    async def slow(uid: int) -> None:
        async with seq.turn(1, uid):
            first_in.set()
            await release.wait()
            order.append(uid)

    async def quick(uid: int) -> None:
        async with seq.turn(1, uid):
            order.append(uid)

    a = asyncio.create_task(slow(1))
    await first_in.wait()
    b = asyncio.create_task(quick(2))
    c = asyncio.create_task(quick(3))
    await asyncio.sleep(0)
    b.cancel()
    release.set()
    await asyncio.gather(a, c, return_exceptions=True)
    assert order == [1, 3] and seq.active_keys == 0


async def test_redis_sequencer_orders_across_processes_and_leaves_nothing(redis_client):
    prefix = f"test:turn:{uuid.uuid4().hex}"
    workers = [RedisSequencer(redis_client, prefix=prefix) for _ in range(3)]  # three "processes"

    async def joined(person: int, count: int) -> bool:
        return await redis_client.zcard(workers[0].line_key(person)) >= count

    seen = await _run(workers, joined=joined)
    assert all(ids == sorted(ids) for ids in seen.values())
    assert await redis_client.keys(f"{prefix}*") == []


async def test_a_dead_holder_blocks_a_person_only_for_its_lease(redis_client):
    prefix = f"test:turn:{uuid.uuid4().hex}"
    seq = RedisSequencer(redis_client, prefix=prefix, lease_ms=300)
    # A process died while being served update 1: its lease will lapse and is never renewed.
    await redis_client.zadd(seq.line_key(7), {"1": 1})
    await redis_client.set(f"{seq.line_key(7)}:lease:1", "dead", px=300)
    await redis_client.set(f"{seq.line_key(7)}:serving", "1", px=5000)
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with seq.turn(7, 2):
        waited = loop.time() - start
    assert 0.2 < waited < 3
    assert await redis_client.keys(f"{prefix}*") == []


async def test_a_slow_handler_keeps_its_turn_past_the_lease(redis_client):
    prefix = f"test:turn:{uuid.uuid4().hex}"
    seq = RedisSequencer(redis_client, prefix=prefix, lease_ms=300)
    order: list[int] = []

    async def handle(uid: int, hold: float) -> None:
        async with seq.turn(7, uid):
            order.append(uid)
            await asyncio.sleep(hold)
            order.append(-uid)

    first = asyncio.create_task(handle(1, 1.0))  # three leases long
    await asyncio.sleep(0.05)
    await handle(2, 0)
    await first
    assert order == [1, -1, 2, -2]


async def test_a_failed_renewal_is_tried_again_and_never_becomes_the_handlers_error(redis_client, monkeypatch):
    prefix = f"test:turn:{uuid.uuid4().hex}"
    seq = RedisSequencer(redis_client, prefix=prefix, lease_ms=300)
    real_pipeline = redis_client.pipeline
    failures = []

    def flaky_pipeline(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise ConnectionError("Redis away for a moment")
        return real_pipeline(*args, **kwargs)

    monkeypatch.setattr(redis_client, "pipeline", flaky_pipeline)
    order: list[str] = []

    async def handle(uid: int, hold: float) -> None:
        async with seq.turn(7, uid):
            order.append(f"start {uid}")
            await asyncio.sleep(hold)
            order.append(f"end {uid}")

    first = asyncio.create_task(handle(1, 1.0))  # outlives three leases, one renewal fails
    await asyncio.sleep(0.05)
    await handle(2, 0)
    await first
    assert failures == [1]
    assert order == ["start 1", "end 1", "start 2", "end 2"]


async def test_a_renewal_whose_reply_never_comes_is_given_up_and_tried_again(redis_client, monkeypatch):
    prefix = f"test:turn:{uuid.uuid4().hex}"
    seq = RedisSequencer(redis_client, prefix=prefix, lease_ms=300)
    real_pipeline = redis_client.pipeline
    hung = []

    class Silent:
        """A pipeline whose reply never arrives (a half-open connection)."""

        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc):
            return False

        def __getattr__(self, name):
            return lambda *args, **kwargs: None

        async def execute(self):
            await asyncio.Event().wait()

    def pipeline(*args, **kwargs):
        if not hung:
            hung.append(1)
            return Silent()
        return real_pipeline(*args, **kwargs)

    monkeypatch.setattr(redis_client, "pipeline", pipeline)
    order: list[str] = []

    async def handle(uid: int, hold: float) -> None:
        async with seq.turn(8, uid):
            order.append(f"start {uid}")
            await asyncio.sleep(hold)
            order.append(f"end {uid}")

    first = asyncio.create_task(handle(1, 1.2))  # the first renewal hangs: without a timeout the lease lapses
    await asyncio.sleep(0.05)
    async with asyncio.timeout(30):
        await handle(2, 0)
        await first
    assert hung == [1]
    assert order == ["start 1", "end 1", "start 2", "end 2"]
