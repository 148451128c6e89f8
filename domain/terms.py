"""What a buyer accepts before paying: each event's attendance conditions and the shop's sale terms.

The acceptance is kept with the order as a snapshot of exactly what was shown (language-neutral: the
organizer's own text, the age mark, the version of the sale terms) and its digest. The Pay button
carries the digest; checkout recomputes it from the cart under its lock, so a button drawn before an
organizer changed the conditions, or a forged one, pays nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from domain.models import Event

# Raise when the wording of the sale terms (bot/locales, "terms.sale") changes in substance: every
# cart's acceptance is then asked for again, and orders show which version their buyer accepted.
SALE_TERMS_VERSION = "2026-11"
DIGEST_LENGTH = 16  # hex characters: fits the Pay button's 64 bytes beside the cart version


@dataclass(frozen=True, slots=True)
class EventConditions:
    event_id: int
    title: str
    age_limit: int | None
    text: str

    @property
    def is_empty(self) -> bool:
        return not self.age_limit and not self.text


@dataclass(frozen=True, slots=True)
class Conditions:
    events: tuple[EventConditions, ...] = ()
    sale_terms: str = SALE_TERMS_VERSION

    @property
    def stated(self) -> tuple[EventConditions, ...]:
        """The events that set conditions of their own."""
        return tuple(e for e in self.events if not e.is_empty)

    def snapshot(self) -> str:
        """Canonical JSON of what the buyer accepts: stored with the order."""
        return json.dumps(
            {
                "sale_terms": self.sale_terms,
                "events": [
                    {"id": e.event_id, "title": e.title, "age_limit": e.age_limit, "conditions": e.text}
                    for e in self.stated
                ],
            },
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )

    def digest(self) -> str:
        return hashlib.sha256(self.snapshot().encode()).hexdigest()[:DIGEST_LENGTH]


def conditions_of(events: Iterable[Event]) -> Conditions:
    """One entry per event, in event order: the same cart gives the same digest however it was filled."""
    seen = {e.id: e for e in events}
    return Conditions(
        tuple(
            EventConditions(e.id, e.title, e.age_limit or None, e.conditions.strip()) for _, e in sorted(seen.items())
        )
    )
