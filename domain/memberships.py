"""Membership rules with no I/O: calendar-month periods, and what an admin may type into a plan.

A membership is paid one calendar month at a time, counted from the moment it was bought in the shop's
time zone: bought on 31 January at 19:00, its periods end on 28 (29) February, 31 March, 30 April ... at
19:00, each the same day of the month as the start or the last day of a shorter month (never drifting to
the 28th for good). Period n (n = 1, 2, ...) ends at add_months(start, n)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from domain.errors import CategoryUnknown, PlanDiscountInvalid
from domain.event_fields import CATEGORIES
from domain.promotions import parse_percent
from domain.tariff_fields import parse_name

NAME_MAX = 60


def add_months(moment: datetime, months: int, tz: ZoneInfo) -> datetime:
    """`months` calendar months after `moment`, read on the shop's wall clock: the same day of the month
    (or the month's last day when it is shorter) at the same local time; an aware UTC datetime."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    local = moment.astimezone(tz)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(UTC)


def period_end(started_at: datetime, period: int, tz: ZoneInfo) -> datetime:
    """When period `period` (1 is the one bought) of a membership started at `started_at` ends."""
    if period < 1:
        raise ValueError("periods count from 1")
    return add_months(started_at, period, tz)


def next_period(started_at: datetime, period: int, now: datetime, tz: ZoneInfo) -> tuple[int, datetime]:
    """The period a renewal at `now` pays for, after period `period` ended, and when it ends. Normally the
    next one; when the renewal runs so late (the shop was down) that whole periods went by unused, those
    are skipped, never charged: the period paid for is the one running at `now`."""
    number = period + 1
    end = period_end(started_at, number, tz)
    while end <= now:
        number += 1
        end = period_end(started_at, number, tz)
    return number, end


def days_left(paid_until: datetime, now: datetime) -> int:
    """Whole days, rounded up, until the paid period ends: what the customer's screen counts down."""
    seconds = (paid_until - now).total_seconds()
    return max(0, -int(-seconds // 86_400))


def parse_plan_name(text: str) -> str:
    return parse_name(text, NAME_MAX)


def parse_discount(text: str) -> int:
    """A percentage as people type it ("10", "12.5", "12,5 %") in basis points (10 % = 1000): above zero,
    at most 100 %, at most two decimals."""
    basis_points = parse_percent(re.sub(r"[\s\u00a0\u202f]", "", text).removesuffix("%") + "%")
    if basis_points is None:
        raise PlanDiscountInvalid()
    return basis_points


def check_categories(categories: Iterable[str]) -> frozenset[str]:
    """Event categories a plan covers (domain.event_fields.CATEGORIES); none at all: every category."""
    chosen = frozenset(categories)
    unknown = chosen - set(CATEGORIES)
    if unknown:
        raise CategoryUnknown()
    return chosen


def percent_text(basis_points: int) -> str:
    """10 % for 1000, 12.5 % for 1250: what a person reads, without a float."""
    whole, rest = divmod(basis_points, 100)
    return str(whole) if not rest else f"{whole}.{rest:02d}".rstrip("0")
