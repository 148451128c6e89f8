"""Money and inventory guards that nothing else pins, on SQLite and PostgreSQL.

Each test names the rule it guards in its failure message. The books of a tariff must always agree with
the cart lines: `held` is exactly what live (held) cart items hold, `held + sold` never exceeds the
quantity, and neither is ever negative. A quota given back twice only shows when someone ELSE holds
tickets of the same tariff (releasing more than is held is refused, so an over-release with nobody else
holding is invisible): the tests below always keep another customer's hold beside the one under test.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from domain.errors import CartChanged, DuplicateOperation, LimitReached, SoldOut
from domain.models import (
    CartItem,
    EntryKind,
    ItemState,
    Order,
    OrderStatus,
    TelegramProfile,
    UnavailableReason,
)
from domain.money import Money
from domain.policies import AdminPolicy, HoldPolicy
from domain.services.cart import CartService, release_expired_holds
from domain.services.checkout import CheckoutService
from domain.services.users import UserService
from domain.services.wallet import WalletService
from storage.repos.carts import CartRepo
from storage.tables import cart_items, orders, ticket_types, wallet_entries
from storage.uow import UnitOfWorkFactory
from tests.paying import pay
from tests.storage.test_checkout_race import PRICE, make_event

POLICY = HoldPolicy(hold_minutes=15, max_per_order=10)
ADMIN_TG = 777_000


class Shop:
    def __init__(self, engine, clock) -> None:
        self.engine = engine
        self.clock = clock
        self.uow = UnitOfWorkFactory(engine)
        self.users = UserService(self.uow, clock, AdminPolicy())
        self.carts = CartService(self.uow, clock, POLICY, "RUB")
        self.checkout = CheckoutService(self.uow, clock, POLICY, "RUB")

    async def person(self, telegram_id: int, money: int = 0):
        user = await self.users.identify(TelegramProfile(telegram_id, f"P{telegram_id}"))
        if money:
            async with self.uow() as u:
                await u.wallets.apply(
                    user.id, Money(money, "RUB"), EntryKind.CREDIT, f"seed:{user.id}", self.clock.now()
                )
                await u.commit()
        return user

    async def line(self, qty: int, quantity: int = 50, telegram_id: int = 501):
        """A customer holding `qty` tickets of a fresh event's only tariff: (tariff, customer, cart view)."""
        tt = await make_event(self.uow, self.clock, quantity=quantity)
        person = await self.person(telegram_id)
        return tt, person, await self.carts.add_tickets(person.id, tt.id, qty)

    async def item(self, item_id: int):
        async with self.engine.connect() as conn:
            return (await conn.execute(select(cart_items).where(cart_items.c.id == item_id))).one()


async def books(engine, tt_id: int) -> tuple[int, int, int, int]:
    """(quantity, held, sold, what live cart items of the tariff hold)."""
    async with engine.connect() as conn:
        tt = (await conn.execute(select(ticket_types).where(ticket_types.c.id == tt_id))).one()
        live = (
            await conn.execute(
                select(func.coalesce(func.sum(cart_items.c.qty), 0)).where(
                    cart_items.c.state == ItemState.HELD.value, cart_items.c.ticket_type_id == tt_id
                )
            )
        ).scalar_one()
    return tt.quantity, tt.held, tt.sold, int(live)


async def assert_books(engine, tt_id: int, rule: str) -> None:
    quantity, held, sold, live = await books(engine, tt_id)
    assert held >= 0 and sold >= 0, f"{rule}: negative quota (held={held}, sold={sold})"
    assert held == live, f"{rule}: the tariff's held={held} but live cart items hold {live}"
    assert held + sold <= quantity, f"{rule}: held {held} + sold {sold} exceeds the quantity {quantity}"


async def expect(error: type[Exception], awaitable, rule: str) -> Exception:
    try:
        result = await awaitable
    except error as exc:
        return exc
    except Exception as exc:  # the rule broke in another way: say which rule
        pytest.fail(f"{rule}: expected {error.__name__}, got {exc!r}")
    pytest.fail(f"{rule}: expected {error.__name__}, got {result!r}")


# ---------------------------------------------------------------- rule 3: a hold expired twice


async def _expired_beside_a_live_hold(shop: Shop, carts: int):
    """`carts` customers with 2 tickets each whose holds lapsed, and Bob holding 3 live ones of the same
    tariff (so an over-release shows)."""
    tt = await make_event(shop.uow, shop.clock, quantity=200)
    late = []
    for n in range(carts):
        user = await shop.person(100 + n)
        await shop.carts.add_tickets(user.id, tt.id, 2)
        late.append(user)
    shop.clock.advance(minutes=16)
    bob = await shop.person(99, money=10_000_000)
    bob_view = await shop.carts.add_tickets(bob.id, tt.id, 3)
    return tt, late, bob, bob_view


async def test_a_second_sweep_over_holds_another_sweep_already_released_releases_nothing(engine, clock):
    """Two sweeps read the same expired holds; the first commits; the second goes on with what it read.
    Only the conditional HELD -> EXPIRED transition stops it from giving the same quota back again."""
    rule = "rule 3 (release_expired_holds must release only when its HELD->EXPIRED transition applied)"
    shop = Shop(engine, clock)
    tt, late, _, _ = await _expired_beside_a_live_hold(shop, carts=5)
    now = clock.now()
    async with shop.uow(write=False) as u:
        cart_ids = await u.carts.carts_with_expired_holds(now, 500)
        seen = {cart_id: await u.carts.expired_holds(now, cart_id) for cart_id in cart_ids}
    assert len(seen) == len(late) and all(len(items) == 1 for items in seen.values())

    assert await shop.carts.release_expired() == len(late)  # the first sweep
    await assert_books(engine, tt.id, rule)

    released = 0
    for cart_id, items in seen.items():  # the second sweep, with the list it read before the first committed
        async with shop.uow() as u:

            async def what_it_read(now_, cart_id_=None, limit=500, items=items):
                return list(items)

            u.carts.expired_holds = what_it_read
            released += await release_expired_holds(u, now, cart_id)
            await u.commit()
    await assert_books(engine, tt.id, rule)
    assert await books(engine, tt.id) == (200, 3, 0, 3), rule
    assert released == 0, f"{rule}: the second sweep reported {released} releases"


async def test_two_sweeps_at_once_beside_views_and_a_checkout_keep_the_books(engine, clock):
    """The real race, end to end. Every path re-reads the expired holds after locking the cart, so this
    stays green even without the conditional transition; the test above pins that guard itself."""
    shop = Shop(engine, clock)
    tt, late, bob, bob_view = await _expired_beside_a_live_hold(shop, carts=30)
    results = await asyncio.gather(
        shop.carts.release_expired(),
        shop.carts.release_expired(),
        pay(shop.checkout, bob.id, bob_view.version, bob_view.terms),
        *(shop.carts.view(p.id) for p in late[::2]),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == [], errors[:3]
    assert sum(results[:2]) <= len(late)  # the owners' views release some themselves
    await assert_books(engine, tt.id, "rule 3 (two sweeps at once)")
    assert await books(engine, tt.id) == (200, 0, 3, 0), "every lapsed hold released exactly once, Bob's 3 sold"


# ---------------------------------------------------------------- rule 4: removing an expired line


@pytest.mark.parametrize("released_by", ["sweep", "own view"])
async def test_removing_an_expired_line_gives_no_quota_back(engine, clock, released_by):
    rule = "rule 4 (CartService.remove must release quota only for a line still HELD)"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=10)
    anna = await shop.person(1)
    item_id = (await shop.carts.add_tickets(anna.id, tt.id, 2)).ready[0].item_id
    clock.advance(minutes=16)
    bob = await shop.person(2)
    await shop.carts.add_tickets(bob.id, tt.id, 3)  # someone else holds the same tariff
    if released_by == "sweep":
        assert await shop.carts.release_expired() == 1
    view = await shop.carts.view(anna.id)
    assert [line.reason for line in view.unavailable] == [UnavailableReason.HOLD_EXPIRED]
    assert await books(engine, tt.id) == (10, 3, 0, 3)

    after = await shop.carts.remove(anna.id, item_id, view.version)

    assert after.is_empty
    await assert_books(engine, tt.id, rule)
    assert await books(engine, tt.id) == (10, 3, 0, 3), f"{rule}: Bob's 3 held tickets are still held"
    assert (await shop.item(item_id)).state == ItemState.REMOVED.value


async def test_removing_a_line_that_lapsed_unswept_releases_once(engine, clock):
    """Without a sweep: the first 🗑 finds the hold lapsed, gives it back and says the cart changed; the
    second removes the (now expired) line and gives nothing back again."""
    rule = "rule 4 (an expired line's quota goes back once)"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=10)
    anna = await shop.person(1)
    item_id = (await shop.carts.add_tickets(anna.id, tt.id, 2)).ready[0].item_id
    bob = await shop.person(2)
    clock.advance(minutes=16)
    await shop.carts.add_tickets(bob.id, tt.id, 3)
    await expect(CartChanged, shop.carts.remove(anna.id, item_id), rule)
    await assert_books(engine, tt.id, rule)
    await shop.carts.remove(anna.id, item_id)
    await assert_books(engine, tt.id, rule)
    assert await books(engine, tt.id) == (10, 3, 0, 3), rule


# ---------------------------------------------------------------- rule 5: "hold again" past the quota


@pytest.mark.parametrize("other", ["holds", "buys"])
async def test_hold_again_fails_when_someone_else_took_the_rest(engine, clock, other):
    rule = "rule 5 (CartService.renew must raise SoldOut when the quota cannot be held again)"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=4)
    anna = await shop.person(1)
    item_id = (await shop.carts.add_tickets(anna.id, tt.id, 4)).ready[0].item_id
    clock.advance(minutes=16)
    assert await shop.carts.release_expired() == 1
    bob = await shop.person(2, money=10_000_000)
    bob_view = await shop.carts.add_tickets(bob.id, tt.id, 4)
    if other == "buys":
        await pay(shop.checkout, bob.id, bob_view.version, bob_view.terms)
    expected = (4, 4, 0, 4) if other == "holds" else (4, 0, 4, 0)
    assert await books(engine, tt.id) == expected

    await expect(SoldOut, shop.carts.renew(anna.id, item_id), rule)

    await assert_books(engine, tt.id, rule)
    assert await books(engine, tt.id) == expected, rule
    assert (await shop.item(item_id)).state == ItemState.EXPIRED.value, f"{rule}: Anna's line must stay expired"
    view = await shop.carts.view(anna.id)
    assert not view.ready and [line.reason for line in view.unavailable] == [UnavailableReason.HOLD_EXPIRED]


async def test_hold_again_fails_when_only_part_is_left(engine, clock):
    rule = "rule 5 (renew holds all of the line's tickets or none)"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=5)
    anna = await shop.person(1)
    item_id = (await shop.carts.add_tickets(anna.id, tt.id, 3)).ready[0].item_id
    clock.advance(minutes=16)
    assert await shop.carts.release_expired() == 1
    bob = await shop.person(2)
    await shop.carts.add_tickets(bob.id, tt.id, 3)  # 2 left: fewer than Anna's 3
    assert await books(engine, tt.id) == (5, 3, 0, 3)
    await expect(SoldOut, shop.carts.renew(anna.id, item_id), rule)
    await assert_books(engine, tt.id, rule)
    assert (await shop.item(item_id)).state == ItemState.EXPIRED.value, rule


# ---------------------------------------------------------------- rule 6: an admin credit repeated


async def test_an_admin_credit_repeated_with_the_same_key_credits_once(engine, clock):
    rule = "rule 6 (WalletService.admin_credit must answer a repeated key as a duplicate and credit once)"
    uow = UnitOfWorkFactory(engine)
    users = UserService(uow, clock, AdminPolicy(frozenset({ADMIN_TG})))
    wallet = WalletService(uow, clock, AdminPolicy(frozenset({ADMIN_TG})), "RUB")
    admin = await users.identify(TelegramProfile(ADMIN_TG, "Admin"))
    anna = await users.identify(TelegramProfile(5, "Anna"))

    first = await wallet.admin_credit(admin, 5, "1500", key="credit:update:41")
    assert not first.duplicate and first.entry.amount == Money(150_000, "RUB")
    try:
        again = await wallet.admin_credit(admin, 5, "1500", key="credit:update:41")
        # A redelivered update carrying another amount is still the same operation.
        other_amount = await wallet.admin_credit(admin, 5, "99", key="credit:update:41")
    except DuplicateOperation as exc:
        pytest.fail(f"{rule}: the repeat raised {exc!r} instead of reporting the existing credit")
    for repeat in (again, other_amount):
        assert repeat.duplicate, f"{rule}: the repeat was not reported as a duplicate"
        assert repeat.entry.id == first.entry.id and repeat.entry.amount == Money(150_000, "RUB"), rule
        assert repeat.target.id == anna.id

    async with uow(write=False) as u:
        assert (await u.wallets.balance(anna.id, "RUB")).minor == 150_000, f"{rule}: credited more than once"
    async with engine.connect() as conn:
        count = (
            await conn.execute(
                select(func.count()).select_from(wallet_entries).where(wallet_entries.c.user_id == anna.id)
            )
        ).scalar_one()
    assert count == 1, f"{rule}: {count} ledger entries for one credit"

    # Another key is another credit.
    fresh = await wallet.admin_credit(admin, 5, "1500", key="credit:update:42")
    assert not fresh.duplicate and fresh.entry.balance_after == Money(300_000, "RUB")


# ---------------------------------------------------------------- rule 7: repository guards


async def test_a_duplicate_order_key_is_a_duplicate_operation(engine, clock):
    rule = "rule 7a (OrderRepo.add must turn the unique-key violation into DuplicateOperation)"
    uow = UnitOfWorkFactory(engine)
    user = await UserService(uow, clock, AdminPolicy()).identify(TelegramProfile(1, "Anna"))
    now = clock.now()
    async with uow() as u:
        await u.orders.add(Order(0, user.id, OrderStatus.PAID, PRICE, now, paid_at=now), "checkout:1:7", None)
        await u.commit()
    async with uow() as u:
        error = await expect(
            DuplicateOperation,
            u.orders.add(Order(0, user.id, OrderStatus.PAID, PRICE, now, paid_at=now), "checkout:1:7", None),
            rule,
        )
    assert error.params == {"key": "checkout:1:7"}, rule
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(orders))).scalar_one() == 1, rule


async def _one_line(shop: Shop, qty: int):
    tt = await make_event(shop.uow, shop.clock, quantity=50)
    anna = await shop.person(1)
    view = await shop.carts.add_tickets(anna.id, tt.id, qty)
    return tt, anna, view.ready[0].item_id


async def test_change_qty_applies_only_to_the_quantity_seen(engine, clock):
    rule = "rule 7b (CartRepo.change_qty must match the row's current qty == old_qty)"
    shop = Shop(engine, clock)
    _, _, item_id = await _one_line(shop, 2)
    until = clock.now() + timedelta(minutes=15)
    async with shop.uow() as u:
        applied = await u.carts.change_qty(item_id, 1, 5, until, clock.now())  # someone saw 1; the row has 2
        await u.commit()
    assert applied is False, f"{rule}: a change from a stale quantity reported success"
    assert (await shop.item(item_id)).qty == 2, f"{rule}: a change from a stale quantity was written"
    async with shop.uow() as u:
        assert await u.carts.change_qty(item_id, 2, 5, until, clock.now()) is True
        await u.commit()
    assert (await shop.item(item_id)).qty == 5


async def test_a_quantity_change_from_a_stale_read_is_cart_changed(engine, clock, monkeypatch):
    """The service path: the quantity it read is no longer the row's (a writer slipped in between the
    read and the update): ➕ must be refused as CartChanged, with no quota moved."""
    rule = "rule 7b (CartService.change_qty must raise CartChanged when the row's qty moved)"
    shop = Shop(engine, clock)
    tt, anna, item_id = await _one_line(shop, 2)
    real_for_user = CartRepo.for_user

    async def stale_for_user(self, user_id, now, lock=False):
        cart = await real_for_user(self, user_id, now, lock)
        cart.items = [
            CartItem(
                i.id, i.cart_id, i.kind, i.qty - 1, i.unit_price, i.state, i.held_until, i.ticket_type_id, i.event_id
            )
            if i.id == item_id
            else i
            for i in cart.items
        ]
        return cart

    monkeypatch.setattr(CartRepo, "for_user", stale_for_user)
    await expect(CartChanged, shop.carts.change_qty(anna.id, item_id, 3), rule)
    monkeypatch.undo()
    assert (await shop.item(item_id)).qty == 2, rule
    await assert_books(shop.engine, tt.id, rule)
    assert await books(shop.engine, tt.id) == (50, 2, 0, 2), rule


async def test_two_concurrent_quantity_changes_keep_the_books(engine, clock):
    """The same change pressed twice at once (two devices): the second waits for the cart lock, then finds
    nothing to do. Behind the lock, change_qty's `qty == old_qty` is the fallback should a read ever be
    stale again (it was, on PostgreSQL, while the cart and its items were read by one locking join)."""
    rule = "rule 7b (a quantity change from a stale read must change nothing)"
    shop = Shop(engine, clock)
    tt, anna, item_id = await _one_line(shop, 2)
    for target in (3, 4, 5):
        results = await asyncio.gather(
            shop.carts.change_qty(anna.id, item_id, target),
            shop.carts.change_qty(anna.id, item_id, target),
            return_exceptions=True,
        )
        assert all(not isinstance(r, BaseException) or isinstance(r, CartChanged) for r in results), results
        assert (await shop.item(item_id)).qty == target, rule
        await assert_books(engine, tt.id, rule)


async def test_two_adds_at_once_respect_the_per_order_limit(engine, clock):
    """Two "add 6" presses at once (two messages, two nonces) against a limit of 10: the second waits for
    the cart lock and must see the first's line. A locking read that returned the items as they were before
    the wait let both through on PostgreSQL: 12 tickets of one tariff in one cart."""
    rule = "the per-order limit must count what a concurrent add committed"
    shop = Shop(engine, clock)
    tt = await make_event(shop.uow, clock, quantity=100)
    for n in range(5):
        anna = await shop.person(300 + n)
        await shop.carts.view(anna.id)  # the cart exists: both adds queue on its lock
        results = await asyncio.gather(
            shop.carts.add_tickets(anna.id, tt.id, 6, op_key=f"a{n}"),
            shop.carts.add_tickets(anna.id, tt.id, 6, op_key=f"b{n}"),
            return_exceptions=True,
        )
        assert sum(isinstance(r, LimitReached) for r in results) == 1, f"{rule}: {results}"
        view = await shop.carts.view(anna.id)
        assert sum(line.qty for line in view.ready) == 6, f"{rule}: {view.ready}"
    await assert_books(engine, tt.id, rule)


# ---------------------------------------------------------------- rule 8: a hold exactly at its deadline


async def _held_until(shop: Shop):
    tt = await make_event(shop.uow, shop.clock, quantity=10)
    anna = await shop.person(1)
    view = await shop.carts.add_tickets(anna.id, tt.id, 2)
    line = view.ready[0]
    assert line.held_until == shop.clock.now() + POLICY.hold_for
    return tt, anna, line


async def test_a_hold_at_its_deadline_is_released_by_the_sweep(engine, clock):
    rule = "rule 8 (a hold whose held_until == now is expired: the sweep releases it)"
    shop = Shop(engine, clock)
    tt, anna, line = await _held_until(shop)
    clock.set(line.held_until)
    assert await shop.carts.release_expired() == 1, f"{rule}: the sweep left a hold at its deadline held"
    assert await books(engine, tt.id) == (10, 0, 0, 0), rule
    assert (await shop.item(line.item_id)).state == ItemState.EXPIRED.value, rule
    view = await shop.carts.view(anna.id)
    assert not view.ready and [ln.reason for ln in view.unavailable] == [UnavailableReason.HOLD_EXPIRED], rule


async def test_a_hold_at_its_deadline_is_released_by_its_owners_view(engine, clock):
    """No sweep: the owner's view at the deadline sees the hold expired AND gives its quota back (a hold
    shown as expired whose quota stays held is neither active nor released)."""
    rule = "rule 8 (at held_until the cart view shows the hold expired and it is released)"
    shop = Shop(engine, clock)
    tt, anna, line = await _held_until(shop)
    clock.set(line.held_until)
    view = await shop.carts.view(anna.id)
    assert not view.ready and [ln.reason for ln in view.unavailable] == [UnavailableReason.HOLD_EXPIRED], (
        f"{rule}: the hold is still shown active at its deadline"
    )
    assert await books(engine, tt.id) == (10, 0, 0, 0), f"{rule}: shown expired but its quota is still held"
    assert (await shop.item(line.item_id)).state == ItemState.EXPIRED.value, rule


async def test_a_hold_a_microsecond_before_its_deadline_stays_held(engine, clock):
    rule = "rule 8 (a hold 1 µs before held_until is active: neither the sweep nor the view releases it)"
    shop = Shop(engine, clock)
    tt, anna, line = await _held_until(shop)
    clock.set(line.held_until - timedelta(microseconds=1))
    assert await shop.carts.release_expired() == 0, f"{rule}: the sweep released a live hold"
    view = await shop.carts.view(anna.id)
    assert [ln.item_id for ln in view.ready] == [line.item_id] and not view.unavailable, rule
    assert await books(engine, tt.id) == (10, 2, 0, 2), rule
    assert (await shop.item(line.item_id)).state == ItemState.HELD.value, rule
