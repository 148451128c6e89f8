"""At the door and in the cart, on SQLite and PostgreSQL: a ticket checks in once however many doors scan it
at the same moment, and an expired hold gives its quota back exactly once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.errors import NotStaff
from domain.models import EntryKind, Event, EventStatus, ItemState, TelegramProfile, TicketStatus, TicketType
from domain.money import Money
from domain.policies import AdminPolicy, HoldPolicy
from domain.services.cart import CartService
from domain.services.checkin import CheckinService
from domain.services.checkout import CheckoutService
from domain.views import Verdict
from storage.tables import cart_items, ticket_types
from storage.uow import UnitOfWorkFactory
from tests.paying import pay

PRICE = Money(150_000, "RUB")
POLICY = HoldPolicy(hold_minutes=15, max_per_order=10)


async def make_event(uow_factory, clock, quantity: int, title: str = "Маузер") -> TicketType:
    async with uow_factory() as uow:
        event = await uow.events.add(
            Event(0, title, clock.now() + timedelta(days=10), "Таганка", EventStatus.PUBLISHED)
        )
        tt = await uow.events.add_ticket_type(TicketType(0, event.id, "Standard", PRICE, quantity))
        await uow.commit()
    return tt


async def make_user(uow_factory, clock, telegram_id: int, name: str):
    async with uow_factory() as uow:
        user = await uow.users.upsert_profile(TelegramProfile(telegram_id, name), clock.now())
        await uow.commit()
    return user


async def held(engine, ticket_type_id: int) -> tuple[int, int]:
    async with engine.connect() as conn:
        row = (await conn.execute(select(ticket_types).where(ticket_types.c.id == ticket_type_id))).one()
    return row.held, row.sold


async def test_ten_doors_scan_the_same_ticket(engine, clock):
    uow = UnitOfWorkFactory(engine)
    carts = CartService(uow, clock, POLICY, "RUB")
    checkout = CheckoutService(uow, clock, POLICY, "RUB")
    checkin = CheckinService(uow, clock, AdminPolicy())
    tt = await make_event(uow, clock, quantity=5)
    other_tt = await make_event(uow, clock, quantity=5, title="Другой концерт")

    buyer = await make_user(uow, clock, 1001, "Buyer")
    door = await make_user(uow, clock, 2001, "Door")
    stranger = await make_user(uow, clock, 3001, "Stranger")
    other_door = await make_user(uow, clock, 4001, "Other door")
    async with uow() as u:
        await u.wallets.apply(buyer.id, PRICE * 2, EntryKind.CREDIT, "seed", clock.now())
        assert await u.staff.assign(door.id, tt.event_id, door.id, clock.now())
        assert await u.staff.assign(other_door.id, other_tt.event_id, other_door.id, clock.now())
        await u.commit()

    view = await carts.add_tickets(buyer.id, tt.id, 2)
    bought = await pay(checkout, buyer.id, view.version, view.terms)
    first, second = (t.ticket for t in bought.tickets)
    assert first.status is TicketStatus.VALID

    results = await asyncio.gather(*(checkin.check_in(door, first.id) for _ in range(10)))
    verdicts = [r.verdict for r in results]
    assert verdicts.count(Verdict.CHECKED_IN) == 1, verdicts
    assert verdicts.count(Verdict.ALREADY_USED) == 9, verdicts
    for result in results:
        assert result.ticket.status is TicketStatus.USED
        assert result.checked_in_by is not None and result.checked_in_by.id == door.id

    async with uow(write=False) as u:
        stored = await u.tickets.get(first.id)
        assert stored.status is TicketStatus.USED
        assert stored.checked_in_by == door.id
        assert stored.checked_in_at == clock.now()
        assert (await u.tickets.get(second.id)).status is TicketStatus.VALID

    # Someone who is not staff of this event cannot check a ticket in, and the attempt changes nothing.
    for outsider in (stranger, other_door, buyer):
        with pytest.raises(NotStaff):
            await checkin.check_in(outsider, second.id)
    async with uow(write=False) as u:
        assert (await u.tickets.get(second.id)).status is TicketStatus.VALID

    # A platform admin may check in at any door.
    admin_checkin = CheckinService(uow, clock, AdminPolicy(frozenset({stranger.telegram_id})))
    assert (await admin_checkin.check_in(stranger, second.id)).verdict is Verdict.CHECKED_IN


async def test_expired_hold_releases_quota_once(engine, clock):
    uow = UnitOfWorkFactory(engine)
    carts = CartService(uow, clock, POLICY, "RUB")
    tt = await make_event(uow, clock, quantity=5)
    buyer = await make_user(uow, clock, 1001, "Buyer")
    rival = await make_user(uow, clock, 1002, "Rival")

    view = await carts.add_tickets(buyer.id, tt.id, 3)
    assert view.ticket_count == 3
    assert await held(engine, tt.id) == (3, 0)

    clock.advance(minutes=14)
    assert await carts.release_expired() == 0  # still within the 15 minutes
    assert await held(engine, tt.id) == (3, 0)

    clock.advance(minutes=2)
    assert await carts.release_expired() == 1
    assert await held(engine, tt.id) == (0, 0)
    assert await carts.release_expired() == 0  # the second sweep finds nothing to give back
    assert await held(engine, tt.id) == (0, 0)
    async with engine.connect() as conn:
        states = (await conn.execute(select(cart_items.c.state))).scalars().all()
    assert states == [ItemState.EXPIRED.value]

    # The whole quota is on sale again; the expired line shows as unavailable in the first buyer's cart.
    assert (await carts.add_tickets(rival.id, tt.id, 5)).ticket_count == 5
    assert await held(engine, tt.id) == (5, 0)
    mine = await carts.view(buyer.id)
    assert mine.ticket_count == 0
    assert [line.qty for line in mine.unavailable] == [3]
