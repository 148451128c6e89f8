"""Cart buttons and the sweep, at the service level on SQLite and PostgreSQL: a quantity of one keeps the line,
stale ➕/"hold again" buttons are refused, a button in a cart never created is simply not found, another
customer's lapsed hold does not make one's own button stale, "hold again" on a live line is refused before
anything else is checked, a removal from a stale read moves no quota, and the sweep works in batches of carts
that still hold something."""

from __future__ import annotations

from sqlalchemy import update

from domain.errors import CartChanged, CartItemNotFound, ConcurrencyConflict
from domain.models import CartItem, EventStatus, ItemState
from storage.repos.carts import CartRepo
from storage.tables import events
from tests.storage.test_checkout_race import make_event
from tests.storage.test_guards import Shop, assert_books, books, expect


async def _line(shop: Shop, qty: int, telegram_id: int = 1, quantity: int = 20):
    return await shop.line(qty, quantity=quantity, telegram_id=telegram_id)


async def test_a_quantity_of_one_keeps_the_line(engine, clock):
    rule = "setting a line to 1 keeps it with one ticket (only 0 removes)"
    shop = Shop(engine, clock)
    tt, anna, view = await _line(shop, 3)
    after = await shop.carts.change_qty(anna.id, view.ready[0].item_id, 1, view.version)
    assert [ln.qty for ln in after.ready] == [1], rule
    assert await books(engine, tt.id) == (20, 1, 0, 1), rule


async def test_stale_quantity_and_hold_again_buttons_are_refused(engine, clock):
    rule = "a ➕ or 'hold again' button drawn for an older cart version changes nothing"
    shop = Shop(engine, clock)
    tt, anna, view = await _line(shop, 2)
    item_id = view.ready[0].item_id
    await shop.carts.add_tickets(anna.id, tt.id, 1)  # the cart moved on
    await expect(CartChanged, shop.carts.change_qty(anna.id, item_id, 5, view.version), rule)
    assert (await shop.item(item_id)).qty == 3, rule
    clock.advance(minutes=16)
    lapsed = await shop.carts.view(anna.id)
    await expect(CartChanged, shop.carts.renew(anna.id, item_id, lapsed.version - 1), rule)
    assert (await shop.item(item_id)).state == ItemState.EXPIRED.value, rule
    await assert_books(engine, tt.id, rule)


async def test_a_button_of_someone_who_has_no_cart_yet_is_not_found(engine, clock):
    rule = "a forged button from a user with no cart is CartItemNotFound (their cart is created empty)"
    shop = Shop(engine, clock)
    _tt, _anna, view = await _line(shop, 2)
    eve = await shop.person(666)
    await expect(CartItemNotFound, shop.carts.remove(eve.id, view.ready[0].item_id), rule)
    assert (await shop.carts.view(eve.id)).is_empty, rule


async def test_another_customers_lapsed_hold_does_not_make_ones_button_stale(engine, clock):
    rule = "only one's own lapsed holds are released on one's own button (and make it stale)"
    shop = Shop(engine, clock)
    tt, bob, _ = await _line(shop, 2, telegram_id=2)
    clock.advance(minutes=16)  # Bob's hold lapsed, unswept
    anna = await shop.person(1)
    view = await shop.carts.add_tickets(anna.id, tt.id, 3)
    after = await shop.carts.change_qty(anna.id, view.ready[0].item_id, 4, view.version)
    assert [ln.qty for ln in after.ready] == [4], rule
    assert await books(engine, tt.id) == (20, 6, 0, 6), "Bob's lapsed hold is still his to release"
    await shop.carts.view(bob.id)
    await assert_books(engine, tt.id, rule)


async def test_hold_again_on_a_live_line_of_a_cancelled_event_is_cart_changed(engine, clock):
    rule = "'hold again' on a line still held is refused as CartChanged before the event is checked"
    shop = Shop(engine, clock)
    tt, anna, view = await _line(shop, 2)
    async with engine.begin() as conn:
        await conn.execute(update(events).where(events.c.id == tt.event_id).values(status=EventStatus.CANCELLED.value))
    await expect(CartChanged, shop.carts.renew(anna.id, view.ready[0].item_id, view.version), rule)


async def test_a_removal_from_a_stale_read_moves_no_quota(engine, clock, monkeypatch):
    rule = "CartRepo.transition must match the quantity seen: a removal that read a stale quantity changes nothing"
    shop = Shop(engine, clock)
    tt, anna, view = await _line(shop, 3)
    item_id = view.ready[0].item_id
    real_for_user = CartRepo.for_user

    async def stale_for_user(self, user_id, now, lock=False):
        cart = await real_for_user(self, user_id, now, lock)
        cart.items = [
            CartItem(i.id, i.cart_id, i.kind, 1, i.unit_price, i.state, i.held_until, i.ticket_type_id, i.event_id)
            for i in cart.items
        ]
        return cart

    monkeypatch.setattr(CartRepo, "for_user", stale_for_user)
    await shop.carts.remove(anna.id, item_id)
    monkeypatch.undo()
    assert (await shop.item(item_id)).state == ItemState.HELD.value, rule
    await assert_books(engine, tt.id, rule)
    assert await books(engine, tt.id) == (20, 3, 0, 3), rule


async def test_the_sweep_works_in_batches_of_carts_still_holding_something(engine, clock):
    rule = "release_expired(batch) takes at most `batch` carts, and only carts with a lapsed HELD line"
    shop = Shop(engine, clock)
    tt, done, _ = await _line(shop, 1, telegram_id=1)
    clock.advance(minutes=16)
    await shop.carts.view(done.id)  # released by its owner: an EXPIRED line, nothing to sweep
    for n in (2, 3):
        user = await shop.person(n)
        await shop.carts.add_tickets(user.id, tt.id, 2)
    clock.advance(minutes=16)
    assert await shop.carts.release_expired(batch=1) == 1, rule
    assert await books(engine, tt.id) == (20, 2, 0, 2), rule
    assert await shop.carts.release_expired(batch=1) == 1, rule
    assert await shop.carts.release_expired(batch=1) == 0, rule
    await assert_books(engine, tt.id, rule)


async def test_ones_own_path_releases_only_ones_own_lapsed_holds(engine, clock):
    rule = "a view or an add releases the customer's own lapsed holds only (another cart is swept with its version)"
    shop = Shop(engine, clock)
    tt, bob, bob_view = await _line(shop, 2, telegram_id=2)
    anna = await shop.person(1)
    first = await shop.carts.add_tickets(anna.id, tt.id, 1)
    clock.advance(minutes=16)  # both lapsed, unswept
    bob_item = bob_view.ready[0].item_id
    other = await make_event(shop.uow, clock, quantity=5)
    await shop.carts.add_tickets(anna.id, other.id, 1)  # releases Anna's lapsed line first
    assert (await shop.item(bob_item)).state == ItemState.HELD.value, rule
    view = await shop.carts.view(anna.id)
    assert (await shop.item(bob_item)).state == ItemState.HELD.value, rule
    assert view.version == first.version + 2, rule
    bob_after = await shop.carts.view(bob.id)
    assert bob_after.version == bob_view.version + 1, f"{rule}: Bob's release moves Bob's version"
    await assert_books(engine, tt.id, rule)


async def test_removing_one_line_keeps_the_others(engine, clock):
    rule = "🗑 on one line shows the rest of the cart"
    shop = Shop(engine, clock)
    tt, anna, _ = await _line(shop, 2)
    other = await make_event(shop.uow, clock, quantity=5)
    view = await shop.carts.add_tickets(anna.id, other.id, 1)
    gone = next(ln.item_id for ln in view.ready if ln.ticket_type_id == tt.id)
    after = await shop.carts.remove(anna.id, gone, view.version)
    assert [ln.ticket_type_id for ln in after.ready] == [other.id], rule


async def test_plus_minus_from_a_stale_or_cartless_button(engine, clock):
    rule = "➕/➖ drawn for an older version is CartChanged; from someone with no cart, CartItemNotFound"
    shop = Shop(engine, clock)
    tt, anna, view = await _line(shop, 2)
    item_id = view.ready[0].item_id
    await shop.carts.add_tickets(anna.id, tt.id, 1)
    await expect(CartChanged, shop.carts.adjust(anna.id, item_id, +1, view.version), rule)
    assert (await shop.item(item_id)).qty == 3, rule
    eve = await shop.person(666)
    await expect(CartItemNotFound, shop.carts.adjust(eve.id, item_id, +1), rule)


async def test_the_sweep_goes_on_after_a_cart_whose_transaction_failed(engine, clock, monkeypatch):
    """A deadlock or serialization failure on one cart (rolled back, retried by the next sweep) must not
    stop the sweep: the other carts' lapsed holds still go back to sale in the same pass."""
    rule = "the sweep must go on after a cart whose transaction failed"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=50)
    people = [await shop.person(700 + n) for n in range(3)]
    carts = []
    for person in people:
        carts.append((await shop.carts.add_tickets(person.id, tt.id, 2)).cart_id)
    clock.advance(minutes=16)
    unlucky = min(carts)
    real = CartRepo.lock_if_free

    async def conflict_on_the_first(self, cart_id: int) -> bool:
        if cart_id == unlucky:
            raise ConcurrencyConflict()
        return await real(self, cart_id)

    monkeypatch.setattr(CartRepo, "lock_if_free", conflict_on_the_first)
    assert await shop.carts.release_expired() == 2, rule
    monkeypatch.undo()
    assert await shop.carts.release_expired() == 1, "the failed cart is taken by the next sweep"
    await assert_books(engine, tt.id, rule)
