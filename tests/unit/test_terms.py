"""What a Pay press accepts (domain.terms): the digest changes with anything the buyer reads, and with
nothing else."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from domain import terms
from domain.models import Event, EventStatus

START = datetime(2026, 12, 25, 16, tzinfo=UTC)


def event(event_id: int, title: str = "Gig", age: int | None = None, conditions: str = "") -> Event:
    return Event(event_id, title, START, "Hall", EventStatus.PUBLISHED, age_limit=age, conditions=conditions)


def test_the_same_events_in_any_order_and_repeated_give_one_digest():
    a, b = event(1, "A", 18, "ID"), event(2, "B", None, "No cameras")
    first = terms.conditions_of([a, b])
    assert terms.conditions_of([b, a, b]) == first
    assert first.digest() == terms.conditions_of([b, a]).digest()
    assert len(first.digest()) == terms.DIGEST_LENGTH == 16
    assert int(first.digest(), 16) >= 0, "hex, as the Pay button's pattern expects"


def test_anything_the_buyer_reads_changes_the_digest():
    base = terms.conditions_of([event(1, "A", 18, "ID")])
    for changed in (
        [event(1, "A", 16, "ID")],
        [event(1, "A", 18, "ID and a mask")],
        [event(1, "A2", 18, "ID")],
        [event(1, "A", 18, "ID"), event(2, "B", 12)],
    ):
        assert terms.conditions_of(changed).digest() != base.digest(), changed
    assert replace(base, sale_terms="2027-01").digest() != base.digest(), "a new version of the sale terms"


def test_events_without_conditions_are_not_listed_but_the_sale_terms_always_are():
    plain = terms.conditions_of([event(1), event(2, age=0, conditions="  ")])
    assert plain.stated == ()
    assert plain.digest() == terms.Conditions().digest(), "an event without conditions adds nothing to accept"
    assert json.loads(plain.snapshot()) == {"events": [], "sale_terms": terms.SALE_TERMS_VERSION}


def test_the_snapshot_keeps_the_text_as_written():
    snap = json.loads(terms.conditions_of([event(7, "Маузер", 18, "  Паспорт обязателен  ")]).snapshot())
    assert snap["events"] == [{"id": 7, "title": "Маузер", "age_limit": 18, "conditions": "Паспорт обязателен"}]
