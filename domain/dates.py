"""Dates and times as organizers type them, in their time zone, stored in UTC.

Accepted: `25.12.2026 19:00` (the documented form), `25.12.26 19:00`, `25.12 19:00` (the next such
date), `2026-12-25 19:00`, `25 декабря 2026 19:00`, `25 дек 19:00`, `25 December 2026 7:00`; the time
may be written 19.00 or 19-00 too, and a comma may separate date and time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.errors import DateInPast, DateUnreadable

# The first three letters of a month's name, Russian (any case form) and English.
MONTHS = {
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "май": 5, "мая": 5, "июн": 6,
    "июл": 7, "авг": 8, "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_TIME = r"(?P<hour>\d{1,2})[:.\-](?P<minute>\d{2})"
_NUMERIC = re.compile(rf"(?P<day>\d{{1,2}})[./](?P<month>\d{{1,2}})(?:[./](?P<year>\d{{2}}|\d{{4}}))?,?\s+{_TIME}")
_ISO = re.compile(rf"(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})(?:\s+|T){_TIME}")
_WORDS = re.compile(rf"(?P<day>\d{{1,2}})\s+(?P<name>[^\W\d_]+)\.?(?:\s+(?P<year>\d{{4}}))?(?:\s*г\.?)?,?\s+{_TIME}")
_WORDS_EN = re.compile(rf"(?P<name>[^\W\d_]+)\.?\s+(?P<day>\d{{1,2}})(?:,?\s+(?P<year>\d{{4}}))?,?\s+{_TIME}")


def _fields(text: str) -> dict[str, str] | None:
    for pattern in (_NUMERIC, _ISO, _WORDS, _WORDS_EN):
        match = pattern.fullmatch(text)
        if match is None:
            continue
        fields = match.groupdict()
        if "name" in fields:
            month = MONTHS.get(fields.pop("name").lower().replace("ё", "е")[:3])
            if month is None:
                return None
            fields["month"] = str(month)
        return fields
    return None


def parse_local(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """The moment `text` names in `tz`, as an aware UTC datetime; a date without a year is the next such
    date. Raises DateUnreadable for anything else and DateInPast for a moment not after `now`."""
    fields = _fields(" ".join(text.split()))
    if fields is None:
        raise DateUnreadable()
    local_now = now.astimezone(tz)
    year = fields.get("year")
    try:
        day, month = int(fields["day"]), int(fields["month"])
        hour, minute = int(fields["hour"]), int(fields["minute"])
        if year is None:
            moment = datetime(local_now.year, month, day, hour, minute, tzinfo=tz)
            if moment <= local_now:
                moment = datetime(local_now.year + 1, month, day, hour, minute, tzinfo=tz)
        else:
            moment = datetime(int(year) + (2000 if len(year) == 2 else 0), month, day, hour, minute, tzinfo=tz)
    except ValueError:  # 31.02, 25:00 and the like
        raise DateUnreadable() from None
    moment = moment.astimezone(UTC)
    if moment <= now:
        raise DateInPast()
    if moment > now + timedelta(days=5 * 366):
        raise DateUnreadable()  # a typo in the year, most likely: nobody sells five years ahead
    return moment
