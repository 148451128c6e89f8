"""The delivery marks and the sweep that resends ticket messages, on SQLite and PostgreSQL.

A paid order is delivered once its ticket messages all went out: only its buyer's handler marks it, and the
first mark stays. The sweep takes paid, unmarked orders paid strictly before the cut-off (younger ones are
still being sent by the handler that took the payment), oldest first, at most `limit` (50 by default), each
with its buyer and everything the messages need.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from domain.codes import ticket_payload
from domain.models import Order, OrderStatus
from domain.money import Money
from storage.tables import orders
from tests.paying import pay
from tests.storage.test_checkout_records import RUB, buyer, tariff
from tests.storage.test_guards import Shop

MINUTE = timedelta(minutes=1)


async def delivered_at(engine, order_id: int):
    async with engine.connect() as conn:
        return (await conn.execute(select(orders.c.delivered_at).where(orders.c.id == order_id))).scalar_one()


async def purchase(shop: Shop, user, tt, qty: int):
    view = await shop.carts.add_tickets(user.id, tt.id, qty)
    return await pay(shop.checkout, user.id, view.version, view.terms)


async def test_only_the_buyer_marks_an_order_delivered_and_the_first_mark_stays(engine, clock):
    rule = "mark_delivered must set delivered_at = now for the buyer's own order, once"
    shop = Shop(engine, clock)
    tt = await tariff(shop, "Маузер", "Parterre", 150_000)
    anna = await buyer(shop, 1_000_000)
    bob = await buyer(shop, 0, telegram_id=2)
    view = await shop.carts.add_tickets(anna.id, tt.id, 1)
    paid = await pay(shop.checkout, anna.id, view.version, view.terms)
    order_id = paid.order.id

    clock.advance(seconds=5)
    await shop.checkout.mark_delivered(bob.id, order_id)
    assert await delivered_at(engine, order_id) is None, f"{rule}: someone else's mark counted"
    first = clock.now()
    await shop.checkout.mark_delivered(anna.id, order_id)
    assert await delivered_at(engine, order_id) == first, rule
    clock.advance(seconds=5)
    await shop.checkout.mark_delivered(anna.id, order_id)
    assert await delivered_at(engine, order_id) == first, f"{rule}: a second mark moved the first"

    again = await pay(shop.checkout, anna.id, view.version, view.terms)  # the Pay press replayed
    assert again.already_paid and again.order.delivered_at == first and not again.needs_delivery, rule

    async with shop.uow() as u:  # what the repository answers
        assert await u.orders.mark_delivered(order_id, anna.id, clock.now()) is False, rule
    now = clock.now()
    async with shop.uow() as u:
        other = await u.orders.add(Order(0, anna.id, OrderStatus.PAID, Money(1, RUB), now, paid_at=now), "k", None)
        assert await u.orders.mark_delivered(other.id, bob.id, now) is False, rule
        assert await u.orders.mark_delivered(other.id, anna.id, now) is True, rule


async def test_the_sweep_takes_paid_unmarked_orders_older_than_the_cutoff_oldest_first(engine, clock):
    rule = "undelivered must list paid, unmarked orders paid strictly before now - older_than, by id"
    shop = Shop(engine, clock)
    parterre = await tariff(shop, "Маузер", "Parterre", 150_000)
    balcony = await tariff(shop, "Другой концерт", "Balcony", 70_000)
    anna = await buyer(shop, 1_000_000)
    bob = await buyer(shop, 500_000, telegram_id=2)

    first = await purchase(shop, anna, parterre, 2)
    clock.advance(seconds=10)
    second = await purchase(shop, bob, balcony, 1)
    clock.advance(seconds=10)
    marked = await purchase(shop, anna, balcony, 1)
    await shop.checkout.mark_delivered(anna.id, marked.order.id)
    now = clock.now()
    async with shop.uow() as u:  # not paid: never delivered
        for status in (OrderStatus.PENDING, OrderStatus.CANCELLED):
            await u.orders.add(Order(0, anna.id, status, Money(1, RUB), now, paid_at=now - MINUTE), status.value, None)
        await u.commit()
    clock.advance(seconds=10)
    young = await purchase(shop, bob, parterre, 1)  # paid exactly at the cut-off below: still being sent

    clock.advance(minutes=1)
    found = await shop.checkout.undelivered(MINUTE)
    assert [(r.order.id, b.id) for r, b in found] == [(first.order.id, anna.id), (second.order.id, bob.id)], rule
    assert young.order.id not in [r.order.id for r, _ in found], f"{rule}: paid at the cut-off is not older"

    result, who = found[0]
    assert who.telegram_id == 1 and who.display_name == "Anna Petrova", rule
    assert result.already_paid and result.needs_delivery, rule
    assert result.order.user_id == anna.id and result.order.total == Money(300_000, RUB), rule
    assert result.balance == Money(1_000_000 - 300_000 - 70_000, RUB), f"{rule}: the buyer's balance now"
    assert [v.ticket.id for v in result.tickets] == [v.ticket.id for v in first.tickets], rule
    assert [(v.tariff, v.event.title) for v in result.tickets] == [("Parterre", "Маузер")] * 2, rule
    assert [v.payload for v in result.tickets] == [ticket_payload(v.ticket.secret) for v in first.tickets], rule
    assert found[1][0].balance == Money(500_000 - 70_000 - 150_000, RUB), rule

    assert [r.order.id for r, _ in await shop.checkout.undelivered(MINUTE, limit=1)] == [first.order.id], rule
    clock.advance(seconds=1)
    assert [r.order.id for r, _ in await shop.checkout.undelivered(MINUTE)][-1] == young.order.id, rule


async def test_the_sweep_takes_fifty_at_a_time_by_default(engine, clock):
    rule = "undelivered without a limit must take the 50 oldest"
    shop = Shop(engine, clock)
    anna = await buyer(shop, 0)
    now = clock.now()
    async with shop.uow() as u:
        ids = []
        for n in range(51):
            order = Order(0, anna.id, OrderStatus.PAID, Money(0, RUB), now, paid_at=now)
            ids.append((await u.orders.add(order, f"k{n}", None)).id)
        await u.commit()
    clock.advance(minutes=2)
    found = await shop.checkout.undelivered(MINUTE)
    assert [r.order.id for r, _ in found] == ids[:50], rule
