"""One person's concurrent taps (➕ while paying, a double "add") never leak quota or charge for missing tickets."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from domain.errors import DomainError
from domain.models import EntryKind, TelegramProfile
from domain.money import Money
from domain.policies import AdminPolicy, HoldPolicy
from domain.services.cart import CartService
from domain.services.checkout import CheckoutService
from domain.services.users import UserService
from storage.tables import cart_items, orders, ticket_types, tickets, wallet_entries
from storage.uow import UnitOfWorkFactory
from tests.paying import pay, same_as_me
from tests.storage.test_checkout_race import PRICE, make_event


async def _consistent(engine, tt_id: int) -> None:
    async with engine.connect() as conn:
        tt = (await conn.execute(select(ticket_types).where(ticket_types.c.id == tt_id))).one()
        held_items = (
            await conn.execute(select(func.coalesce(func.sum(cart_items.c.qty), 0)).where(cart_items.c.state == "held"))
        ).scalar_one()
        issued = (await conn.execute(select(func.count()).select_from(tickets))).scalar_one()
        charged = (
            await conn.execute(
                select(func.coalesce(func.sum(wallet_entries.c.amount_minor), 0)).where(
                    wallet_entries.c.kind == "purchase"
                )
            )
        ).scalar_one()
        totals = (await conn.execute(select(func.coalesce(func.sum(orders.c.total_minor), 0)))).scalar_one()
    assert tt.held == held_items, "quota held must equal what live cart items hold"
    assert tt.sold == issued, "every sold seat has a ticket"
    assert -charged == totals == issued * PRICE.minor, "charged exactly for the tickets issued"


async def test_plus_while_paying_keeps_quota_and_money_consistent(engine, clock):
    uow = UnitOfWorkFactory(engine)
    policy = HoldPolicy(15, 10)
    users = UserService(uow, clock, AdminPolicy())
    carts = CartService(uow, clock, policy, "RUB")
    checkout = CheckoutService(uow, clock, policy, "RUB")
    tt = await make_event(uow, clock, quantity=500)
    for n in range(8):
        user = await users.identify(TelegramProfile(10 + n, f"U{n}"))
        async with uow() as w:
            await w.wallets.apply(user.id, Money(10_000_000, "RUB"), EntryKind.CREDIT, f"seed{n}", clock.now())
            await w.commit()
        view = await carts.add_tickets(user.id, tt.id, 2)
        item = view.ready[0].item_id

        async def plus(user_id=user.id, item_id=item):
            return await carts.adjust(user_id, item_id, +1)

        async def press_pay(user_id=user.id, version=view.version, terms=view.terms):
            return await checkout.pay_from_wallet(user_id, version, terms)

        await same_as_me(checkout, user.id)
        results = await asyncio.gather(press_pay(), plus(), plus(), return_exceptions=True)
        for result in results:
            assert not isinstance(result, Exception) or isinstance(result, DomainError), repr(result)
        await _consistent(engine, tt.id)


async def test_double_add_with_the_same_press_adds_once(engine, clock):
    uow = UnitOfWorkFactory(engine)
    carts = CartService(uow, clock, HoldPolicy(15, 10), "RUB")
    users = UserService(uow, clock, AdminPolicy())
    tt = await make_event(uow, clock, quantity=100)
    user = await users.identify(TelegramProfile(1, "A"))
    await carts.add_tickets(user.id, tt.id, 1)
    results = await asyncio.gather(
        carts.add_tickets(user.id, tt.id, 6, op_key="press-1"),
        carts.add_tickets(user.id, tt.id, 6, op_key="press-1"),
        return_exceptions=True,
    )
    assert not any(isinstance(r, Exception) for r in results), results
    async with uow(write=False) as u:
        assert (await u.events.ticket_type(tt.id)).held == 7


async def test_two_tariff_carts_paid_at_once_never_deadlock(engine, clock):
    uow = UnitOfWorkFactory(engine)
    policy = HoldPolicy(15, 10)
    users = UserService(uow, clock, AdminPolicy())
    carts = CartService(uow, clock, policy, "RUB")
    checkout = CheckoutService(uow, clock, policy, "RUB")
    first = await make_event(uow, clock, quantity=200)
    second = await make_event(uow, clock, quantity=200)
    versions = {}
    for n in range(60):
        user = await users.identify(TelegramProfile(100 + n, f"U{n}"))
        async with uow() as w:
            await w.wallets.apply(user.id, Money(10_000_000, "RUB"), EntryKind.CREDIT, f"s{n}", clock.now())
            await w.commit()
        order = (first, second) if n % 2 else (second, first)  # half add A then B, half B then A
        for tt in order:
            view = await carts.add_tickets(user.id, tt.id, 1)
        versions[user.id] = view.version, view.terms
    results = await asyncio.gather(*(pay(checkout, uid, *v) for uid, v in versions.items()), return_exceptions=True)
    assert [r for r in results if isinstance(r, Exception)] == []
    async with uow(write=False) as u:
        assert (await u.events.ticket_type(first.id)).sold == 60
        assert (await u.events.ticket_type(second.id)).sold == 60


async def test_per_order_limit_spans_renewed_and_changed_lines(engine, clock):
    import pytest

    from domain.errors import LimitReached

    uow = UnitOfWorkFactory(engine)
    carts = CartService(uow, clock, HoldPolicy(15, 10), "RUB")
    users = UserService(uow, clock, AdminPolicy())
    tt = await make_event(uow, clock, quantity=100)
    user = await users.identify(TelegramProfile(1, "A"))
    first = (await carts.add_tickets(user.id, tt.id, 6)).ready[0].item_id
    clock.advance(minutes=16)  # the first line expires
    second = (await carts.add_tickets(user.id, tt.id, 5)).ready[0].item_id
    with pytest.raises(LimitReached):  # 6 renewed + 5 held would be 11 of one tariff
        await carts.renew(user.id, first)
    await carts.change_qty(user.id, second, 4)
    view = await carts.renew(user.id, first)  # 6 + 4 = 10: allowed
    assert view.ticket_count == 10
    with pytest.raises(LimitReached):  # ➕ on the other line would make 11
        await carts.change_qty(user.id, second, 5)
    async with uow(write=False) as u:
        assert (await u.events.ticket_type(tt.id)).held == 10
