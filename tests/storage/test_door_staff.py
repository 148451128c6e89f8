"""Door staff at the service level, on SQLite and PostgreSQL: a single-use invitation taken by exactly
one of the people opening it at once, expiry, removal, and the door counter."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

import pytest

from domain.errors import InviteInvalid, OwnEventNotFound, StaffUnknown
from domain.models import TelegramProfile
from domain.services.door_staff import INVITE_TTL, DoorStaffService
from tests.paying import pay
from tests.storage.test_tariff_editor import Box

MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture
def box(engine, clock):
    box = Box(engine, clock)
    box.door = DoorStaffService(box.uow, clock)
    return box


async def test_two_people_opening_one_invitation_at_once_make_one_steward(box):
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga)
    link = await box.door.invite(olga, tt.event_id)
    people = [await box.person(100 + n) for n in range(6)]
    results = await asyncio.gather(*(box.door.accept(p, link) for p in people), return_exceptions=True)
    won = [r for r in results if not isinstance(r, Exception)]
    assert len(won) == 1, results
    assert all(isinstance(r, InviteInvalid) for r in results if isinstance(r, Exception)), results
    _, staff = await box.door.staff_of(olga, tt.event_id)
    assert [s.id for s in staff] == [won[0].staff.id]


async def test_an_invitation_expires_and_a_made_up_one_is_refused(box, clock):
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga)
    link = await box.door.invite(olga, tt.event_id)
    clock.advance(seconds=INVITE_TTL.total_seconds())
    with pytest.raises(InviteInvalid):
        await box.door.accept(await box.person(2), link)
    with pytest.raises(InviteInvalid):
        await box.door.accept(await box.person(3), "staff_made-up-token")
    fresh = await box.door.invite(olga, tt.event_id)
    assert (await box.door.accept(await box.person(4), fresh)).created


async def test_adding_by_username_or_id_once_and_removing(box):
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga)
    pavel = await box.users.identify(TelegramProfile(55, "Pavel", username="Pavel_Door"))
    first = await box.door.add(olga, tt.event_id, "pavel_door")
    again = await box.door.add(olga, tt.event_id, 55)
    assert (first.created, again.created, first.staff.id) == (True, False, pavel.id)
    assert await box.door.is_staff(pavel)
    with pytest.raises(StaffUnknown):
        await box.door.add(olga, tt.event_id, "nobody_here")
    ivan = await box.person(3, organizer=True)
    with pytest.raises(OwnEventNotFound):
        await box.door.add(ivan, tt.event_id, 55)
    with pytest.raises(OwnEventNotFound):
        await box.door.remove(ivan, tt.event_id, pavel.id)
    assert (await box.door.remove(olga, tt.event_id, pavel.id)).id == pavel.id
    assert await box.door.remove(olga, tt.event_id, pavel.id) is None  # a second tap
    assert not await box.door.is_staff(pavel)


async def test_the_door_counts_admitting_and_used_tickets_of_todays_events(box, clock):
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga)  # 25.12.2026 19:00 Moscow
    steward = await box.person(9)
    await box.door.accept(steward, await box.door.invite(olga, tt.event_id))
    view = await box.door.door(steward, MSK)
    assert view.lines == [] and view.ahead is not None and view.ahead.id == tt.event_id
    anna = await box.person(2, money=1_000_000)
    cart = await box.carts.add_tickets(anna.id, tt.id, 3)
    paid = await pay(box.checkout, anna.id, cart.version, cart.terms)
    clock.set(paid.order.created_at.replace(year=2026, month=12, day=25, hour=8))
    async with box.uow() as u:
        await u.tickets.check_in(paid.tickets[0].ticket.id, steward.id, clock.now())
        await u.commit()
    view = await box.door.door(steward, MSK)
    assert [(line.event.id, line.sold, line.checked_in) for line in view.lines] == [(tt.event_id, 3, 1)]
    assert view.ahead is None
    clock.advance(days=1)
    assert (await box.door.door(steward, MSK)).lines == []
