"""A hold's deadline is exclusive: at held_until the hold is over (the repository's sweep queries use
held_until <= now, the same instant). A hold whose time is up is either active or released, never neither;
tests/storage/test_guards.py pins the database side of the same boundary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.models import CartItem, ItemKind, ItemState
from domain.money import Money

DEADLINE = datetime(2026, 11, 23, 12, 15, tzinfo=UTC)
TICK = timedelta(microseconds=1)
RULE = "rule 8 (CartItem.hold_active: active while now < held_until, over at held_until)"


def item(state: ItemState = ItemState.HELD, held_until: datetime | None = DEADLINE) -> CartItem:
    return CartItem(1, 1, ItemKind.TICKET, 2, Money(150_000, "RUB"), state, held_until, 1, 1)


@pytest.mark.parametrize(
    ("now", "active"),
    [(DEADLINE - TICK, True), (DEADLINE, False), (DEADLINE + TICK, False)],
    ids=["1us-before", "at-deadline", "1us-after"],
)
def test_hold_active_around_its_deadline(now, active):
    assert item().hold_active(now) is active, f"{RULE}: hold_active({now.time()}) with held_until {DEADLINE.time()}"


@pytest.mark.parametrize("state", [ItemState.EXPIRED, ItemState.ORDERED, ItemState.REMOVED])
def test_only_a_held_item_has_an_active_hold(state):
    assert item(state).hold_active(DEADLINE - timedelta(minutes=5)) is False, RULE


def test_a_held_item_without_a_deadline_is_not_active():
    assert item(held_until=None).hold_active(DEADLINE) is False, RULE
