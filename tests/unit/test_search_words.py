"""Pure search rules: folding, the vocabulary, a typed day, periods, filter buttons."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.errors import DateInPast, DateUnreadable, SearchExpired
from domain.search import Query, SearchFilter, normalize, parse_day, period_range, search_text, vocabulary

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday, 15:00 in Moscow


def test_folding():
    assert normalize("  Café  MÜLLER\tЁлка ") == "cafe muller елка"
    assert normalize("Чайка Йошкар-Ола") == "чайка йошкар-ола", "й is kept"
    assert normalize("Straße №5") == "strasse no5"
    assert search_text("Title", "Band", "Hall", "concert") == "title band hall concert"


def test_the_vocabulary_is_words_of_three_letters_or_more():
    assert vocabulary("DJ Ёлка, at Café-Noir 2026") == {"елка", "cafe", "noir", "2026"}


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("25.12", date(2026, 12, 25)),
        ("25/12/2026", date(2026, 12, 25)),
        ("25.12.27", date(2027, 12, 25)),
        ("2026-12-25", date(2026, 12, 25)),
        ("25 декабря", date(2026, 12, 25)),
        ("25  Дек.  2027 г.", date(2027, 12, 25)),
        ("Dec 25", date(2026, 12, 25)),
        ("december 25, 2027", date(2027, 12, 25)),
        ("23.11", date(2026, 11, 23)),  # today still counts
        ("22.11", date(2027, 11, 22)),  # without a year: the next such day
        ("1 мая", date(2027, 5, 1)),
    ],
)
def test_a_day_as_typed(typed, day):
    assert parse_day(typed, MOSCOW, NOW) == day


@pytest.mark.parametrize("typed", ["31.02", "32.01", "25.13", "25 брюмера", "завтра", "12", "25.12.2040", ""])
def test_what_is_not_a_day(typed):
    with pytest.raises(DateUnreadable):
        parse_day(typed, MOSCOW, NOW)


def test_a_day_already_over():
    with pytest.raises(DateInPast):
        parse_day("22.11.2026", MOSCOW, NOW)


def test_periods_in_the_shop_time_zone():
    midnight = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # 24 Nov 00:00 in Moscow
    assert period_range(None, NOW, MOSCOW) == (None, None)
    assert period_range("today", NOW, MOSCOW) == (None, midnight)
    assert period_range("weekend", NOW, MOSCOW) == (
        datetime(2026, 11, 27, 21, 0, tzinfo=UTC),
        datetime(2026, 11, 29, 21, 0, tzinfo=UTC),
    )
    sunday = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    assert period_range("weekend", sunday, MOSCOW) == (None, datetime(2026, 11, 29, 21, 0, tzinfo=UTC))
    assert period_range("month", NOW, MOSCOW) == (None, datetime(2026, 11, 30, 21, 0, tzinfo=UTC))
    december = datetime(2026, 12, 31, 20, 59, tzinfo=UTC)
    assert period_range("month", december, MOSCOW) == (None, datetime(2026, 12, 31, 21, 0, tzinfo=UTC))
    assert period_range("2026-12-25", NOW, MOSCOW) == (
        datetime(2026, 12, 24, 21, 0, tzinfo=UTC),
        datetime(2026, 12, 25, 21, 0, tzinfo=UTC),
    )


def test_filter_buttons():
    assert SearchFilter.of("", "") == SearchFilter() and not SearchFilter().active
    assert SearchFilter.of("concert", "weekend") == SearchFilter("concert", "weekend")
    assert SearchFilter.of("", "2026-12-25").active
    for category, period in (("bogus", ""), ("", "yesterday"), ("", "2026-13-01"), ("Concert", "")):
        with pytest.raises(SearchExpired):
            SearchFilter.of(category, period)
    assert Query("  ").words == [] and Query("a  b").words == ["a", "b"]
