"""Support look-up rules at the service and storage level, on SQLite and PostgreSQL: a person card shows
the latest ten orders newest first with the count of all, the balance in the shop's currency, every
ticket counted, the events they are door staff of; a person not found is named in the error as asked;
an order card names its buyer for an organizer too, and an organizer sees only their own event's
tickets of it."""

from __future__ import annotations

import pytest

from domain.errors import NotOrganizer, UserNotFound
from domain.models import TelegramProfile
from domain.policies import AdminPolicy
from domain.services.door_staff import DoorStaffService
from domain.services.support import RECENT_ORDERS, SupportService
from tests.paying import pay
from tests.storage.test_tariff_editor import Box

ADMIN = 7000


def _support(box):
    return SupportService(box.uow, AdminPolicy(frozenset({ADMIN})), "RUB")


async def _pay(box, buyer, tt, qty):
    cart = await box.carts.add_tickets(buyer.id, tt.id, qty)
    return await pay(box.checkout, buyer.id, cart.version, cart.terms)


async def test_a_person_card_shows_the_latest_ten_orders_and_counts_them_all(engine, clock):
    box = Box(engine, clock)
    support = _support(box)
    admin = await box.person(ADMIN)
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga, quantity=100)
    anna = await box.person(2, money=10_000_000)
    paid = [await _pay(box, anna, tt, 1 if n else 2) for n in range(RECENT_ORDERS + 1)]

    card = await support.user_card(admin, 2)
    assert card.user.id == anna.id
    assert [o.id for o in card.orders] == [p.order.id for p in reversed(paid)][:RECENT_ORDERS]
    assert card.orders_total == RECENT_ORDERS + 1
    assert card.tickets_total == RECENT_ORDERS + 2
    assert (card.balance.minor, card.balance.currency) == (10_000_000 - (RECENT_ORDERS + 2) * 100_000, "RUB")


async def test_a_person_card_counts_the_events_they_keep_the_door_of(engine, clock):
    box = Box(engine, clock)
    support = _support(box)
    door = DoorStaffService(box.uow, clock)
    admin = await box.person(ADMIN)
    olga = await box.person(1, organizer=True)
    first, second = await box.on_sale(olga), await box.on_sale(olga)
    pavel = await box.users.identify(TelegramProfile(55, "Pavel", username="pavel_door"))
    await door.add(olga, first.event_id, 55)
    await door.add(olga, second.event_id, 55)
    card = await support.user_card(admin, "pavel_door")
    assert (card.user.id, card.staff_events, card.organizer) == (pavel.id, 2, False)
    assert (card.orders, card.orders_total, card.tickets_total) == ([], 0, 0)
    assert (card.balance.minor, card.balance.currency) == (0, "RUB")  # no wallet yet: zero in the shop's currency


async def test_a_person_not_found_is_named_as_the_admin_asked(engine, clock):
    box = Box(engine, clock)
    support = _support(box)
    admin = await box.person(ADMIN)
    with pytest.raises(UserNotFound) as by_id:
        await support.user_card(admin, 424242)
    assert by_id.value.params == {"telegram_id": 424242}
    with pytest.raises(UserNotFound) as by_name:
        await support.user_card(admin, "nobody_here")
    assert by_name.value.params == {"telegram_id": "@nobody_here"}


async def test_an_organizer_sees_the_buyer_and_only_their_own_tickets_of_an_order(engine, clock):
    box = Box(engine, clock)
    support = _support(box)
    admin = await box.person(ADMIN)
    olga = await box.person(1, organizer=True)
    ivan = await box.person(3, organizer=True)
    hers, his = await box.on_sale(olga), await box.on_sale(ivan)
    boris = await box.person(4, money=1_000_000)
    await box.carts.add_tickets(boris.id, his.id, 2)
    mixed = await _pay(box, boris, hers, 1)

    seen = await support.order_card(olga, mixed.order.id)
    assert seen.buyer.id == boris.id
    assert [line.ticket_type_id for line in seen.order.lines] == [hers.id]
    assert [t.ticket_type_id for t in seen.tickets] == [hers.id]
    full = await support.order_card(admin, mixed.order.id)  # an admin who is no organizer sees it whole
    assert sorted(t.ticket_type_id for t in full.tickets) == sorted([his.id, his.id, hers.id])
    assert full.buyer.id == boris.id
    with pytest.raises(NotOrganizer):
        await support.order_card(boris, mixed.order.id)
