"""What a checkout writes and what it answers, read back from the database, on SQLite and PostgreSQL.

One payment is: an order row (paid, the cart's total, keyed by the cart version the Pay button showed), one
line per cart line (what was sold, at what price, under which names), one purchase entry in the ledger keyed
by the order, one valid ticket per seat in the buyer's name, the cart lines ORDERED, the quota sold and the
cart version bumped. A refusal writes none of it. A replayed press answers the same order again.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from domain.codes import ticket_payload
from domain.errors import CartChanged, CartEmpty, DomainError, DuplicateOperation, HoldExpired, NotEnoughMoney
from domain.models import (
    EntryKind,
    Event,
    EventStatus,
    ItemKind,
    ItemState,
    Order,
    OrderLine,
    OrderStatus,
    TelegramProfile,
    TicketStatus,
    TicketType,
)
from domain.money import Money
from domain.services import checkout as checkout_module
from domain.terms import Conditions
from storage.repos.carts import CartRepo
from storage.repos.catalog import InventoryRepo
from storage.repos.orders import OrderRepo
from storage.tables import cart_items, carts, order_lines, orders, tickets, wallet_entries
from tests.paying import pay
from tests.storage.test_guards import POLICY, Shop, books, expect

RUB = "RUB"


async def tariff(shop: Shop, title: str, name: str, price: int, quantity: int = 20) -> TicketType:
    async with shop.uow() as u:
        event = await u.events.add(
            Event(0, title, shop.clock.now() + timedelta(days=10), "Таганка", EventStatus.PUBLISHED)
        )
        tt = await u.events.add_ticket_type(TicketType(0, event.id, name, Money(price, RUB), quantity))
        await u.commit()
    return tt


async def buyer(shop: Shop, money: int, telegram_id: int = 1):
    user = await shop.users.identify(TelegramProfile(telegram_id, "Anna", "Petrova"))
    if money:
        async with shop.uow() as u:
            await u.wallets.apply(user.id, Money(money, RUB), EntryKind.CREDIT, f"seed:{user.id}", shop.clock.now())
            await u.commit()
    return user


async def rows(engine, table, *where):
    async with engine.connect() as conn:
        return (await conn.execute(select(table).where(*where).order_by(table.c.id))).all()


async def count(engine, table, *where) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def nothing_written(shop: Shop, user_id: int, rule: str) -> None:
    assert await count(shop.engine, orders) == 0, f"{rule}: an order was written"
    assert await count(shop.engine, order_lines) == 0, f"{rule}: an order line was written"
    assert await count(shop.engine, tickets) == 0, f"{rule}: a ticket was issued"
    purchases = await count(shop.engine, wallet_entries, wallet_entries.c.kind == EntryKind.PURCHASE.value)
    assert purchases == 0, f"{rule}: the wallet was debited"


async def cart_version(engine, cart_id: int) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(carts.c.version).where(carts.c.id == cart_id))).scalar_one()


class TwoTariffs:
    """Anna adds 2 × "Balcony" (the later tariff) first, then 1 × "Parterre": the cart's item order is not
    the tariffs' order. She pays five minutes later, from a wallet of 10 000.00."""

    SEED = 1_000_000

    async def setup(self, shop: Shop):
        self.parterre = await tariff(shop, "Маузер", "Parterre", 150_000)
        self.balcony = await tariff(shop, "Другой концерт", "Balcony", 70_000)
        self.anna = await buyer(shop, self.SEED)
        await shop.carts.add_tickets(self.anna.id, self.balcony.id, 2)
        self.view = await shop.carts.add_tickets(self.anna.id, self.parterre.id, 1)
        shop.clock.advance(minutes=5)
        self.paid_at = shop.clock.now()
        self.result = await pay(shop.checkout, self.anna.id, self.view.version, self.view.terms)
        return self


async def test_the_order_row_is_paid_for_the_cart_total_under_the_pay_buttons_key(engine, clock):
    rule = "checkout must write a paid order for the cart total, keyed checkout:<cart>:<version>"
    shop = Shop(engine, clock)
    s = await TwoTariffs().setup(shop)
    (row,) = await rows(engine, orders)
    assert row.user_id == s.anna.id and row.cart_id == s.view.cart_id, rule
    assert row.status == OrderStatus.PAID.value, rule
    assert (row.total_minor, row.currency) == (290_000, RUB), rule
    assert row.idempotency_key == f"checkout:{s.view.cart_id}:{s.view.version}", rule
    assert row.created_at == s.paid_at and row.paid_at == s.paid_at, f"{rule}: created and paid at the payment"
    assert row.delivered_at is None, f"{rule}: nothing is delivered yet"

    order = s.result.order
    assert order.id == row.id and order.user_id == s.anna.id and order.status is OrderStatus.PAID, rule
    assert order.total == Money(290_000, RUB), rule
    assert order.created_at == s.paid_at and order.paid_at == s.paid_at and order.delivered_at is None, rule
    assert s.result.needs_delivery and s.result.already_paid is False, rule


async def test_one_line_per_cart_line_in_tariff_order_with_its_names_and_price(engine, clock):
    rule = "checkout must write each cart line as an order line, tariffs in ticket-type order"
    shop = Shop(engine, clock)
    s = await TwoTariffs().setup(shop)
    lines = await rows(engine, order_lines)
    got = [
        (r.order_id, r.kind, r.qty, r.unit_price_minor, r.currency, r.event_id, r.ticket_type_id, r.title, r.tariff)
        for r in lines
    ]
    order_id = s.result.order.id
    assert got == [
        (order_id, "ticket", 1, 150_000, RUB, s.parterre.event_id, s.parterre.id, "Маузер", "Parterre"),
        (order_id, "ticket", 2, 70_000, RUB, s.balcony.event_id, s.balcony.id, "Другой концерт", "Balcony"),
    ], rule
    assert s.result.order.lines == [
        OrderLine(lines[0].id, order_id, ItemKind.TICKET, 1, Money(150_000, RUB), s.parterre.event_id,
                  s.parterre.id, "Маузер", "Parterre", total=Money(150_000, RUB)),
        OrderLine(lines[1].id, order_id, ItemKind.TICKET, 2, Money(70_000, RUB), s.balcony.event_id,
                  s.balcony.id, "Другой концерт", "Balcony", total=Money(140_000, RUB)),
    ], f"{rule}: the answer must carry the lines as written"  # fmt: skip


async def test_the_wallet_is_debited_once_under_the_orders_key(engine, clock):
    rule = "checkout must debit the total once, as a purchase keyed order:<id> naming the order"
    shop = Shop(engine, clock)
    s = await TwoTariffs().setup(shop)
    (entry,) = await rows(engine, wallet_entries, wallet_entries.c.kind == EntryKind.PURCHASE.value)
    order_id = s.result.order.id
    assert (entry.user_id, entry.amount_minor, entry.currency) == (s.anna.id, -290_000, RUB), rule
    assert entry.idempotency_key == f"order:{order_id}" and entry.order_id == order_id, rule
    assert entry.balance_after_minor == s.SEED - 290_000 and entry.created_at == s.paid_at, rule
    assert s.result.balance == Money(s.SEED - 290_000, RUB), f"{rule}: the answer shows the balance after it"
    async with shop.uow(write=False) as u:
        assert await u.wallets.balance(s.anna.id, RUB) == Money(s.SEED - 290_000, RUB), rule


async def test_one_valid_ticket_per_seat_in_the_buyers_name(engine, clock):
    rule = "checkout must issue one valid ticket per seat, owned by and named after the buyer"
    shop = Shop(engine, clock)
    s = await TwoTariffs().setup(shop)
    stored = await rows(engine, tickets)
    order_id = s.result.order.id
    assert [(t.order_id, t.event_id, t.ticket_type_id) for t in stored] == [
        (order_id, s.parterre.event_id, s.parterre.id),
        (order_id, s.balcony.event_id, s.balcony.id),
        (order_id, s.balcony.event_id, s.balcony.id),
    ], rule
    for t in stored:
        assert (t.owner_id, t.holder_name) == (s.anna.id, "Anna Petrova"), rule
        assert t.status == TicketStatus.VALID.value and t.created_at == s.paid_at, rule
        assert t.checked_in_at is None and t.checked_in_by is None, rule
        assert t.short_code == t.secret[:8], rule
    assert len({t.secret for t in stored}) == 3, f"{rule}: every ticket has its own secret"

    views = s.result.tickets
    assert [v.ticket.id for v in views] == [t.id for t in stored], f"{rule}: the answer lists the tickets issued"
    assert [v.ticket.secret for v in views] == [t.secret for t in stored], rule
    assert [v.payload for v in views] == [ticket_payload(t.secret) for t in stored], rule
    assert [v.tariff for v in views] == ["Parterre", "Balcony", "Balcony"], rule
    assert [v.event.title for v in views] == ["Маузер", "Другой концерт", "Другой концерт"], rule
    assert [v.event.id for v in views] == [s.parterre.event_id, s.balcony.event_id, s.balcony.event_id], rule


async def test_the_cart_lines_are_ordered_the_quota_sold_and_the_version_bumped(engine, clock):
    rule = "checkout must turn the held lines into ORDERED ones, move held quota to sold and bump the cart"
    shop = Shop(engine, clock)
    s = await TwoTariffs().setup(shop)
    states = [(r.state, r.updated_at) for r in await rows(engine, cart_items)]
    assert states == [(ItemState.ORDERED.value, s.paid_at)] * 2, rule
    assert await books(engine, s.parterre.id) == (20, 0, 1, 0), rule
    assert await books(engine, s.balcony.id) == (20, 0, 2, 0), rule
    assert await cart_version(engine, s.view.cart_id) == s.view.version + 1, rule
    after = await shop.carts.view(s.anna.id)
    assert after.is_empty and after.version == s.view.version + 1, rule


async def test_the_same_pay_press_again_answers_the_same_order(engine, clock):
    rule = "a replayed Pay press must answer the order it paid (already_paid), and write nothing"
    shop = Shop(engine, clock)
    s = await TwoTariffs().setup(shop)
    clock.advance(minutes=1)
    again = await pay(shop.checkout, s.anna.id, s.view.version, s.view.terms)
    first = s.result
    assert again.already_paid, rule
    assert again.order == first.order, f"{rule}: the order read back differs from the one written"
    assert [v.ticket for v in again.tickets] == [v.ticket for v in first.tickets], rule
    assert [(v.event, v.tariff, v.payload) for v in again.tickets] == [
        (v.event, v.tariff, v.payload) for v in first.tickets
    ], rule
    assert again.balance == Money(s.SEED - 290_000, RUB), rule
    assert (await count(engine, orders), await count(engine, tickets), await count(engine, wallet_entries)) == (
        1,
        3,
        2,
    ), rule


async def test_a_free_order_debits_nothing_and_answers_the_balance(engine, clock):
    rule = "a zero total must not touch the ledger; the answer shows the wallet as it is"
    shop = Shop(engine, clock)
    free = await tariff(shop, "Open air", "Free", 0)
    anna = await buyer(shop, 12_345)
    view = await shop.carts.add_tickets(anna.id, free.id, 2)
    result = await pay(shop.checkout, anna.id, view.version, view.terms)
    assert result.order.total == Money(0, RUB) and len(result.tickets) == 2, rule
    assert result.balance == Money(12_345, RUB), rule
    purchases = await count(engine, wallet_entries, wallet_entries.c.kind == EntryKind.PURCHASE.value)
    assert purchases == 0, f"{rule}: a ledger entry of 0"
    nobody = await buyer(shop, 0, telegram_id=2)
    view = await shop.carts.add_tickets(nobody.id, free.id, 1)
    assert (await pay(shop.checkout, nobody.id, view.version, view.terms)).balance == Money(0, RUB), rule


@pytest.mark.parametrize("money", [100_000, 0])
async def test_not_enough_money_names_the_gap_and_changes_nothing(engine, clock, money):
    rule = "a checkout the wallet cannot pay must say how much is missing and write nothing"
    shop = Shop(engine, clock)
    tt = await tariff(shop, "Маузер", "Parterre", 150_000)
    anna = await buyer(shop, money)
    view = await shop.carts.add_tickets(anna.id, tt.id, 1)
    error = await expect(NotEnoughMoney, pay(shop.checkout, anna.id, view.version, view.terms), rule)
    assert error.params == {
        "total": Money(150_000, RUB),
        "balance": Money(money, RUB),
        "missing": Money(150_000 - money, RUB),
    }, rule
    await nothing_written(shop, anna.id, rule)
    assert [r.state for r in await rows(engine, cart_items)] == [ItemState.HELD.value], rule
    assert await books(engine, tt.id) == (20, 1, 0, 1), rule
    assert await cart_version(engine, view.cart_id) == view.version, rule


async def test_a_stale_or_empty_cart_is_refused(engine, clock):
    rule = "Pay for a cart version that is not the current one is CartChanged; an empty cart is CartEmpty"
    shop = Shop(engine, clock)
    tt = await tariff(shop, "Маузер", "Parterre", 150_000)
    anna = await buyer(shop, 1_000_000)
    empty = await shop.carts.view(anna.id)
    await expect(CartEmpty, pay(shop.checkout, anna.id, empty.version, empty.terms), rule)
    view = await shop.carts.add_tickets(anna.id, tt.id, 1)
    await expect(CartChanged, pay(shop.checkout, anna.id, view.version + 1, view.terms), rule)
    await expect(CartChanged, pay(shop.checkout, anna.id, empty.version, empty.terms), rule)
    await nothing_written(shop, anna.id, rule)
    assert await cart_version(engine, view.cart_id) == view.version, rule


async def test_a_lapsed_hold_is_released_and_the_cart_bumped_before_refusing(engine, clock):
    rule = "Pay after a hold lapsed must release it, bump the cart version (committed) and raise HoldExpired"
    shop = Shop(engine, clock)
    tt = await tariff(shop, "Маузер", "Parterre", 150_000)
    anna = await buyer(shop, 1_000_000)
    view = await shop.carts.add_tickets(anna.id, tt.id, 2)
    clock.advance(minutes=POLICY.hold_minutes)
    await expect(HoldExpired, pay(shop.checkout, anna.id, view.version, view.terms), rule)
    await nothing_written(shop, anna.id, rule)
    assert [r.state for r in await rows(engine, cart_items)] == [ItemState.EXPIRED.value], rule
    assert await books(engine, tt.id) == (20, 0, 0, 0), rule
    assert await cart_version(engine, view.cart_id) == view.version + 1, rule


@pytest.mark.parametrize("fails", ["claim", "sale"])
async def test_a_line_that_cannot_be_claimed_or_sold_fails_the_whole_checkout(engine, clock, monkeypatch, fails):
    """Behind the cart lock neither can fail today; should a hold ever be taken from under it, the checkout
    must fail as a whole: no order, no debit, no ticket, the line still held."""
    rule = "checkout must raise HoldExpired and write nothing when a line's HELD->ORDERED or its sale fails"
    shop = Shop(engine, clock)
    parterre = await tariff(shop, "Маузер", "Parterre", 150_000)
    balcony = await tariff(shop, "Другой концерт", "Balcony", 70_000)
    anna = await buyer(shop, 1_000_000)
    await shop.carts.add_tickets(anna.id, parterre.id, 1)
    view = await shop.carts.add_tickets(anna.id, balcony.id, 1)
    if fails == "claim":
        real = CartRepo.transition

        async def transition(self, item_id, from_state, to_state, now, qty):
            if to_state is ItemState.ORDERED and item_id == view.ready[-1].item_id:
                return False
            return await real(self, item_id, from_state, to_state, now, qty=qty)

        monkeypatch.setattr(CartRepo, "transition", transition)
    else:
        real_sell = InventoryRepo.sell_held

        async def sell_held(self, ticket_type_id, qty):
            return False if ticket_type_id == balcony.id else await real_sell(self, ticket_type_id, qty)

        monkeypatch.setattr(InventoryRepo, "sell_held", sell_held)
    await expect(HoldExpired, pay(shop.checkout, anna.id, view.version, view.terms), rule)
    monkeypatch.undo()
    await nothing_written(shop, anna.id, rule)
    assert [r.state for r in await rows(engine, cart_items)] == [ItemState.HELD.value] * 2, rule
    assert await books(engine, parterre.id) == (20, 1, 0, 1) and await books(engine, balcony.id) == (20, 1, 0, 1)
    assert await cart_version(engine, view.cart_id) == view.version, rule


async def test_a_press_that_loses_the_race_to_the_same_press_answers_the_winners_order(engine, clock, monkeypatch):
    """Two presses of one Pay button: the loser read no order under the key (the winner had not committed
    yet) and its insert then hits the unique key. It must answer the winner's order, not an error, and its
    own transaction must leave no trace."""
    rule = "a DuplicateOperation on the checkout key must answer the order that holds the key (already_paid)"
    shop = Shop(engine, clock)
    tt = await tariff(shop, "Маузер", "Parterre", 150_000)
    anna = await buyer(shop, 1_000_000)
    view = await shop.carts.add_tickets(anna.id, tt.id, 1)
    key = f"checkout:{view.cart_id}:{view.version}"
    now = clock.now()
    async with shop.uow() as u:  # the winner's order, committed after the loser looked for it
        winner = await u.orders.add(
            Order(0, anna.id, OrderStatus.PAID, Money(150_000, RUB), now, paid_at=now), key, None
        )
        await u.commit()
    real_by_key = OrderRepo.by_key
    looked_up = []

    async def by_key_before_the_winner_committed(self, wanted):
        looked_up.append(wanted)
        return None if len(looked_up) == 1 else await real_by_key(self, wanted)

    monkeypatch.setattr(OrderRepo, "by_key", by_key_before_the_winner_committed)
    again = await pay(shop.checkout, anna.id, view.version, view.terms)
    assert looked_up == [key, key], rule
    assert again.already_paid and again.order.id == winner.id and again.order.total == Money(150_000, RUB), rule
    assert again.balance == Money(1_000_000, RUB), rule
    assert await count(engine, orders) == 1 and await count(engine, tickets) == 0, f"{rule}: the loser wrote"
    assert [r.state for r in await rows(engine, cart_items)] == [ItemState.HELD.value], rule


async def test_a_duplicate_without_an_order_under_the_key_is_raised(engine, clock, monkeypatch):
    rule = "a DuplicateOperation whose key names no order must not be swallowed"
    shop = Shop(engine, clock)
    tt = await tariff(shop, "Маузер", "Parterre", 150_000)
    anna = await buyer(shop, 1_000_000)
    view = await shop.carts.add_tickets(anna.id, tt.id, 1)

    async def add(self, order, key, cart_id):
        raise DuplicateOperation(key=key)

    monkeypatch.setattr(OrderRepo, "add", add)
    error = await expect(DuplicateOperation, pay(shop.checkout, anna.id, view.version, view.terms), rule)
    assert error.params == {"key": f"checkout:{view.cart_id}:{view.version}"}, rule


async def test_another_customers_lapsed_hold_does_not_touch_this_checkout(engine, clock):
    rule = "checkout must release only its own cart's lapsed holds; another's must not refuse or bump it"
    shop = Shop(engine, clock)
    tt = await tariff(shop, "Маузер", "Parterre", 150_000)
    bob = await buyer(shop, 0, telegram_id=2)
    bob_view = await shop.carts.add_tickets(bob.id, tt.id, 3)
    clock.advance(minutes=POLICY.hold_minutes)  # Bob's hold lapsed, unswept
    anna = await buyer(shop, 1_000_000)
    view = await shop.carts.add_tickets(anna.id, tt.id, 1)
    result = await pay(shop.checkout, anna.id, view.version, view.terms)
    assert not result.already_paid and len(result.tickets) == 1, rule
    assert await cart_version(engine, bob_view.cart_id) == bob_view.version, f"{rule}: Bob's cart was bumped"
    assert [r.state for r in await rows(engine, cart_items)] == [ItemState.HELD.value, ItemState.ORDERED.value]
    assert await books(engine, tt.id) == (20, 3, 1, 3), f"{rule}: Bob's lapsed hold is his own view's or the sweep's"


async def test_pay_from_someone_without_a_cart_is_refused_not_a_crash(engine, clock):
    rule = "a Pay press from a user who has no cart yet (a forged or ancient button) must be refused cleanly"
    shop = Shop(engine, clock)
    anna = await buyer(shop, 1_000_000)
    await expect(CartChanged, pay(shop.checkout, anna.id, 3, Conditions().digest()), rule)
    bob = await buyer(shop, 1_000_000, telegram_id=2)
    await expect(CartEmpty, pay(shop.checkout, bob.id, 0, Conditions().digest()), rule)
    await nothing_written(shop, anna.id, rule)


async def test_a_quantity_change_waits_for_the_checkout_in_progress(engine, clock, monkeypatch):
    """The checkout locks the cart before it reads it: ➕ pressed while Pay is being processed waits for the
    payment instead of changing the line under it (which would fail the payment with HoldExpired)."""
    rule = "checkout must hold the cart lock from its first read to its commit"
    shop = Shop(engine, clock)
    tt = await tariff(shop, "Маузер", "Parterre", 150_000)
    anna = await buyer(shop, 1_000_000)
    view = await shop.carts.add_tickets(anna.id, tt.id, 2)
    real_build = checkout_module.build_cart_view
    raced = {}

    async def build_while_plus_is_pressed(*args):
        change = asyncio.ensure_future(shop.carts.change_qty(anna.id, view.ready[0].item_id, 3))
        done, _ = await asyncio.wait({change}, timeout=0.5)
        raced.update(task=change, finished_first=bool(done))
        return await real_build(*args)

    monkeypatch.setattr(checkout_module, "build_cart_view", build_while_plus_is_pressed)
    try:
        result = await pay(shop.checkout, anna.id, view.version, view.terms)
    finally:
        with contextlib.suppress(DomainError):
            await raced["task"]
    assert not raced["finished_first"], f"{rule}: the change went through during the checkout"
    assert len(result.tickets) == 2 and result.order.total == Money(300_000, RUB), rule
    assert await books(engine, tt.id) == (20, 0, 2, 0), rule
