"""Sell-out rush: many buyers, few tickets, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from domain.errors import SoldOut
from domain.models import EntryKind, Event, EventStatus, TelegramProfile, TicketType
from domain.money import Money
from domain.policies import AdminPolicy, HoldPolicy
from domain.services.cart import CartService
from domain.services.checkout import CheckoutService
from domain.services.users import UserService
from storage.tables import orders, ticket_types, tickets, wallet_entries
from storage.uow import UnitOfWorkFactory
from tests.paying import pay

PRICE = Money(150_000, "RUB")


async def make_event(uow_factory, clock, quantity: int) -> TicketType:
    async with uow_factory() as uow:
        event = await uow.events.add(
            Event(0, "Маузер", clock.now() + timedelta(days=10), "Таганка", EventStatus.PUBLISHED)
        )
        tt = await uow.events.add_ticket_type(TicketType(0, event.id, "Standard", PRICE, quantity))
        await uow.commit()
    return tt


async def test_200_buyers_race_for_50_tickets(engine, clock):
    uow = UnitOfWorkFactory(engine)
    policy = HoldPolicy(hold_minutes=15, max_per_order=10)
    users = UserService(uow, clock, AdminPolicy())
    carts = CartService(uow, clock, policy, "RUB")
    checkout = CheckoutService(uow, clock, policy, "RUB")
    tt = await make_event(uow, clock, quantity=50)

    buyers = [await users.identify(TelegramProfile(1000 + i, f"Buyer {i}")) for i in range(200)]
    async with uow() as u:
        for b in buyers:
            await u.wallets.apply(b.id, Money(500_000, "RUB"), EntryKind.CREDIT, f"seed:{b.id}", clock.now())
        await u.commit()

    async def buy(user_id: int) -> str:
        try:
            view = await carts.add_tickets(user_id, tt.id, 1)
        except SoldOut:
            return "sold_out"
        result = await pay(checkout, user_id, view.version, view.terms)
        assert len(result.tickets) == 1
        return "bought"

    outcomes = await asyncio.gather(*(buy(b.id) for b in buyers))
    assert outcomes.count("bought") == 50
    assert outcomes.count("sold_out") == 150

    async with engine.connect() as conn:
        row = (await conn.execute(select(ticket_types).where(ticket_types.c.id == tt.id))).one()
        assert (row.sold, row.held) == (50, 0)
        assert (await conn.execute(select(func.count()).select_from(tickets))).scalar_one() == 50
        order_total = (await conn.execute(select(func.sum(orders.c.total_minor)))).scalar_one()
        debits = (
            await conn.execute(
                select(func.sum(wallet_entries.c.amount_minor)).where(wallet_entries.c.kind == "purchase")
            )
        ).scalar_one()
        assert order_total == 50 * PRICE.minor
        assert -debits == order_total
