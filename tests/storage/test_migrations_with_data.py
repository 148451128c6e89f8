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
from tests.paying import pay
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
    assert not (await pay(checkout, u.id, view.version, view.terms)).already_paid
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


async def test_0009_indexes_the_events_already_there(engine, clock):
    """Events saved before the search index are refolded (accents), given a title key, taught to the
    vocabulary, and (published ones only) found through the trigram index."""
    from datetime import timedelta

    from sqlalchemy import text

    from domain.services.catalog import CatalogService

    start = clock.now() + timedelta(days=3)
    try:
        await downgrade(engine, "0008")
        async with engine.begin() as conn:
            insert = text(
                "INSERT INTO events (title, performers, venue, category, status, search_text, starts_at, created_at)"
                " VALUES (:title, 'Björk', 'Café', 'concert', :status, 'stale', :start, :start)"
            )
            await conn.execute(insert, [{"title": "Ёлка Noël", "status": "published", "start": start},
                                        {"title": "Draft Noël", "status": "draft", "start": start}])  # fmt: skip
        await upgrade(engine)
        uow = UnitOfWorkFactory(engine)
        async with uow(write=False) as u:
            assert await u.events.known_words(["bjork", "cafe", "noel", "елка", "draft"]) == {
                "bjork", "cafe", "noel", "елка", "draft"
            }  # fmt: skip
        users = UserService(uow, clock, AdminPolicy())
        anna = (await users.identify(TelegramProfile(5, "A"))).id
        page = await CatalogService(uow, clock, HoldPolicy()).search(anna, "bjork cafe")
        assert [i.event.title for i in page.items] == ["Ёлка Noël"], "the published one, refolded and indexed"
        exact = await CatalogService(uow, clock, HoldPolicy()).search(anna, "елка noel")
        assert exact.total == 1
    finally:
        await upgrade(engine)
