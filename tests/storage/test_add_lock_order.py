"""Adding a ticket to a cart with an expired hold: the expired quota goes back in its own transaction,
so two customers doing it in opposite directions (A gives back `high` and takes `low`, B the reverse)
never lock quota rows out of id order, and never deadlock on PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from domain.errors import ConcurrencyConflict
from domain.models import TelegramProfile
from domain.policies import AdminPolicy, HoldPolicy
from domain.services.cart import CartService
from domain.services.users import UserService
from storage.repos.catalog import InventoryRepo
from storage.uow import UnitOfWorkFactory
from tests.storage.test_checkout_race import make_event


async def test_adding_after_an_expired_hold_never_deadlocks(engine, clock, monkeypatch):
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL row locks")
    uow = UnitOfWorkFactory(engine)
    users = UserService(uow, clock, AdminPolicy())
    cart = CartService(uow, clock, HoldPolicy(15, 10), "RUB")
    low = await make_event(uow, clock, quantity=100)
    high = await make_event(uow, clock, quantity=100)
    assert low.id < high.id
    a = await users.identify(TelegramProfile(1, "A"))
    b = await users.identify(TelegramProfile(2, "B"))
    await cart.add_tickets(a.id, high.id, 1)  # A will release `high`, then hold `low`
    await cart.add_tickets(b.id, low.id, 1)  # B will release `low`, then hold `high`
    clock.advance(minutes=16)

    real_hold = InventoryRepo.hold

    async def slow_hold(self, ticket_type_id, qty):
        await asyncio.sleep(0.3)  # both transactions hold their released quota row by now
        return await real_hold(self, ticket_type_id, qty)

    monkeypatch.setattr(InventoryRepo, "hold", slow_hold)
    results = await asyncio.gather(
        cart.add_tickets(a.id, low.id, 1), cart.add_tickets(b.id, high.id, 1), return_exceptions=True
    )
    conflicts = [r for r in results if isinstance(r, ConcurrencyConflict)]
    assert conflicts == [], f"deadlock: {conflicts}"
    assert all(not isinstance(r, BaseException) for r in results), results
    assert [len(r.ready) for r in results] == [1, 1]
