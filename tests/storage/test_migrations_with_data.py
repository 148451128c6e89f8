"""Revisions 0003 and 0002 go down and up again with a paid order (order lines, tickets, ledger entries)
and inbox rows present, on SQLite with foreign keys on and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from domain.models import EntryKind, TelegramProfile
from domain.money import Money
from domain.policies import AdminPolicy, HoldPolicy
from domain.services.cart import CartService
from domain.services.checkout import CheckoutService
from domain.services.users import UserService
from storage.inbox import UpdateInbox
from storage.migrate import downgrade, upgrade
from storage.tables import orders, tickets
from storage.uow import UnitOfWorkFactory
from tests.storage.test_checkout_race import make_event


async def test_down_to_0001_and_up_again_with_a_paid_order(engine, clock):
    uow = UnitOfWorkFactory(engine)
    users = UserService(uow, clock, AdminPolicy())
    cart = CartService(uow, clock, HoldPolicy(15, 10), "RUB")
    checkout = CheckoutService(uow, clock, HoldPolicy(15, 10), "RUB")
    tt = await make_event(uow, clock, quantity=10)
    u = await users.identify(TelegramProfile(5, "A"))
    async with uow() as w:
        await w.wallets.apply(u.id, Money(10_000_000, "RUB"), EntryKind.CREDIT, "seed", clock.now())
        await w.commit()
    view = await cart.add_tickets(u.id, tt.id, 2)
    assert not (await checkout.pay_from_wallet(u.id, view.version)).already_paid
    inbox = UpdateInbox(engine)
    await inbox.record([(1, "{}"), (2, "{}")], clock.now())
    await inbox.mark(1, clock.now())
    try:
        await downgrade(engine, "0002")
        await downgrade(engine, "0001")
        await upgrade(engine)
        async with engine.connect() as conn:
            assert (await conn.execute(select(func.count()).select_from(tickets))).scalar_one() == 2
            row = (await conn.execute(select(orders.c.delivered_at, orders.c.paid_at))).one()
            assert row.delivered_at is not None
            codes = (await conn.execute(select(tickets.c.short_code))).scalars().all()
            assert all(codes)
    finally:
        await upgrade(engine)
