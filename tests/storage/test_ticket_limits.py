"""Anti-scalping limits per event (C3), at the service level on SQLite and PostgreSQL: tickets of one event
in one order across its tariffs, and per person counting the tickets already bought and those held; the
event's own numbers over the shop's; adding, ➕ and "hold again" all checked; each refusal says the limit
and how many more are allowed; one person's two presses at once cannot both pass."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from domain.errors import CoolingDown, EventOrderLimitReached, HeldLimitReached, PersonLimitReached
from domain.models import Event, EventStatus, TicketType
from domain.policies import HoldPolicy
from domain.services.cart import CartService
from domain.services.checkout import CheckoutService
from tests.paying import pay
from tests.storage.test_checkout_race import PRICE
from tests.storage.test_guards import Shop, books, expect

SHOP = HoldPolicy(hold_minutes=15, max_per_order=10, max_per_event_order=6, max_per_person=8)


class Limits(Shop):
    def __init__(self, engine, clock) -> None:
        super().__init__(engine, clock)
        self.carts = CartService(self.uow, clock, SHOP, "RUB")
        self.checkout = CheckoutService(self.uow, clock, SHOP, "RUB")

    async def event(self, per_person: int | None = None, per_order: int | None = None) -> tuple[TicketType, ...]:
        """A published event with two tariffs of 50 and the limits given (None: the shop's)."""
        async with self.uow() as u:
            event = await u.events.add(
                Event(
                    0,
                    "Маузер",
                    self.clock.now() + timedelta(days=10),
                    "Таганка",
                    EventStatus.PUBLISHED,
                    max_per_person=per_person,
                    max_per_order=per_order,
                )
            )
            a = await u.events.add_ticket_type(TicketType(0, event.id, "A", PRICE, 50))
            b = await u.events.add_ticket_type(TicketType(0, event.id, "B", PRICE, 50))
            await u.commit()
        return a, b


async def test_the_shop_limit_per_order_spans_the_tariffs_of_one_event(engine, clock):
    shop = Limits(engine, clock)
    a, b = await shop.event()
    anna = await shop.person(1)
    await shop.carts.add_tickets(anna.id, a.id, 4)
    refusal = await expect(EventOrderLimitReached, shop.carts.add_tickets(anna.id, b.id, 3), "4 + 3 > 6")
    assert refusal.params == {"event": "Маузер", "max_tickets": 6, "held_tickets": 4, "more_tickets": 2}
    assert await books(engine, b.id) == (50, 0, 0, 0), "nothing held by the refusal"
    view = await shop.carts.add_tickets(anna.id, b.id, 2)
    assert sorted(line.qty for line in view.ready) == [2, 4], "exactly up to the limit"


async def test_another_events_tickets_do_not_count(engine, clock):
    shop = Limits(engine, clock)
    a, _ = await shop.event()
    other, _ = await shop.event()
    anna = await shop.person(1)
    await shop.carts.add_tickets(anna.id, a.id, 6)
    view = await shop.carts.add_tickets(anna.id, other.id, 6)
    assert sum(line.qty for line in view.ready) == 12


async def test_the_per_person_limit_counts_tickets_bought_before(engine, clock):
    shop = Limits(engine, clock)
    a, b = await shop.event()
    anna = await shop.person(1, money=100 * PRICE.minor)
    view = await shop.carts.add_tickets(anna.id, a.id, 5)
    await pay(shop.checkout, anna.id, view.version, view.terms)
    await shop.carts.add_tickets(anna.id, b.id, 2)
    refusal = await expect(PersonLimitReached, shop.carts.add_tickets(anna.id, a.id, 2), "5 bought + 2 held + 2 > 8")
    assert refusal.params == {
        "event": "Маузер",
        "max_tickets": 8,
        "bought_tickets": 5,
        "held_tickets": 2,
        "more_tickets": 1,
    }
    view = await shop.carts.add_tickets(anna.id, a.id, 1)
    assert sum(line.qty for line in view.ready) == 3, "up to exactly 8"


async def test_the_events_own_numbers_replace_the_shops(engine, clock):
    shop = Limits(engine, clock)
    a, b = await shop.event(per_person=3, per_order=2)
    anna = await shop.person(1, money=100 * PRICE.minor)
    await expect(EventOrderLimitReached, shop.carts.add_tickets(anna.id, a.id, 3), "the event allows 2 per order")
    view = await shop.carts.add_tickets(anna.id, a.id, 2)
    await pay(shop.checkout, anna.id, view.version, view.terms)
    refusal = await expect(PersonLimitReached, shop.carts.add_tickets(anna.id, b.id, 2), "2 bought + 2 > 3")
    assert (refusal.params["max_tickets"], refusal.params["more_tickets"]) == (3, 1)
    big, big_b = await shop.event(per_person=20, per_order=12)
    view = await shop.carts.add_tickets(anna.id, big.id, 6)
    view = await shop.carts.add_tickets(anna.id, big_b.id, 6)
    assert sum(line.qty for line in view.ready) == 12, "an event may allow more than the shop's default"


async def test_plus_and_hold_again_are_checked_too(engine, clock):
    shop = Limits(engine, clock)
    a, b = await shop.event(per_order=5)
    anna = await shop.person(1)
    view = await shop.carts.add_tickets(anna.id, a.id, 3)
    view = await shop.carts.add_tickets(anna.id, b.id, 2)
    line_a = next(line for line in view.ready if line.qty == 3)
    await expect(EventOrderLimitReached, shop.carts.adjust(anna.id, line_a.item_id, +1, view.version), "➕ past 5")
    assert (await shop.item(line_a.item_id)).qty == 3
    down = await shop.carts.adjust(anna.id, line_a.item_id, -1, view.version)
    assert (await shop.item(line_a.item_id)).qty == 2, "➖ is always allowed"

    clock.advance(minutes=16)  # both lines lapse
    view = await shop.carts.view(anna.id)
    assert not view.ready and len(view.unavailable) == 2
    fresh = await shop.carts.add_tickets(anna.id, b.id, 4)  # meanwhile 4 of B held again on a new line
    lapsed_a = next(line for line in fresh.unavailable if line.ticket_type_id == a.id)
    refusal = await expect(EventOrderLimitReached, shop.carts.renew(anna.id, lapsed_a.item_id), "4 + 2 > 5")
    assert refusal.params["more_tickets"] == 1
    assert await books(engine, a.id) == (50, 0, 0, 0), "the lapsed line stays lapsed"
    assert down.version < fresh.version


async def test_one_persons_two_presses_at_once_cannot_both_pass_the_limit(engine, clock):
    shop = Limits(engine, clock)
    a, b = await shop.event(per_person=4)
    anna = await shop.person(1)
    await shop.carts.view(anna.id)  # the cart exists: both presses queue on its lock

    async def press(tt) -> str:
        try:
            await shop.carts.add_tickets(anna.id, tt.id, 3)
            return "held"
        except PersonLimitReached:
            return "refused"

    outcomes = await asyncio.gather(press(a), press(b))
    assert sorted(outcomes) == ["held", "refused"]
    held = (await books(engine, a.id))[1] + (await books(engine, b.id))[1]
    assert held == 3, "never more than the limit held"


async def test_tickets_held_at_once_are_counted_across_events(engine, clock):
    policy = HoldPolicy(hold_minutes=15, max_per_event_order=6, max_per_person=8, max_held=10)
    shop = Limits(engine, clock)
    shop.carts = CartService(shop.uow, clock, policy, "RUB")
    first, _ = await shop.event()
    second, _ = await shop.event()
    third, _ = await shop.event()
    anna = await shop.person(1, money=100 * PRICE.minor)
    await shop.carts.add_tickets(anna.id, first.id, 6)
    refusal = await expect(HeldLimitReached, shop.carts.add_tickets(anna.id, second.id, 5), "6 + 5 > 10 held")
    assert refusal.params == {"max_tickets": 10, "held_tickets": 6, "more_tickets": 4}
    view = await shop.carts.add_tickets(anna.id, second.id, 4)
    await pay(shop.checkout, anna.id, view.version, view.terms)
    view = await shop.carts.add_tickets(anna.id, third.id, 6)
    assert [line.qty for line in view.ready] == [6], "paid tickets are not held any more"


async def test_dropping_holds_again_and_again_makes_new_holds_wait(engine, clock):
    shop = Limits(engine, clock)  # the shop's cool-down: 5 drops within 10 minutes, then 15 minutes
    a, b = await shop.event()
    anna, boris = await shop.person(1), await shop.person(2)
    for n in range(4):
        view = await shop.carts.add_tickets(anna.id, a.id, 2)
        line = view.ready[0]
        if n % 2:
            await shop.carts.remove(anna.id, line.item_id, view.version)
        else:
            await shop.carts.adjust(anna.id, line.item_id, -2, view.version)  # ➖ to nothing
        clock.advance(minutes=2)
    view = await shop.carts.add_tickets(anna.id, a.id, 2)
    view = await shop.carts.adjust(anna.id, view.ready[0].item_id, -1, view.version)  # the fifth drop, at 8 min
    refusal = await expect(CoolingDown, shop.carts.add_tickets(anna.id, b.id, 1), "5 drops in 8 minutes")
    assert refusal.params == {"minutes": 15}
    await expect(CoolingDown, shop.carts.adjust(anna.id, view.ready[0].item_id, +1, view.version), "➕ waits too")
    await shop.carts.add_tickets(boris.id, b.id, 1)  # someone else is not affected
    clock.advance(minutes=14, seconds=30)
    refusal = await expect(CoolingDown, shop.carts.add_tickets(anna.id, b.id, 1), "30 seconds are left")
    assert refusal.params == {"minutes": 1}
    clock.advance(seconds=30)
    view = await shop.carts.add_tickets(anna.id, b.id, 1)
    assert [(line.ticket_type_id, line.qty) for line in view.ready] == [(b.id, 1)], "15 minutes after the last drop"


async def test_drops_spread_out_and_expired_holds_do_not_count(engine, clock):
    shop = Limits(engine, clock)
    a, _ = await shop.event()
    anna = await shop.person(1)
    for _ in range(6):
        view = await shop.carts.add_tickets(anna.id, a.id, 1)
        await shop.carts.remove(anna.id, view.ready[0].item_id, view.version)
        clock.advance(minutes=3)  # five drops take 12 minutes: over the window of 10
    for _ in range(6):
        await shop.carts.add_tickets(anna.id, a.id, 1)
        clock.advance(minutes=16)  # the hold lapses: nobody dropped it
        await shop.carts.view(anna.id)
    view = await shop.carts.add_tickets(anna.id, a.id, 1)
    assert [line.qty for line in view.ready] == [1]
    await shop.carts.remove(anna.id, view.ready[0].item_id, view.version)
    async with shop.uow(write=False) as u:
        kept = await u.carts.releases_since(anna.id, clock.now() - timedelta(days=1))
    assert kept == [clock.now()], "drops older than the window and the cool-down are forgotten when one is written"


async def test_renewing_holds_touches_only_this_carts_live_holds(engine, clock):
    shop = Limits(engine, clock)
    a, _ = await shop.event()
    anna, boris = await shop.person(1), await shop.person(2)
    view = await shop.carts.add_tickets(anna.id, a.id, 1)
    live = view.ready[0].item_id
    theirs = (await shop.carts.add_tickets(boris.id, a.id, 1)).ready[0].item_id
    now = clock.now() + timedelta(minutes=15)  # anna's hold is due exactly now: lapsed, not live
    async with shop.uow() as u:
        assert await u.carts.renew_holds(view.cart_id, now + timedelta(minutes=15), now) == 0
        assert await u.carts.renew_holds(view.cart_id, now, clock.now()) == 1
        await u.commit()
    assert (await shop.item(live)).held_until == now
    assert (await shop.item(theirs)).held_until == clock.now() + timedelta(minutes=15), "another cart is untouched"
    await shop.carts.remove(anna.id, live)
    async with shop.uow() as u:
        assert await u.carts.renew_holds(view.cart_id, now, clock.now()) == 0, "a removed line is not a hold"
        await u.commit()


async def test_drops_are_kept_from_the_moment_given_on(engine, clock):
    shop = Limits(engine, clock)
    anna, boris = await shop.person(1), await shop.person(2)
    t0 = clock.now()
    async with shop.uow() as u:
        for minutes in (0, 5, 10):
            await u.carts.record_release(anna.id, t0 + timedelta(minutes=minutes), t0)
        await u.carts.record_release(boris.id, t0, t0)
        await u.carts.record_release(anna.id, t0 + timedelta(minutes=20), t0 + timedelta(minutes=5))
        await u.commit()
    async with shop.uow(write=False) as u:
        kept = await u.carts.releases_since(anna.id, t0)
        assert sorted(kept) == [t0 + timedelta(minutes=m) for m in (5, 10, 20)], "from keep_since on, inclusive"
        later = sorted(await u.carts.releases_since(anna.id, t0 + timedelta(minutes=10)))
        assert later == [t0 + timedelta(minutes=m) for m in (10, 20)], "since is inclusive"
        assert await u.carts.releases_since(boris.id, t0) == [t0], "another person's drops are their own"
