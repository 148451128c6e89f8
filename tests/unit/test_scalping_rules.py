"""Anti-scalping rules of the hold policy: the event's numbers over the shop's, held tickets across events,
and the cool-down after repeated drops (its window and its length, both ends included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import CoolingDown, EventOrderLimitReached, HeldLimitReached, PersonLimitReached
from domain.models import Event
from domain.policies import HoldPolicy

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
POLICY = HoldPolicy(max_per_order=10, max_per_event_order=6, max_per_person=8, max_held=10)


def at(*minutes: float) -> list[datetime]:
    return [NOW + timedelta(minutes=m) for m in minutes]


def test_event_limits_use_the_events_numbers_else_the_shops():
    shop_event = Event(1, "E", NOW, "V")
    POLICY.check_event_limits(shop_event, adding=6, held=0, bought=2)  # 6 per order, 8 per person: exactly
    with pytest.raises(EventOrderLimitReached):
        POLICY.check_event_limits(shop_event, adding=7, held=0, bought=0)
    with pytest.raises(PersonLimitReached):
        POLICY.check_event_limits(shop_event, adding=1, held=5, bought=3)
    own = Event(1, "E", NOW, "V", max_per_person=30, max_per_order=12)
    POLICY.check_event_limits(own, adding=12, held=0, bought=18)
    with pytest.raises(PersonLimitReached) as refused:
        POLICY.check_event_limits(own, adding=1, held=0, bought=30)
    assert refused.value.params["more_tickets"] == 0, "never a negative allowance"


def test_held_tickets_across_events():
    POLICY.check_held(adding=4, held=6)
    with pytest.raises(HeldLimitReached) as refused:
        POLICY.check_held(adding=5, held=6)
    assert refused.value.params == {"max_tickets": 10, "held_tickets": 6, "more_tickets": 4}


def test_the_cool_down_starts_at_the_fifth_drop_within_ten_minutes():
    assert POLICY.cooling_down_until(at(0, 1, 2, 3)) is None, "four drops are fine"
    assert POLICY.cooling_down_until(at(0, 1, 2, 3, 10)) == NOW + timedelta(minutes=25), "ten minutes apart: in"
    assert POLICY.cooling_down_until(at(0, 1, 2, 3, 10.01)) is None, "just over ten minutes: out"
    assert POLICY.cooling_down_until(at(10, 3, 0, 2, 1)) == NOW + timedelta(minutes=25), "in any order"
    burst_then_more = at(0, 1, 2, 3, 4, 30, 31)
    assert POLICY.cooling_down_until(burst_then_more) == NOW + timedelta(minutes=19), "the burst's last drop counts"
    assert POLICY.cooling_down_until(at(0, 1, 2, 3, 4, 5, 6, 7, 8)) == NOW + timedelta(minutes=23), "the latest burst"


def test_the_cool_down_ends_on_the_minute_and_says_how_long_is_left():
    drops = at(0, 1, 2, 3, 4)
    with pytest.raises(CoolingDown) as refused:
        POLICY.check_cooldown(drops, NOW + timedelta(minutes=4))
    assert refused.value.params == {"minutes": 15}
    with pytest.raises(CoolingDown) as refused:
        POLICY.check_cooldown(drops, NOW + timedelta(minutes=18, seconds=59))
    assert refused.value.params == {"minutes": 1}, "a part of a minute is a minute"
    POLICY.check_cooldown(drops, NOW + timedelta(minutes=19))
    HoldPolicy(cooldown_for=timedelta(0)).check_cooldown(drops, NOW + timedelta(minutes=4))  # 0: off
    assert POLICY.releases_worth_keeping == timedelta(minutes=25)
