"""Broadcast rules at the service and storage level, on SQLite and PostgreSQL: who receives it (holders
of a valid or used ticket of this event, each once, counted when Send is pressed), the text's limits,
the stored rows (created and finished moments, one pending delivery per recipient in recipient order),
what a sender's claim records, when a claim is stale, and which broadcasts are taken up again."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from domain.errors import BroadcastTextInvalid
from domain.models import BroadcastStatus, DeliveryStatus, TicketStatus
from domain.services.broadcasts import STALE_CLAIM, TEXT_MAX, BroadcastService
from storage.tables import broadcast_deliveries, broadcasts, tickets
from tests.paying import pay
from tests.storage.test_tariff_editor import Box


def naive(moment):
    return None if moment is None else moment.replace(tzinfo=None)


async def _pay(box, buyer, tt, qty):
    cart = await box.carts.add_tickets(buyer.id, tt.id, qty)
    return await pay(box.checkout, buyer.id, cart.version, cart.terms)


async def _setup(engine, clock):
    box = Box(engine, clock)
    return box, BroadcastService(box.uow, clock), await box.person(1, organizer=True)


async def test_the_recipients_hold_a_valid_or_used_ticket_of_this_event_when_send_is_pressed(engine, clock):
    box, service, olga = await _setup(engine, clock)
    tt = await box.on_sale(olga, quantity=50)
    elsewhere = await box.on_sale(olga, quantity=50)
    valid = await box.person(10, money=1_000_000)
    used = await box.person(11, money=1_000_000)
    refunded = await box.person(12, money=1_000_000)
    cancelled = await box.person(13, money=1_000_000)
    other_event = await box.person(14, money=1_000_000)
    await _pay(box, valid, tt, 1)
    marked = [(used, TicketStatus.USED), (refunded, TicketStatus.REFUNDED), (cancelled, TicketStatus.CANCELLED)]
    for person, status in marked:
        paid = await _pay(box, person, tt, 2)
        async with engine.begin() as conn:
            ids = [t.ticket.id for t in paid.tickets]
            await conn.execute(update(tickets).where(tickets.c.id.in_(ids)).values(status=status.value))
    await _pay(box, other_event, elsewhere, 1)

    assert (await service.audience(olga, tt.event_id))[1] == 2
    draft = await service.draft(olga, tt.event_id, "Hello")
    assert (draft.recipients, draft.event.id) == (2, tt.event_id)
    late = await box.person(15, money=1_000_000)
    await _pay(box, late, tt, 1)  # bought after the draft, before Send: gets it
    started = await service.start(olga, draft.broadcast.id)
    assert (started.recipients, started.broadcast.status, started.event.id) == (3, BroadcastStatus.SENDING, tt.event_id)
    async with engine.connect() as conn:
        rows = (await conn.execute(select(broadcast_deliveries).order_by(broadcast_deliveries.c.id))).all()
    assert [(r.user_id, r.status, r.attempted_at) for r in rows] == [
        (valid.id, DeliveryStatus.PENDING.value, None),
        (used.id, DeliveryStatus.PENDING.value, None),
        (late.id, DeliveryStatus.PENDING.value, None),
    ]
    claimed = await service.claim(draft.broadcast.id)
    assert [d.recipient.id for d in claimed] == [valid.id, used.id, late.id]
    assert [d.id for d in claimed] == [r.id for r in rows]
    for delivery in claimed:
        await service.record(delivery.id, DeliveryStatus.BLOCKED)
    outcome = await service.finish(draft.broadcast.id)
    assert (outcome.sent, outcome.blocked, outcome.failed) == (0, 3, 0)  # none sent is zero, not missing


async def test_the_text_is_trimmed_and_may_be_exactly_as_long_as_allowed(engine, clock):
    box, service, olga = await _setup(engine, clock)
    tt = await box.on_sale(olga)
    await _pay(box, await box.person(10, money=1_000_000), tt, 1)
    with pytest.raises(BroadcastTextInvalid) as info:
        await service.draft(olga, tt.event_id, "y" * (TEXT_MAX + 1))
    assert info.value.params == {"max": TEXT_MAX}
    longest = await service.draft(olga, tt.event_id, " " + "x" * TEXT_MAX + " ")
    assert longest.broadcast.text == "x" * TEXT_MAX
    assert (longest.broadcast.author_id, longest.broadcast.event_id) == (olga.id, tt.event_id)
    assert naive(longest.broadcast.created_at) == naive(clock.now())
    assert longest.broadcast.finished_at is None
    loaded, event = await service.load(longest.broadcast.id)
    assert (loaded.text, loaded.status, event.id) == ("x" * TEXT_MAX, BroadcastStatus.DRAFT, tt.event_id)


async def test_a_claim_stamps_its_moment_and_goes_stale_only_after_the_whole_wait(engine, clock):
    box, service, olga = await _setup(engine, clock)
    tt = await box.on_sale(olga)
    for n in range(3):
        await _pay(box, await box.person(10 + n, money=1_000_000), tt, 1)
    draft = await service.draft(olga, tt.event_id, "Hello")
    await service.start(olga, draft.broadcast.id)
    claimed = await service.claim(draft.broadcast.id, limit=2)
    assert len(claimed) == 2
    async with engine.connect() as conn:
        rows = (await conn.execute(select(broadcast_deliveries).order_by(broadcast_deliveries.c.id))).all()
    assert [(r.status, naive(r.attempted_at)) for r in rows] == [
        (DeliveryStatus.CLAIMED.value, naive(clock.now())),
        (DeliveryStatus.CLAIMED.value, naive(clock.now())),
        (DeliveryStatus.PENDING.value, None),
    ]
    clock.advance(seconds=STALE_CLAIM.total_seconds())  # exactly the wait: not yet given back
    await service.unfinished()
    assert [d.id for d in await service.claim(draft.broadcast.id)] == [rows[2].id]
    clock.advance(seconds=1)
    await service.unfinished()
    again = await service.claim(draft.broadcast.id)
    assert [d.id for d in again] == [rows[0].id, rows[1].id]
    assert [d.recipient.id for d in again] == [r.user_id for r in rows[:2]]
    clock.advance(seconds=7)
    await service.record(again[0].id, DeliveryStatus.BLOCKED)
    async with engine.connect() as conn:
        first = (await conn.execute(select(broadcast_deliveries).where(broadcast_deliveries.c.id == rows[0].id))).one()
    assert (first.status, naive(first.attempted_at)) == (DeliveryStatus.BLOCKED.value, naive(clock.now()))


async def test_only_broadcasts_still_sending_are_taken_up_again_and_a_finished_one_says_when(engine, clock):
    box, service, olga = await _setup(engine, clock)
    tt = await box.on_sale(olga)
    await _pay(box, await box.person(10, money=1_000_000), tt, 1)
    draft = await service.draft(olga, tt.event_id, "still a draft")
    done = await service.draft(olga, tt.event_id, "done")
    first = await service.draft(olga, tt.event_id, "sending")
    second = await service.draft(olga, tt.event_id, "sending too")
    for b in (second, first, done):
        await service.start(olga, b.broadcast.id)
    assert await service.finish(draft.broadcast.id) is None  # a draft is never finished
    (delivery,) = await service.claim(done.broadcast.id)
    await service.record(delivery.id, DeliveryStatus.SENT)
    clock.advance(seconds=30)
    outcome = await service.finish(done.broadcast.id)
    assert outcome.broadcast.status is BroadcastStatus.DONE
    assert naive(outcome.broadcast.finished_at) == naive(clock.now())
    assert (outcome.sent, outcome.blocked, outcome.failed) == (1, 0, 0)
    assert await service.unfinished() == [first.broadcast.id, second.broadcast.id]
    async with engine.connect() as conn:
        statuses = dict((await conn.execute(select(broadcasts.c.id, broadcasts.c.status))).all())
    assert statuses == {
        draft.broadcast.id: BroadcastStatus.DRAFT.value,
        done.broadcast.id: BroadcastStatus.DONE.value,
        first.broadcast.id: BroadcastStatus.SENDING.value,
        second.broadcast.id: BroadcastStatus.SENDING.value,
    }
