"""What an organizer may type into each field of an event, checked where it is typed."""

from __future__ import annotations

import re
from enum import StrEnum

from domain.errors import AgeLimitInvalid, CategoryUnknown, FieldEmpty, FieldTooLong, TicketLimitInvalid


class EventField(StrEnum):
    TITLE = "title"
    PERFORMERS = "performers"
    DESCRIPTION = "description"
    CATEGORY = "category"
    VENUE = "venue"
    STARTS_AT = "starts_at"
    ENDS_AT = "ends_at"
    POSTER = "poster"
    AGE_LIMIT = "age_limit"
    CONDITIONS = "conditions"
    MAX_PER_PERSON = "max_per_person"
    MAX_PER_ORDER = "max_per_order"


# Anti-scalping limits have the shop's defaults: set from the event's menu, not asked while creating.
EDIT_ONLY: tuple[EventField, ...] = (EventField.MAX_PER_PERSON, EventField.MAX_PER_ORDER)
STEPS: tuple[EventField, ...] = tuple(f for f in EventField if f not in EDIT_ONLY)  # the creation dialog's order
MENU: tuple[EventField, ...] = STEPS + EDIT_ONLY
MAX_TICKET_LIMIT = 1000
REQUIRED = frozenset({EventField.TITLE, EventField.VENUE, EventField.STARTS_AT})
CATEGORIES = ("concert", "theatre", "standup", "festival", "exhibition", "lecture", "sport", "kids", "other")
# Characters: the columns' sizes, and what an event card (one Telegram message) can hold.
LIMITS = {
    EventField.TITLE: 200,
    EventField.PERFORMERS: 500,
    EventField.DESCRIPTION: 2000,
    EventField.VENUE: 200,
    EventField.CONDITIONS: 800,
}
ONE_LINE = frozenset({EventField.TITLE, EventField.PERFORMERS, EventField.VENUE})
AGE_LIMITS = (0, 6, 12, 16, 18)  # the Russian age rating marks (0+ ... 18+)
_AGE = re.compile(r"(\d{1,2})\s*\+?")


def clean_text(field: EventField, text: str) -> str:
    """Trimmed; one-line fields have their whitespace collapsed, others keep their line breaks."""
    if field in ONE_LINE:
        value = " ".join(text.split())
    else:
        value = "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()
        value = re.sub(r"\n{3,}", "\n\n", value)
    if not value:
        raise FieldEmpty()
    limit = LIMITS[field]
    if len(value) > limit:
        raise FieldTooLong(max=limit, length=len(value))
    return value


def parse_age_limit(text: str) -> int:
    match = _AGE.fullmatch(text.strip())
    if match is None or int(match.group(1)) not in AGE_LIMITS:
        raise AgeLimitInvalid()
    return int(match.group(1))


def parse_ticket_limit(text: str) -> int:
    """A number of tickets, 1 to MAX_TICKET_LIMIT."""
    value = text.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 4 or not 1 <= int(value) <= MAX_TICKET_LIMIT:
        raise TicketLimitInvalid(max=MAX_TICKET_LIMIT)
    return int(value)


def parse_category(value: str) -> str:
    if value not in CATEGORIES:
        raise CategoryUnknown()
    return value
