"""Support look-ups at the service level (SQLite and PostgreSQL): who may see what."""

from __future__ import annotations

import pytest

from domain.errors import NotAdmin, NotOrganizer, OrderNotFound, UserNotFound
from domain.models import EntryKind, TelegramProfile
from domain.money import Money
from domain.policies import AdminPolicy
from domain.services.support import SupportService
from tests.paying import pay
from tests.storage.test_tariff_editor import Box


async def test_a_person_and_an_order_and_who_may_see_them(engine, clock):
    box = Box(engine, clock)
    admin = await box.person(7000)
    support = SupportService(box.uow, AdminPolicy(frozenset({7000})), "RUB")
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga)
    other = await box.on_sale(olga)
    anna = await box.users.identify(TelegramProfile(2, "Anna", username="Anna_K"))
    async with box.uow() as u:
        await u.wallets.apply(anna.id, Money(1_000_000, "RUB"), EntryKind.CREDIT, "seed", clock.now())
        await u.commit()
    await box.carts.add_tickets(anna.id, tt.id, 2)
    cart = await box.carts.add_tickets(anna.id, other.id, 1)
    paid = await pay(box.checkout, anna.id, cart.version, cart.terms)

    card = await support.user_card(admin, "anna_k")
    assert (card.user.id, card.balance.minor, card.tickets_total, card.orders_total) == (anna.id, 700_000, 3, 1)
    assert [o.id for o in card.orders] == [paid.order.id] and not card.organizer and card.staff_events == 0
    assert (await support.user_card(admin, 1)).organizer
    with pytest.raises(UserNotFound):
        await support.user_card(admin, "nobody_here")
    with pytest.raises(NotAdmin):
        await support.user_card(olga, "anna_k")

    full = await support.order_card(admin, paid.order.id)
    assert len(full.order.lines) == 2 and len(full.tickets) == 3 and full.buyer.id == anna.id
    mine = await support.order_card(olga, paid.order.id)
    assert len(mine.order.lines) == 2  # both events are hers
    ivan = await box.person(3, organizer=True)
    ivans = await box.on_sale(ivan)
    boris = await box.person(4, money=1_000_000)
    await box.carts.add_tickets(boris.id, ivans.id, 1)
    cart = await box.carts.add_tickets(boris.id, tt.id, 1)
    mixed = await pay(box.checkout, boris.id, cart.version, cart.terms)
    seen = await support.order_card(ivan, mixed.order.id)
    assert [line.ticket_type_id for line in seen.order.lines] == [ivans.id]
    assert [t.ticket_type_id for t in seen.tickets] == [ivans.id]
    with pytest.raises(OrderNotFound):
        await support.order_card(ivan, paid.order.id)
    with pytest.raises(OrderNotFound):
        await support.order_card(admin, paid.order.id + 1000)
    with pytest.raises(NotOrganizer):
        await support.order_card(anna, paid.order.id)
