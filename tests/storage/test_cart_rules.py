"""The cart's quantity rules at the service level, on SQLite and PostgreSQL: ➖ down to nothing removes the
line, a decrease never extends a hold, an increase restarts it, a lapsed line cannot be changed, "hold again"
only applies to a lapsed line inside the sales window, and a refusal names the tariff and what is left."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from domain.errors import CartChanged, CartItemNotFound, SalesClosed, SoldOut
from domain.models import ItemState
from storage.tables import ticket_types
from tests.storage.test_checkout_race import make_event
from tests.storage.test_guards import POLICY, Shop, assert_books, books, expect


async def test_minus_down_to_nothing_removes_the_line_and_returns_its_quota(engine, clock):
    rule = "a quantity of zero removes the line"
    shop = Shop(engine, clock)
    tt, anna, view = await shop.line(1)
    item_id = view.ready[0].item_id
    after = await shop.carts.adjust(anna.id, item_id, -1, view.version)
    assert after.ready == [] and after.unavailable == [], rule
    assert after.version == view.version + 1, rule
    assert (await shop.item(item_id)).state == ItemState.REMOVED.value, rule
    assert await books(engine, tt.id) == (50, 0, 0, 0), rule


async def test_a_stale_minus_down_to_nothing_changes_nothing(engine, clock):
    rule = "a stale ➖ to zero must not remove the line"
    shop = Shop(engine, clock)
    tt, anna, view = await shop.line(1)
    item_id = view.ready[0].item_id
    await shop.carts.add_tickets(anna.id, tt.id, 1, op_key="other")  # the cart moves on: 2 tickets
    await expect(CartChanged, shop.carts.change_qty(anna.id, item_id, 0, view.version), rule)
    assert (await shop.item(item_id)).qty == 2, rule
    assert await books(engine, tt.id) == (50, 2, 0, 2), rule


async def test_only_ones_own_line_can_be_set_to_zero(engine, clock):
    rule = "a zero quantity on someone else's line must not remove it"
    shop = Shop(engine, clock)
    tt, _anna, view = await shop.line(2)
    eve = await shop.person(666)
    await shop.carts.view(eve.id)
    await expect(CartItemNotFound, shop.carts.change_qty(eve.id, view.ready[0].item_id, 0), rule)
    assert (await shop.item(view.ready[0].item_id)).state == ItemState.HELD.value, rule
    assert await books(engine, tt.id) == (50, 2, 0, 2), rule


async def test_every_change_restarts_every_live_hold_of_the_cart_so_they_lapse_together(engine, clock):
    rule = "a change of the cart restarts the holds of all its live lines"
    shop = Shop(engine, clock)
    tt, anna, view = await shop.line(3)
    item_id = view.ready[0].item_id
    other = await make_event(shop.uow, clock, quantity=50)
    clock.advance(minutes=5)
    view = await shop.carts.add_tickets(anna.id, other.id, 1)
    other_id = next(line.item_id for line in view.ready if line.item_id != item_id)
    assert (await shop.item(item_id)).held_until == clock.now() + POLICY.hold_for, rule

    clock.advance(minutes=5)
    down = await shop.carts.change_qty(anna.id, item_id, 2)  # a decrease counts as a change too
    for line in (item_id, other_id):
        assert (await shop.item(line)).held_until == clock.now() + POLICY.hold_for, rule
    assert down.ready[0].qty == 2 and down.version == view.version + 1, rule
    assert await books(engine, tt.id) == (50, 2, 0, 2), rule

    clock.advance(minutes=5)
    await shop.carts.remove(anna.id, other_id, down.version)
    assert (await shop.item(item_id)).held_until == clock.now() + POLICY.hold_for, "removing a line counts too"
    up = await shop.carts.change_qty(anna.id, item_id, 4)
    assert up.ready[0].qty == 4 and up.version == down.version + 2, rule
    assert await books(engine, tt.id) == (50, 4, 0, 4), rule


async def test_a_change_does_not_revive_a_lapsed_line(engine, clock):
    rule = "a lapsed line stays lapsed when the rest of the cart changes"
    shop = Shop(engine, clock)
    tt, anna, view = await shop.line(2)
    lapsed = view.ready[0].item_id
    clock.advance(minutes=16)
    other = await make_event(shop.uow, clock, quantity=50)
    await shop.carts.add_tickets(anna.id, other.id, 1)
    assert (await shop.item(lapsed)).state == ItemState.EXPIRED.value, rule
    assert await books(engine, tt.id) == (50, 0, 0, 0), rule


async def test_an_increase_by_one_restarts_the_hold(engine, clock):
    rule = "➕ by one restarts the hold"
    shop = Shop(engine, clock)
    _tt, anna, view = await shop.line(1)
    item_id = view.ready[0].item_id
    clock.advance(minutes=10)
    await shop.carts.adjust(anna.id, item_id, +1)
    restarted = (await shop.item(item_id)).held_until
    assert restarted.replace(tzinfo=None) == (clock.now() + POLICY.hold_for).replace(tzinfo=None), rule


async def test_the_same_quantity_again_changes_nothing(engine, clock):
    rule = "setting the quantity a line already has changes nothing"
    shop = Shop(engine, clock)
    tt, anna, view = await shop.line(2)
    item_id = view.ready[0].item_id
    before = (await shop.item(item_id)).held_until
    clock.advance(minutes=5)
    same = await shop.carts.change_qty(anna.id, item_id, 2, view.version)
    assert same.version == view.version, rule
    assert (await shop.item(item_id)).held_until == before, rule
    assert await books(engine, tt.id) == (50, 2, 0, 2), rule


async def test_an_increase_past_what_is_left_names_the_tariff_and_what_is_left(engine, clock):
    rule = "a refused increase says which tariff and how many are left, and changes nothing"
    shop = Shop(engine, clock)
    tt, anna, view = await shop.line(2, quantity=5)
    bob = await shop.person(502)
    await shop.carts.add_tickets(bob.id, tt.id, 2)
    error = await expect(SoldOut, shop.carts.change_qty(anna.id, view.ready[0].item_id, 4), rule)
    assert error.params == {"tariff": "Standard", "available": 1}, rule
    assert (await shop.item(view.ready[0].item_id)).qty == 2, rule
    await assert_books(engine, tt.id, rule)


async def test_a_lapsed_line_cannot_be_changed(engine, clock):
    rule = "➕ on a line whose hold lapsed must not hold anything"
    shop = Shop(engine, clock)
    tt, anna, view = await shop.line(2)
    item_id = view.ready[0].item_id
    clock.advance(minutes=16)
    await shop.carts.release_expired()
    lapsed = await shop.carts.view(anna.id)
    await expect(CartItemNotFound, shop.carts.change_qty(anna.id, item_id, 3, lapsed.version), rule)
    assert (await shop.item(item_id)).state == ItemState.EXPIRED.value, rule
    assert await books(engine, tt.id) == (50, 0, 0, 0), rule


async def test_hold_again_on_a_line_still_held_changes_nothing(engine, clock):
    rule = '"hold again" applies to a lapsed line only'
    shop = Shop(engine, clock)
    tt, anna, view = await shop.line(2)
    item_id = view.ready[0].item_id
    before = (await shop.item(item_id)).held_until
    clock.advance(minutes=5)
    await expect(CartChanged, shop.carts.renew(anna.id, item_id, view.version), rule)
    assert (await shop.item(item_id)).held_until == before, rule
    assert await books(engine, tt.id) == (50, 2, 0, 2), rule


async def test_hold_again_after_the_sales_window_closed_is_refused(engine, clock):
    rule = '"hold again" after the tariff\'s sales ended must be refused'
    shop = Shop(engine, clock)
    tt, anna, view = await shop.line(2)
    item_id = view.ready[0].item_id
    async with engine.begin() as conn:
        await conn.execute(
            update(ticket_types).where(ticket_types.c.id == tt.id).values(sales_end=clock.now() + timedelta(minutes=20))
        )
    clock.advance(minutes=21)
    lapsed = await shop.carts.view(anna.id)
    error = await expect(SalesClosed, shop.carts.renew(anna.id, item_id, lapsed.version), rule)
    assert error.params == {"tariff": "Standard"}, rule
    assert (await shop.item(item_id)).state == ItemState.EXPIRED.value, rule
    assert await books(engine, tt.id) == (50, 0, 0, 0), rule


async def test_hold_again_refused_for_lack_of_tickets_says_how_many_are_left(engine, clock):
    rule = 'a refused "hold again" names the tariff and what is left'
    shop = Shop(engine, clock)
    tt, anna, view = await shop.line(3, quantity=4)
    item_id = view.ready[0].item_id
    clock.advance(minutes=16)
    lapsed = await shop.carts.view(anna.id)
    bob = await shop.person(502)
    await shop.carts.add_tickets(bob.id, tt.id, 2)
    error = await expect(SoldOut, shop.carts.renew(anna.id, item_id, lapsed.version), rule)
    assert error.params == {"tariff": "Standard", "available": 2}, rule
    assert (await shop.item(item_id)).state == ItemState.EXPIRED.value, rule
    await assert_books(engine, tt.id, rule)


async def test_hold_again_holds_the_line_for_a_new_period(engine, clock):
    rule = '"hold again" holds the same quantity for a full hold period'
    shop = Shop(engine, clock)
    tt, anna, view = await shop.line(3)
    item_id = view.ready[0].item_id
    clock.advance(minutes=16)
    lapsed = await shop.carts.view(anna.id)
    renewed = await shop.carts.renew(anna.id, item_id, lapsed.version)
    row = await shop.item(item_id)
    assert row.state == ItemState.HELD.value and row.qty == 3, rule
    assert row.held_until.replace(tzinfo=None) == (clock.now() + POLICY.hold_for).replace(tzinfo=None), rule
    assert [line.qty for line in renewed.ready] == [3] and renewed.version == lapsed.version + 1, rule
    assert await books(engine, tt.id) == (50, 3, 0, 3), rule


async def test_an_add_beside_a_lapsed_hold_still_adds_once_per_press(engine, clock):
    rule = "an add that first released a lapsed hold must still remember its press"
    shop = Shop(engine, clock)
    tt, anna, _view = await shop.line(1)
    clock.advance(minutes=16)  # the hold lapses, unswept: the add releases it first, then retries
    first = await shop.carts.add_tickets(anna.id, tt.id, 2, op_key="press-1")
    again = await shop.carts.add_tickets(anna.id, tt.id, 2, op_key="press-1")
    assert [line.qty for line in again.ready] == [2], rule
    assert again.version == first.version, rule
    assert await books(engine, tt.id) == (50, 2, 0, 2), rule


async def test_ones_own_cart_view_releases_only_ones_own_lapsed_holds(engine, clock):
    rule = "opening one's cart gives back one's own lapsed holds, never another customer's"
    shop = Shop(engine, clock)
    tt, anna, _ = await shop.line(2)
    boris = await shop.person(502)
    await shop.carts.add_tickets(boris.id, tt.id, 3)
    clock.advance(minutes=POLICY.hold_minutes + 1)
    await shop.carts.view(anna.id)
    assert await books(engine, tt.id) == (50, 3, 0, 3), rule  # Boris's lapsed hold waits for him or the sweep
    await shop.carts.view(boris.id)
    assert await books(engine, tt.id) == (50, 0, 0, 0), rule
