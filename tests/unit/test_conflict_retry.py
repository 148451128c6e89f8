"""A deadlock or serialization failure is retried before anyone sees an apology; a persistent one is not
retried forever."""

from __future__ import annotations

import pytest

from bot.middlewares import ConflictRetryMiddleware
from domain.errors import ConcurrencyConflict


async def test_a_transient_conflict_is_retried_and_the_handler_succeeds():
    calls = []

    async def handler(event, data):
        calls.append(event)
        if len(calls) < 3:
            raise ConcurrencyConflict("deadlock detected")
        return "done"

    assert await ConflictRetryMiddleware(attempts=4, base_delay=0)(handler, "update", {}) == "done"
    assert len(calls) == 3


async def test_a_persistent_conflict_gives_up_after_the_bound():
    calls = []

    async def handler(event, data):
        calls.append(event)
        raise ConcurrencyConflict("deadlock detected")

    with pytest.raises(ConcurrencyConflict):
        await ConflictRetryMiddleware(attempts=4, base_delay=0)(handler, "update", {})
    assert len(calls) == 4


async def test_other_errors_are_not_retried():
    calls = []

    async def handler(event, data):
        calls.append(event)
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        await ConflictRetryMiddleware(attempts=4, base_delay=0)(handler, "update", {})
    assert len(calls) == 1
