"""Anti-scalping rules a mutation pass found unpinned, on SQLite and PostgreSQL: "hold again" counts the
tickets the person has already bought of the event, as adding does."""

from __future__ import annotations

from domain.errors import PersonLimitReached
from tests.paying import pay
from tests.storage.test_checkout_race import PRICE
from tests.storage.test_guards import books, expect
from tests.storage.test_ticket_limits import Limits


async def test_hold_again_counts_the_tickets_bought_before(engine, clock):
    shop = Limits(engine, clock)
    a, b = await shop.event(per_person=4)
    anna = await shop.person(1, money=100 * PRICE.minor)
    await shop.carts.add_tickets(anna.id, b.id, 2)
    clock.advance(minutes=16)  # the two of B lapse
    view = await shop.carts.add_tickets(anna.id, a.id, 3)
    await pay(shop.checkout, anna.id, view.version, view.terms)  # 3 of the event bought
    lapsed = (await shop.carts.view(anna.id)).unavailable[0]
    assert (lapsed.ticket_type_id, lapsed.qty) == (b.id, 2)
    refusal = await expect(PersonLimitReached, shop.carts.renew(anna.id, lapsed.item_id), "3 bought + 2 > 4")
    assert refusal.params == {
        "event": "Маузер",
        "max_tickets": 4,
        "bought_tickets": 3,
        "held_tickets": 0,
        "more_tickets": 1,
    }
    assert await books(engine, b.id) == (50, 0, 0, 0), "the lapsed line stays lapsed"
