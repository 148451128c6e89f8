"""One poller per bot and database; the lock is free again as soon as its holder is gone."""

from __future__ import annotations

from storage.poller_lock import take_poller_lock


async def test_a_second_poller_is_refused_until_the_first_lets_go(engine):
    first = await take_poller_lock(engine, bot_id=42)
    assert first is not None
    assert await take_poller_lock(engine, bot_id=42) is None
    other_bot = await take_poller_lock(engine, bot_id=43)
    assert other_bot is not None
    await first.release()
    again = await take_poller_lock(engine, bot_id=42)
    assert again is not None
    await again.release()
    await other_bot.release()
