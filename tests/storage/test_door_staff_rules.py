"""Door staff rules at the service and storage level, on SQLite and PostgreSQL: which events the door
shows (the steward's own, published, of the local day, midnight belonging to the day it starts), in
what order, with what counts, the next one ahead when the day is empty; who may be added and invited to
what; what an invitation and an assignment record; and that removing touches one event only."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from domain.errors import EventNotEditable, InviteInvalid
from domain.event_fields import EventField
from domain.models import TicketStatus
from domain.services.door_staff import INVITE_PREFIX, INVITE_TTL, DoorStaffService
from storage.tables import staff_assignments, staff_invites, tickets
from tests.paying import pay
from tests.storage.test_tariff_editor import Box

MSK = ZoneInfo("Europe/Moscow")
UTC = ZoneInfo("UTC")


@pytest.fixture
def box(engine, clock):
    # minutes, seconds and microseconds on the clock: the local day starts at 00:00:00.000000 all the same
    clock.set(clock.now().replace(minute=34, second=56, microsecond=789_012))
    box = Box(engine, clock)
    box.door = DoorStaffService(box.uow, clock)
    return box


async def _event_at(box, organizer, local: str, publish: bool = True):
    """An event of `organizer` starting at `local` (Moscow time), published unless told otherwise."""
    tt = await box.on_sale(organizer)
    await box.editor.set_text(organizer, tt.event_id, EventField.STARTS_AT, local, MSK)
    if not publish:
        await box.editor.cancel(organizer, tt.event_id)
    return tt


async def _steward_of(box, organizer, steward, *tariffs):
    for tt in tariffs:
        await box.door.accept(steward, await box.door.invite(organizer, tt.event_id))


async def test_the_door_shows_the_local_day_from_midnight_to_midnight_in_start_order(box, clock):
    # the clock: 23.11.2026 15:34:56.789012 in Moscow (12:34:56.789012 UTC)
    olga = await box.person(1, organizer=True)
    late = await _event_at(box, olga, "23.11.2026 23:30")  # 20:30 UTC
    early = await _event_at(box, olga, "23.11.2026 19:00")  # 16:00 UTC
    after_midnight = await _event_at(box, olga, "24.11.2026 00:30")  # 21:30 UTC, still the 23rd in UTC
    midnight = await _event_at(box, olga, "24.11.2026 00:00")  # the first moment of the 24th in Moscow
    cancelled = await _event_at(box, olga, "23.11.2026 20:00")
    not_mine = await _event_at(box, olga, "23.11.2026 18:00")  # today, but the steward is not on it
    steward = await box.person(9)
    await _steward_of(box, olga, steward, late, early, after_midnight, midnight, cancelled)
    await box.editor.cancel(olga, cancelled.event_id)  # off sale: not at the door any more

    moscow = await box.door.door(steward, MSK)
    assert [line.event.id for line in moscow.lines] == [early.event_id, late.event_id]
    assert [(line.sold, line.checked_in) for line in moscow.lines] == [(0, 0), (0, 0)]  # nothing sold yet
    assert moscow.ahead is None  # there is something today
    assert moscow.as_of == clock.now()
    utc = await box.door.door(steward, UTC)
    assert [line.event.id for line in utc.lines] == [
        early.event_id,
        late.event_id,
        midnight.event_id,
        after_midnight.event_id,
    ]
    assert not_mine.event_id not in [line.event.id for line in utc.lines]

    clock.set(clock.now().replace(hour=21, minute=0, second=0, microsecond=0))  # 24.11 00:00 in Moscow exactly
    tomorrow = await box.door.door(steward, MSK)
    assert [line.event.id for line in tomorrow.lines] == [midnight.event_id, after_midnight.event_id]


async def test_events_starting_together_are_shown_in_the_order_they_were_made(box):
    olga = await box.person(1, organizer=True)
    first = await _event_at(box, olga, "23.11.2026 19:00")
    second = await _event_at(box, olga, "23.11.2026 19:00")
    steward = await box.person(9)
    await _steward_of(box, olga, steward, second, first)  # assigned the other way round
    view = await box.door.door(steward, MSK)
    assert [line.event.id for line in view.lines] == [first.event_id, second.event_id]


async def test_an_empty_day_shows_the_nearest_event_ahead_and_never_one_gone_by(box, clock):
    olga = await box.person(1, organizer=True)
    gone = await _event_at(box, olga, "24.11.2026 19:00")
    later = await _event_at(box, olga, "30.11.2026 19:00")
    nearer = await _event_at(box, olga, "27.11.2026 19:00")
    also_nearer = await _event_at(box, olga, "27.11.2026 19:00")
    steward = await box.person(9)
    await _steward_of(box, olga, steward, gone, later, also_nearer, nearer)

    clock.set(clock.now() + timedelta(days=2))  # 25.11: nothing today, the 24th is over
    view = await box.door.door(steward, MSK)
    assert view.lines == []
    assert view.ahead is not None and view.ahead.id == nearer.event_id
    clock.set(clock.now() + timedelta(days=6))  # 01.12: nothing ahead either
    view = await box.door.door(steward, MSK)
    assert (view.lines, view.ahead) == ([], None)


async def test_an_event_at_the_next_midnight_is_the_one_ahead(box, clock):
    olga = await box.person(1, organizer=True)
    midnight = await _event_at(box, olga, "24.11.2026 00:00")
    steward = await box.person(9)
    await _steward_of(box, olga, steward, midnight)
    view = await box.door.door(steward, MSK)  # 23.11 in Moscow: it starts as the day ends
    assert view.lines == [] and view.ahead is not None and view.ahead.id == midnight.event_id


async def test_the_door_counts_only_tickets_that_admit(box, clock):
    olga = await box.person(1, organizer=True)
    show = await _event_at(box, olga, "23.11.2026 19:00")
    steward = await box.person(9)
    await _steward_of(box, olga, steward, show)
    anna = await box.person(2, money=1_000_000)
    cart = await box.carts.add_tickets(anna.id, show.id, 4)
    paid = await pay(box.checkout, anna.id, cart.version, cart.terms)
    ids = [t.ticket.id for t in paid.tickets]
    async with box.engine.begin() as conn:
        await conn.execute(update(tickets).where(tickets.c.id == ids[0]).values(status=TicketStatus.USED.value))
        await conn.execute(update(tickets).where(tickets.c.id == ids[1]).values(status=TicketStatus.REFUNDED.value))
    later = await _event_at(box, olga, "23.11.2026 21:00")
    await _steward_of(box, olga, steward, later)
    cart = await box.carts.add_tickets(anna.id, later.id, 2)
    await pay(box.checkout, anna.id, cart.version, cart.terms)
    lines = (await box.door.door(steward, MSK)).lines
    assert [(line.event.id, line.sold, line.checked_in) for line in lines] == [
        (show.event_id, 3, 1),
        (later.event_id, 2, 0),  # sold, nobody in yet: zero, not missing
    ]


async def test_nobody_is_added_or_invited_to_a_cancelled_event(box):
    olga = await box.person(1, organizer=True)
    show = await _event_at(box, olga, "23.11.2026 19:00", publish=False)
    await box.person(55)
    with pytest.raises(EventNotEditable):
        await box.door.add(olga, show.event_id, 55)
    with pytest.raises(EventNotEditable):
        await box.door.invite(olga, show.event_id)


async def test_an_invitation_lasts_its_whole_time_and_records_who_took_it(box, clock):
    olga = await box.person(1, organizer=True)
    show = await _event_at(box, olga, "23.11.2026 19:00")
    other = await _event_at(box, olga, "23.11.2026 20:00")
    made_at = clock.now()
    link = await box.door.invite(olga, show.event_id)
    assert link.startswith(INVITE_PREFIX)
    clock.advance(seconds=INVITE_TTL.total_seconds() - 1)
    steward = await box.person(9)
    added = await box.door.accept(steward, link)
    assert (added.staff.id, added.event.id, added.created) == (steward.id, show.event_id, True)
    async with box.engine.connect() as conn:
        invite = (await conn.execute(select(staff_invites))).one()
        rows = (await conn.execute(select(staff_assignments))).all()
    assert (invite.event_id, invite.created_by, invite.used_by) == (show.event_id, olga.id, steward.id)
    assert invite.created_at.replace(tzinfo=None) == made_at.replace(tzinfo=None)
    assert invite.expires_at.replace(tzinfo=None) == (made_at + INVITE_TTL).replace(tzinfo=None)
    assert invite.used_at.replace(tzinfo=None) == clock.now().replace(tzinfo=None)
    assert [(r.user_id, r.event_id, r.assigned_by) for r in rows] == [(steward.id, show.event_id, None)]
    async with box.uow(write=False) as u:
        assert await u.staff.is_assigned(steward.id, show.event_id)
        assert not await u.staff.is_assigned(steward.id, other.event_id)

    again = await box.door.accept(steward, await box.door.invite(olga, show.event_id))
    assert (again.event.id, again.created) == (show.event_id, False)  # on it already: nothing new


async def test_adding_records_the_organizer_and_removing_touches_one_event(box):
    olga = await box.person(1, organizer=True)
    show = await _event_at(box, olga, "23.11.2026 19:00")
    other = await _event_at(box, olga, "23.11.2026 20:00")
    pavel = await box.person(55)
    stranger = await box.person(56)
    added = await box.door.add(olga, show.event_id, 55)
    assert (added.staff.id, added.event.id, added.created) == (pavel.id, show.event_id, True)
    await box.door.add(olga, other.event_id, 56)  # the later person first: the list keeps this order
    await box.door.add(olga, other.event_id, 55)
    async with box.engine.connect() as conn:
        rows = (await conn.execute(select(staff_assignments).order_by(staff_assignments.c.id))).all()
    assert [(r.user_id, r.event_id, r.assigned_by) for r in rows] == [
        (pavel.id, show.event_id, olga.id),
        (stranger.id, other.event_id, olga.id),
        (pavel.id, other.event_id, olga.id),
    ]

    event, staff = await box.door.staff_of(olga, other.event_id)
    assert event.id == other.event_id and [s.id for s in staff] == [stranger.id, pavel.id]
    assert await box.door.remove(olga, show.event_id, stranger.id) is None  # not on this one
    assert (await box.door.remove(olga, show.event_id, pavel.id)).id == pavel.id
    _, staff = await box.door.staff_of(olga, show.event_id)
    assert staff == []
    _, staff = await box.door.staff_of(olga, other.event_id)
    assert [s.id for s in staff] == [stranger.id, pavel.id]
    assert await box.door.is_staff(pavel)  # still at the other event's door
    assert (await box.door.remove(olga, other.event_id, stranger.id)).id == stranger.id
    _, staff = await box.door.staff_of(olga, other.event_id)
    assert [s.id for s in staff] == [pavel.id]  # the one removed, nobody else
    assert not await box.door.is_staff(await box.person(57))


async def test_a_link_without_its_prefix_or_with_a_wrong_token_is_refused(box):
    olga = await box.person(1, organizer=True)
    show = await _event_at(box, olga, "23.11.2026 19:00")
    link = await box.door.invite(olga, show.event_id)
    with pytest.raises(InviteInvalid):
        await box.door.accept(await box.person(2), link + "x")
    assert (await box.door.accept(await box.person(3), link)).created
