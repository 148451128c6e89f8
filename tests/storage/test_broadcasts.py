"""Broadcast bookkeeping at the service level (SQLite and PostgreSQL): stored whole before sending,
each delivery claimed by one sender only, finished once, stale claims taken up again."""

from __future__ import annotations

import asyncio

import pytest

from domain.errors import BroadcastAlreadySent, BroadcastNotFound, BroadcastTextInvalid, NoRecipients, OwnEventNotFound
from domain.models import BroadcastStatus, DeliveryStatus
from domain.services.broadcasts import STALE_CLAIM, TEXT_MAX, BroadcastService
from tests.paying import pay
from tests.storage.test_tariff_editor import Box


async def _setup(engine, clock, holders: int):
    box = Box(engine, clock)
    service = BroadcastService(box.uow, clock)
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga, quantity=100)
    for n in range(holders):
        buyer = await box.person(100 + n, money=1_000_000)
        view = await box.carts.add_tickets(buyer.id, tt.id, 2 if n == 0 else 1)
        await pay(box.checkout, buyer.id, view.version, view.terms)
    await box.carts.add_tickets((await box.person(99)).id, tt.id, 1)  # holds, not holding a ticket
    return box, service, olga, tt


async def test_a_draft_needs_text_and_holders_and_only_its_author_sends_it_once(engine, clock):
    box, service, olga, tt = await _setup(engine, clock, 0)
    with pytest.raises(NoRecipients):
        await service.audience(olga, tt.event_id)
    with pytest.raises(NoRecipients):
        await service.draft(olga, tt.event_id, "Hello")
    buyer = await box.person(100, money=1_000_000)
    view = await box.carts.add_tickets(buyer.id, tt.id, 3)
    await pay(box.checkout, buyer.id, view.version, view.terms)
    assert (await service.audience(olga, tt.event_id))[1] == 1  # one person, however many tickets
    for bad in ("", "   ", "x" * (TEXT_MAX + 1)):
        with pytest.raises(BroadcastTextInvalid):
            await service.draft(olga, tt.event_id, bad)
    draft = await service.draft(olga, tt.event_id, "  Doors at 18:30  ")
    assert (draft.broadcast.text, draft.broadcast.status, draft.recipients) == (
        "Doors at 18:30",
        BroadcastStatus.DRAFT,
        1,
    )
    ivan = await box.person(2, organizer=True)
    with pytest.raises(OwnEventNotFound):
        await service.audience(ivan, tt.event_id)
    with pytest.raises(BroadcastNotFound):
        await service.start(ivan, draft.broadcast.id)
    with pytest.raises(BroadcastNotFound):
        await service.start(olga, draft.broadcast.id + 100)
    results = await asyncio.gather(*(service.start(olga, draft.broadcast.id) for _ in range(3)), return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert all(isinstance(r, BroadcastAlreadySent) for r in results if isinstance(r, Exception)), results


async def test_two_senders_never_take_the_same_delivery_and_the_broadcast_finishes_once(engine, clock):
    _, service, olga, tt = await _setup(engine, clock, 12)
    draft = await service.draft(olga, tt.event_id, "Hello")
    started = await service.start(olga, draft.broadcast.id)
    assert started.recipients == 12
    batches = await asyncio.gather(*(service.claim(draft.broadcast.id, limit=5) for _ in range(4)))
    ids = [d.id for batch in batches for d in batch]
    assert len(ids) == len(set(ids)) == 12
    assert await service.finish(draft.broadcast.id) is None  # claims still open
    deliveries = [d for batch in batches for d in batch]
    for n, delivery in enumerate(deliveries):
        status = DeliveryStatus.BLOCKED if n < 2 else DeliveryStatus.FAILED if n == 2 else DeliveryStatus.SENT
        await service.record(delivery.id, status)
    await service.record(deliveries[0].id, DeliveryStatus.SENT)  # recorded once: the first outcome stays
    outcomes = await asyncio.gather(*(service.finish(draft.broadcast.id) for _ in range(3)))
    done = [o for o in outcomes if o is not None]
    assert len(done) == 1 and (done[0].sent, done[0].blocked, done[0].failed) == (9, 2, 1)
    assert done[0].author.id == olga.id and done[0].event.id == tt.event_id
    assert await service.claim(draft.broadcast.id) == []


async def test_a_dead_senders_claims_go_back_after_a_while(engine, clock):
    _, service, olga, tt = await _setup(engine, clock, 3)
    draft = await service.draft(olga, tt.event_id, "Hello")
    await service.start(olga, draft.broadcast.id)
    first = await service.claim(draft.broadcast.id, limit=2)
    assert await service.unfinished() == [draft.broadcast.id]
    third = await service.claim(draft.broadcast.id)
    assert len(third) == 1  # only the unclaimed one
    await service.record(third[0].id, DeliveryStatus.SENT)
    clock.advance(seconds=STALE_CLAIM.total_seconds() - 1)
    await service.unfinished()
    assert await service.claim(draft.broadcast.id) == []  # not stale yet
    clock.advance(seconds=2)
    assert await service.unfinished() == [draft.broadcast.id]
    again = await service.claim(draft.broadcast.id)
    assert sorted(d.id for d in again) == sorted(d.id for d in first)  # the sent one is not sent again
    loaded = await service.load(draft.broadcast.id)
    assert loaded[0].text == "Hello" and loaded[1].id == tt.event_id
    assert await service.load(draft.broadcast.id + 100) is None
