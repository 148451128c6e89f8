"""What the cart shows and what adding does, at the service level on SQLite and PostgreSQL: every field of a
line, the total counting only lines that can be paid, the reason a line cannot be (event cancelled, started,
sales closed, hold lapsed, in that precedence), and the add path's refusals, merging and double-tap guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from domain.errors import (
    CartChanged,
    CartFull,
    CartItemNotFound,
    EventNotFound,
    EventNotOnSale,
    LimitReached,
    SalesClosed,
    SoldOut,
)
from domain.models import EventStatus, ItemState, UnavailableReason
from domain.money import Money
from storage.tables import events, ticket_types
from tests.storage.test_checkout_race import PRICE, make_event
from tests.storage.test_guards import POLICY, Shop, assert_books, books, expect


async def _set_event(engine, event_id: int, **values) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(events).where(events.c.id == event_id).values(**values))


async def _set_tariff(engine, tt_id: int, **values) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(ticket_types).where(ticket_types.c.id == tt_id).values(**values))


def _naive(dt):
    return dt.replace(tzinfo=None) if dt else dt


async def test_a_ready_line_shows_everything_and_the_total_counts_it(engine, clock):
    rule = "a held line shows its event, tariff, quantity, prices and deadline; the total sums ready lines"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=20)
    anna = await shop.person(1)
    view = await shop.carts.add_tickets(anna.id, tt.id, 3)
    [line] = view.ready
    assert view.unavailable == [] and view.max_per_order == POLICY.max_per_order, rule
    names = (line.event_id, line.ticket_type_id, line.event_title, line.tariff)
    assert names == (tt.event_id, tt.id, "Маузер", "Standard"), rule
    assert _naive(line.event_starts_at) == _naive(clock.now() + timedelta(days=10)), rule
    assert line.qty == 3 and line.unit_price == PRICE and line.subtotal == PRICE * 3, rule
    assert _naive(line.held_until) == _naive(clock.now() + POLICY.hold_for) and line.reason is None, rule
    assert view.total == PRICE * 3 and view.version == 1, rule
    again = await shop.carts.view(anna.id)
    assert again == view, f"{rule}: viewing again shows the same cart"


async def test_the_total_counts_only_lines_that_can_be_paid(engine, clock):
    rule = "the total leaves out unavailable lines"
    shop = Shop(engine, clock)
    first = await make_event(shop.uow, clock, quantity=20)
    anna = await shop.person(1)
    await shop.carts.add_tickets(anna.id, first.id, 2)
    clock.advance(minutes=16)  # the first hold lapsed
    second = await make_event(shop.uow, clock, quantity=20)
    await shop.carts.add_tickets(anna.id, second.id, 1)
    clock.advance(minutes=6)  # the second has 9 minutes left
    view = await shop.carts.view(anna.id)
    assert [ln.ticket_type_id for ln in view.ready] == [second.id], rule
    [lapsed] = view.unavailable
    assert lapsed.reason is UnavailableReason.HOLD_EXPIRED and lapsed.held_until is None, rule
    assert lapsed.qty == 2 and lapsed.subtotal == PRICE * 2 and lapsed.event_title == "Маузер", rule
    assert view.total == PRICE, rule


async def test_an_empty_cart_shows_nothing_and_zero(engine, clock):
    shop = Shop(engine, clock)
    anna = await shop.person(1)
    view = await shop.carts.view(anna.id)
    assert view.is_empty and view.total == Money(0, "RUB") and view.version == 0, "an empty cart totals 0 RUB"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("cancelled", UnavailableReason.EVENT_CANCELLED),
        ("cancelled and started", UnavailableReason.EVENT_CANCELLED),
        ("finished", UnavailableReason.EVENT_STARTED),
        ("starts now", UnavailableReason.EVENT_STARTED),
        ("started and sales closed", UnavailableReason.EVENT_STARTED),
        ("sales closed", UnavailableReason.SALES_CLOSED),
        ("sales closed and lapsed", UnavailableReason.SALES_CLOSED),
        ("sales not yet open", UnavailableReason.SALES_CLOSED),
        ("lapsed", UnavailableReason.HOLD_EXPIRED),
    ],
)
async def test_a_line_that_cannot_be_paid_says_why(engine, clock, change, reason):
    rule = f"a line whose event or tariff is {change!r} is shown unavailable as {reason.name}"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=20)
    anna = await shop.person(1)
    await shop.carts.add_tickets(anna.id, tt.id, 2)
    now = clock.now()
    if "cancelled" in change:
        await _set_event(engine, tt.event_id, status=EventStatus.CANCELLED.value)
    if change == "finished":
        await _set_event(engine, tt.event_id, status=EventStatus.FINISHED.value)
    if "started" in change:
        await _set_event(engine, tt.event_id, starts_at=now - timedelta(minutes=1))
    if change == "starts now":
        await _set_event(engine, tt.event_id, starts_at=now)
    if "sales closed" in change:
        await _set_tariff(engine, tt.id, sales_end=now + timedelta(minutes=20) if "lapsed" in change else now)
    if change == "sales not yet open":
        await _set_tariff(engine, tt.id, sales_start=now + timedelta(minutes=1))
    if "lapsed" in change:
        clock.advance(minutes=30)
    view = await shop.carts.view(anna.id)
    assert view.ready == [] and view.total == Money(0, "RUB"), rule
    [line] = view.unavailable
    assert line.reason is reason and line.held_until is None, rule
    assert line.tariff == "Standard" and line.qty == 2, rule


async def test_add_refuses_what_is_not_on_sale(engine, clock):
    rule = "adding refuses an unknown or draft tariff, a started event and a closed tariff, holding nothing"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=20)
    anna = await shop.person(1)
    await expect(EventNotFound, shop.carts.add_tickets(anna.id, tt.id + 99, 1), rule)
    await _set_event(engine, tt.event_id, status=EventStatus.DRAFT.value)
    await expect(EventNotFound, shop.carts.add_tickets(anna.id, tt.id, 1), rule)
    await _set_event(engine, tt.event_id, status=EventStatus.PUBLISHED.value, starts_at=clock.now())
    await expect(EventNotOnSale, shop.carts.add_tickets(anna.id, tt.id, 1), rule)
    await _set_event(engine, tt.event_id, starts_at=clock.now() + timedelta(days=1))
    await _set_tariff(engine, tt.id, sales_end=clock.now())
    await expect(SalesClosed, shop.carts.add_tickets(anna.id, tt.id, 1), rule)
    assert await books(engine, tt.id) == (20, 0, 0, 0), rule
    assert (await shop.carts.view(anna.id)).is_empty, rule


async def test_adding_the_same_tariff_again_grows_the_line_and_restarts_its_hold(engine, clock):
    rule = "a second add of a held tariff adds to its line (one line), restarting the hold"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=20)
    anna = await shop.person(1)
    first = await shop.carts.add_tickets(anna.id, tt.id, 2)
    clock.advance(minutes=5)
    second = await shop.carts.add_tickets(anna.id, tt.id, 3)
    [line] = second.ready
    assert line.item_id == first.ready[0].item_id and line.qty == 5, rule
    assert _naive(line.held_until) == _naive(clock.now() + POLICY.hold_for), rule
    assert second.version == first.version + 1 and second.total == PRICE * 5, rule
    assert await books(engine, tt.id) == (20, 5, 0, 5), rule
    error = await expect(LimitReached, shop.carts.add_tickets(anna.id, tt.id, 6), rule)
    assert error.params == {"max": 10, "in_cart": 5}, rule
    assert await books(engine, tt.id) == (20, 5, 0, 5), rule


async def test_the_same_press_twice_adds_once(engine, clock):
    rule = "an add repeated with the same op key adds once and answers the cart as it is"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=20)
    anna = await shop.person(1)
    first = await shop.carts.add_tickets(anna.id, tt.id, 2, op_key="press1")
    again = await shop.carts.add_tickets(anna.id, tt.id, 2, op_key="press1")
    assert again == first, rule
    other = await shop.carts.add_tickets(anna.id, tt.id, 2, op_key="press2")
    assert other.ready[0].qty == 4 and other.version == first.version + 1, rule
    unkeyed = await shop.carts.add_tickets(anna.id, tt.id, 1)
    assert unkeyed.ready[0].qty == 5, rule
    assert (await shop.carts.add_tickets(anna.id, tt.id, 1)).ready[0].qty == 6, f"{rule}: no key is no guard"
    assert await books(engine, tt.id) == (20, 6, 0, 6), rule


async def test_a_full_cart_takes_no_new_line_but_grows_an_existing_one(engine, clock):
    rule = "at max_cart_lines a new tariff is refused, more of a tariff already there is not"
    shop = Shop(engine, clock)
    anna = await shop.person(1)
    tts = [await make_event(shop.uow, clock, quantity=20) for _ in range(POLICY.max_cart_lines + 1)]
    for tt in tts[:-1]:
        await shop.carts.add_tickets(anna.id, tt.id, 1)
    error = await expect(CartFull, shop.carts.add_tickets(anna.id, tts[-1].id, 1), rule)
    assert error.params == {"max": POLICY.max_cart_lines}, rule
    view = await shop.carts.add_tickets(anna.id, tts[0].id, 1)
    assert len(view.ready) == POLICY.max_cart_lines and view.ready[0].qty == 2, rule
    assert await books(engine, tts[-1].id) == (20, 0, 0, 0), rule


async def test_adding_past_what_is_left_names_the_tariff_and_what_is_left(engine, clock):
    rule = "a sold-out add says what is left and holds nothing"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=5)
    anna = await shop.person(1)
    bob = await shop.person(2)
    await shop.carts.add_tickets(bob.id, tt.id, 3)
    error = await expect(SoldOut, shop.carts.add_tickets(anna.id, tt.id, 3), rule)
    assert error.params == {"tariff": "Standard", "available": 2}, rule
    await assert_books(engine, tt.id, rule)
    assert (await shop.carts.view(anna.id)).is_empty, rule


async def test_an_add_beside_a_lapsed_hold_releases_it_first(engine, clock):
    rule = "adding to a cart with a lapsed hold gives that quota back, then adds"
    shop = Shop(engine, clock)
    old = await make_event(shop.uow, clock, quantity=5)
    new = await make_event(shop.uow, clock, quantity=5)
    anna = await shop.person(1)
    first = await shop.carts.add_tickets(anna.id, old.id, 4)
    clock.advance(minutes=16)
    view = await shop.carts.add_tickets(anna.id, new.id, 1)
    assert await books(engine, old.id) == (5, 0, 0, 0), rule
    assert [ln.reason for ln in view.unavailable] == [UnavailableReason.HOLD_EXPIRED], rule
    assert [ln.ticket_type_id for ln in view.ready] == [new.id], rule
    assert view.version == first.version + 2, f"{rule}: the release and the add each move the version"
    again = await shop.carts.add_tickets(anna.id, old.id, 5)  # a new line: the lapsed one is not merged into
    assert sorted(ln.qty for ln in again.ready) == [1, 5] and len(again.unavailable) == 1, rule
    await assert_books(engine, old.id, rule)


async def test_viewing_a_lapsed_cart_releases_and_moves_the_version(engine, clock):
    rule = "the view gives a lapsed hold back and marks older buttons stale"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=5)
    anna = await shop.person(1)
    first = await shop.carts.add_tickets(anna.id, tt.id, 2)
    clock.advance(minutes=16)
    view = await shop.carts.view(anna.id)
    assert view.version == first.version + 1 and [ln.qty for ln in view.unavailable] == [2], rule
    assert await books(engine, tt.id) == (5, 0, 0, 0), rule
    assert (await shop.carts.view(anna.id)).version == view.version, "a view with nothing to release changes nothing"


async def test_remove_gives_a_held_line_back_and_checks_the_button(engine, clock):
    rule = "🗑 removes one's own line, gives its quota back, and refuses a stale or foreign button"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=10)
    anna = await shop.person(1)
    bob = await shop.person(2)
    await shop.carts.add_tickets(bob.id, tt.id, 1)
    view = await shop.carts.add_tickets(anna.id, tt.id, 3)
    item_id = view.ready[0].item_id
    await expect(CartItemNotFound, shop.carts.remove(bob.id, item_id), rule)
    await expect(CartChanged, shop.carts.remove(anna.id, item_id, view.version - 1), rule)
    after = await shop.carts.remove(anna.id, item_id, view.version)
    assert after.is_empty and after.version == view.version + 1, rule
    assert (await shop.item(item_id)).state == ItemState.REMOVED.value, rule
    assert await books(engine, tt.id) == (10, 1, 0, 1), rule
    await expect(CartItemNotFound, shop.carts.remove(anna.id, item_id), f"{rule}: a removed line is gone")


async def test_plus_minus_act_on_ones_own_line(engine, clock):
    rule = "➕/➖ change one's own line by one; another's line is not found"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=10)
    anna = await shop.person(1)
    bob = await shop.person(2)
    view = await shop.carts.add_tickets(anna.id, tt.id, 3)
    item_id = view.ready[0].item_id
    await expect(CartItemNotFound, shop.carts.adjust(bob.id, item_id, +1), rule)
    assert (await shop.carts.adjust(anna.id, item_id, +1, view.version)).ready[0].qty == 4, rule
    assert (await shop.carts.adjust(anna.id, item_id, -1)).ready[0].qty == 3, rule
    assert await books(engine, tt.id) == (10, 3, 0, 3), rule


async def test_the_per_order_limit_counts_other_held_lines_of_the_tariff_only(engine, clock):
    rule = "the per-order limit counts the tariff's other HELD lines, not lapsed ones nor other tariffs"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=50)
    other = await make_event(shop.uow, clock, quantity=50)
    anna = await shop.person(1)
    lapsed_id = (await shop.carts.add_tickets(anna.id, tt.id, 4)).ready[0].item_id
    clock.advance(minutes=16)
    view = await shop.carts.add_tickets(anna.id, tt.id, 5)
    held_id = next(ln.item_id for ln in view.ready if ln.ticket_type_id == tt.id)
    await shop.carts.add_tickets(anna.id, other.id, 9)
    view = await shop.carts.change_qty(anna.id, held_id, 7)  # the lapsed 4 and the other tariff's 9 don't count
    assert [ln.qty for ln in view.ready if ln.item_id == held_id] == [7], rule
    error = await expect(LimitReached, shop.carts.renew(anna.id, lapsed_id, view.version), rule)
    assert error.params == {"max": 10, "in_cart": 7}, rule
    await shop.carts.change_qty(anna.id, held_id, 6)
    renewed = await shop.carts.renew(anna.id, lapsed_id)
    assert sorted(ln.qty for ln in renewed.ready if ln.ticket_type_id == tt.id) == [4, 6], rule
    await assert_books(engine, tt.id, rule)
