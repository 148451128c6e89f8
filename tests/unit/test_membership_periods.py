"""Membership periods are calendar months on the shop's wall clock, and what an admin types into a plan."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.errors import CategoryUnknown, FieldEmpty, FieldTooLong, PlanDiscountInvalid
from domain.memberships import (
    add_months,
    check_categories,
    next_period,
    parse_discount,
    parse_plan_name,
    percent_text,
    period_end,
)

MSK = ZoneInfo("Europe/Moscow")


def msk(*args) -> datetime:
    return datetime(*args, tzinfo=MSK).astimezone(UTC)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (msk(2027, 1, 31, 19, 0), 1, msk(2027, 2, 28, 19, 0)),
        (msk(2028, 1, 31, 19, 0), 1, msk(2028, 2, 29, 19, 0)),  # a leap year
        (msk(2027, 1, 31, 19, 0), 2, msk(2027, 3, 31, 19, 0)),  # back to the 31st, not stuck on the 28th
        (msk(2027, 1, 31, 19, 0), 3, msk(2027, 4, 30, 19, 0)),
        (msk(2026, 12, 15, 10, 30), 1, msk(2027, 1, 15, 10, 30)),  # across the year
        (msk(2026, 11, 30, 12, 0), 13, msk(2027, 12, 30, 12, 0)),
        (msk(2027, 3, 31, 0, 0), 1, msk(2027, 4, 30, 0, 0)),
    ],
)
def test_calendar_months(start, months, end):
    assert add_months(start, months, MSK) == end


def test_months_are_counted_on_the_shops_clock_not_utc():
    """1 February 01:00 in Moscow is still 31 January in UTC: a month later is 1 March in Moscow, where
    counting in UTC would give 28 February."""
    start = msk(2027, 2, 1, 1, 0)
    assert start.day == 31
    assert add_months(start, 1, MSK) == msk(2027, 3, 1, 1, 0)
    assert add_months(start, 1, UTC) == datetime(2027, 2, 28, 22, 0, tzinfo=UTC)


def test_an_unaware_moment_is_refused():
    with pytest.raises(ValueError):
        add_months(datetime(2027, 1, 1), 1, MSK)


def test_period_ends_count_from_the_start_and_never_drift():
    start = msk(2027, 1, 31, 19, 0)
    assert [period_end(start, n, MSK).astimezone(MSK).day for n in range(1, 7)] == [28, 31, 30, 31, 30, 31]
    with pytest.raises(ValueError):
        period_end(start, 0, MSK)


def test_the_next_period_is_the_following_month():
    start = msk(2027, 1, 31, 19, 0)
    ended = period_end(start, 1, MSK)
    assert next_period(start, 1, ended, MSK) == (2, msk(2027, 3, 31, 19, 0))
    assert next_period(start, 1, msk(2027, 3, 5, 0, 0), MSK) == (2, msk(2027, 3, 31, 19, 0)), "a late sweep"


def test_whole_periods_missed_while_the_shop_was_down_are_skipped_not_charged():
    start = msk(2027, 1, 31, 19, 0)
    assert next_period(start, 1, msk(2027, 5, 10, 0, 0), MSK) == (4, msk(2027, 5, 31, 19, 0))
    assert next_period(start, 1, msk(2027, 3, 31, 19, 0), MSK) == (3, msk(2027, 4, 30, 19, 0)), "end excluded"


@pytest.mark.parametrize(
    ("text", "basis_points"),
    [("10", 1000), ("10 %", 1000), ("12,5", 1250), ("12.5%", 1250), ("0.01", 1), ("100", 10_000), ("33.33", 3333)],
)
def test_discounts_as_people_type_them(text, basis_points):
    assert parse_discount(text) == basis_points


@pytest.mark.parametrize("text", ["0", "0.00", "100.01", "101", "-5", "ten", "", "1.234", "1e2", "١٠", "50%%"])
def test_discounts_out_of_range_or_unreadable(text):
    with pytest.raises(PlanDiscountInvalid):
        parse_discount(text)


def test_percent_text_without_floats():
    shown = [percent_text(b) for b in (1000, 1250, 1, 3333, 10_000, 1205)]
    assert shown == ["10", "12.5", "0.01", "33.33", "100", "12.05"]


def test_plan_names_and_categories():
    assert parse_plan_name("  Gold   club ") == "Gold club"
    with pytest.raises(FieldEmpty):
        parse_plan_name("   ")
    with pytest.raises(FieldTooLong):
        parse_plan_name("x" * 61)
    assert check_categories(["theatre", "concert", "theatre"]) == frozenset({"theatre", "concert"})
    assert check_categories([]) == frozenset()
    with pytest.raises(CategoryUnknown):
        check_categories(["theatre", "casino"])
