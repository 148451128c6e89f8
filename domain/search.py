"""What a search looks for: the folded text events are indexed by, the words of a query, its filters.

Both the index and every query go through `normalize`, so the databases compare plain lower-case
strings: SQLite's own case folding is ASCII-only and neither database folds `ё` or accents."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from domain.dates import MONTHS
from domain.errors import DateInPast, DateUnreadable, SearchExpired
from domain.event_fields import CATEGORIES

PERIODS = ("today", "weekend", "month")
MIN_INDEXED = 3  # trigram indexes find substrings of three characters or more
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    """`é` → `e`, `ß` → `ss`, `ё` → `е`; `й` stays itself (it is a letter of its own, not an accented `и`)."""
    if char in "йЙ":
        return "й"
    decomposed = unicodedata.normalize("NFKD", char)  # before folding the case: № is N + o
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalize(text: str) -> str:
    """Case-, `ё`- and accent-insensitive form, whitespace collapsed."""
    folded = "".join(_fold(c) for c in text)
    return " ".join(folded.split())


def search_text(title: str, performers: str, venue: str, category: str) -> str:
    return normalize(" ".join((title, performers, venue, category)))


def vocabulary(text: str) -> set[str]:
    """The words typos are corrected towards (shorter ones are too easy to reach by mistake)."""
    return {w for w in _WORD.findall(normalize(text)) if len(w) >= MIN_INDEXED}


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """category: one of domain.event_fields.CATEGORIES; period: one of PERIODS or an ISO day."""

    category: str | None = None
    period: str | None = None

    @property
    def active(self) -> bool:
        return self.category is not None or self.period is not None

    @classmethod
    def of(cls, category: str, period: str) -> SearchFilter:
        """From a button ("" for none). Button data can be forged: anything unknown is a stale button."""
        if category and category not in CATEGORIES:
            raise SearchExpired()
        if period and period not in PERIODS:
            try:
                date.fromisoformat(period)
            except ValueError:
                raise SearchExpired() from None
        return cls(category or None, period or None)


@dataclass(frozen=True, slots=True)
class Query:
    """What the repository is asked: every word somewhere in the text, the filters as a time range."""

    needle: str
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @property
    def words(self) -> list[str]:
        return self.needle.split()


def period_range(period: str | None, now: datetime, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """The UTC range a period names in the shop's time zone: today until midnight; the weekend until
    Sunday's end (from Saturday's start on a weekday); this month until its last day ends; a day."""
    if period is None:
        return None, None
    local = now.astimezone(tz)
    today = local.date()
    if period == "today":
        return None, _midnight(today + timedelta(days=1), tz)
    if period == "weekend":
        saturday = today + timedelta(days=(5 - today.weekday()) % 7) if today.weekday() < 5 else today
        monday = saturday + timedelta(days=7 - saturday.weekday())
        start = _midnight(saturday, tz) if saturday > today else None
        return start, _midnight(monday, tz)
    if period == "month":
        following = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        return None, _midnight(following, tz)
    day = date.fromisoformat(period)
    return _midnight(day, tz), _midnight(day + timedelta(days=1), tz)


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


_NUMERIC_DAY = re.compile(r"(?P<day>\d{1,2})[./](?P<month>\d{1,2})(?:[./](?P<year>\d{2}|\d{4}))?")
_ISO_DAY = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})")
_WORDS_DAY = re.compile(r"(?P<day>\d{1,2})\s+(?P<name>[^\W\d_]+)\.?(?:\s+(?P<year>\d{4}))?(?:\s*г\.?)?")
_WORDS_DAY_EN = re.compile(r"(?P<name>[^\W\d_]+)\.?\s+(?P<day>\d{1,2})(?:,?\s+(?P<year>\d{4}))?")


def parse_day(text: str, tz: ZoneInfo, now: datetime) -> date:
    """A day as a customer types it (`25.12`, `25.12.2026`, `2026-12-25`, `25 декабря`, `Dec 25`); without
    a year, the next such day. DateUnreadable for anything else, DateInPast for a day already over."""
    text = " ".join(text.split()).lower().replace("ё", "е")
    for pattern in (_NUMERIC_DAY, _ISO_DAY, _WORDS_DAY, _WORDS_DAY_EN):
        match = pattern.fullmatch(text)
        if match is not None:
            break
    else:
        raise DateUnreadable()
    fields = match.groupdict()
    if "name" in fields:
        month = MONTHS.get(fields["name"][:3])
        if month is None:
            raise DateUnreadable()
    else:
        month = int(fields["month"])
    today = now.astimezone(tz).date()
    year = fields["year"]
    try:
        if year is None:
            day = date(today.year, month, int(fields["day"]))
            if day < today:
                day = date(today.year + 1, month, int(fields["day"]))
        else:
            day = date(int(year) + (2000 if len(year) == 2 else 0), month, int(fields["day"]))
    except ValueError:
        raise DateUnreadable() from None
    if day < today:
        raise DateInPast()
    if day > today + timedelta(days=5 * 366):
        raise DateUnreadable()
    return day
