"""Dates as organizers type them, and the limits of each event field."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.dates import parse_local
from domain.errors import AgeLimitInvalid, CategoryUnknown, DateInPast, DateUnreadable, FieldEmpty, FieldTooLong
from domain.event_fields import LIMITS, EventField, clean_text, parse_age_limit, parse_category

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # 15:00 in Moscow


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25.12.2026 19:00", datetime(2026, 12, 25, 16, 0, tzinfo=UTC)),
        ("25.12.26 19:00", datetime(2026, 12, 25, 16, 0, tzinfo=UTC)),
        ("25/12/2026 19.00", datetime(2026, 12, 25, 16, 0, tzinfo=UTC)),
        ("25.12.2026, 19-00", datetime(2026, 12, 25, 16, 0, tzinfo=UTC)),
        ("2026-12-25 19:00", datetime(2026, 12, 25, 16, 0, tzinfo=UTC)),
        ("25 декабря 2026 19:00", datetime(2026, 12, 25, 16, 0, tzinfo=UTC)),
        ("25 Декабря 2026 г. 19:00", datetime(2026, 12, 25, 16, 0, tzinfo=UTC)),
        ("25 дек. 19:00", datetime(2026, 12, 25, 16, 0, tzinfo=UTC)),
        ("1 марта 20:00", datetime(2027, 3, 1, 17, 0, tzinfo=UTC)),  # no year: the next 1 March
        ("3 мая 2027 9:05", datetime(2027, 5, 3, 6, 5, tzinfo=UTC)),
        ("25 December 2026 7:00", datetime(2026, 12, 25, 4, 0, tzinfo=UTC)),
        ("Dec 25, 2026 19:00", datetime(2026, 12, 25, 16, 0, tzinfo=UTC)),
        ("24.11 15:01", datetime(2026, 11, 24, 12, 1, tzinfo=UTC)),  # later today
        ("24.11 14:59", datetime(2027, 11, 24, 11, 59, tzinfo=UTC)),  # passed today: next year
        ("  25.12.2026    19:00 ", datetime(2026, 12, 25, 16, 0, tzinfo=UTC)),
    ],
)
def test_typed_dates_are_read_in_the_organizers_zone(text, expected):
    assert parse_local(text, MSK, NOW) == expected


@pytest.mark.parametrize(
    "text",
    ["", "tomorrow", "25.12.2026", "19:00", "31.02.2027 19:00", "25.13.2026 19:00", "25.12.2026 24:00",
     "25.12.2026 19:60", "25 xyz 2026 19:00", "25.12.2099 19:00", "25.12.2026 19:00 or so"],
)  # fmt: skip
def test_what_is_not_a_date_is_refused(text):
    with pytest.raises(DateUnreadable):
        parse_local(text, MSK, NOW)


@pytest.mark.parametrize("text", ["24.11.2026 15:00", "24.11.2026 14:00", "1.1.2020 10:00"])
def test_a_moment_not_after_now_is_in_the_past(text):
    with pytest.raises(DateInPast):
        parse_local(text, MSK, NOW)


def test_one_line_fields_collapse_whitespace_and_long_ones_keep_paragraphs():
    assert clean_text(EventField.TITLE, "  Маузер \n (премьера)\t") == "Маузер (премьера)"
    assert clean_text(EventField.DESCRIPTION, " a  b \n\n\n\n c \n") == "a b\n\nc"
    with pytest.raises(FieldEmpty):
        clean_text(EventField.VENUE, " \n\t ")
    limit = LIMITS[EventField.TITLE]
    assert clean_text(EventField.TITLE, "x" * limit) == "x" * limit
    with pytest.raises(FieldTooLong) as info:
        clean_text(EventField.TITLE, "x" * (limit + 1))
    assert info.value.params == {"max": limit, "length": limit + 1}


@pytest.mark.parametrize(("text", "age"), [("0+", 0), ("6", 6), ("12 +", 12), (" 16+ ", 16), ("18+", 18)])
def test_age_limits_are_the_rating_marks(text, age):
    assert parse_age_limit(text) == age


@pytest.mark.parametrize("text", ["21+", "-1", "abc", "", "18++", "1e1"])
def test_other_ages_are_refused(text):
    with pytest.raises(AgeLimitInvalid):
        parse_age_limit(text)


def test_a_category_is_one_of_the_list():
    assert parse_category("theatre") == "theatre"
    with pytest.raises(CategoryUnknown):
        parse_category("Театр")
