"""Checkout takes only the conditions the buyer was shown (C6), on both databases: a Pay press whose
conditions digest is not the cart's as it is now (changed by the organizer, or forged) writes nothing and
charges nothing; a paid order keeps what was accepted and when."""

from __future__ import annotations

import json

from sqlalchemy import update

from domain.errors import TermsNotAccepted
from domain.terms import SALE_TERMS_VERSION, Conditions
from storage.tables import events, orders
from tests.paying import pay
from tests.storage.test_checkout_records import buyer, nothing_written, rows, tariff
from tests.storage.test_guards import Shop, expect


async def _conditions(engine, event_id: int, age: int | None, text: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(events).where(events.c.id == event_id).values(age_limit=age, conditions=text))


async def test_the_cart_states_each_events_conditions_and_pay_must_carry_them(engine, clock):
    rule = "Pay is refused unless it carries the digest of the conditions the cart states now"
    shop = Shop(engine, clock)
    tt = await tariff(shop, "Маузер", "Parterre", 150_000)
    await _conditions(engine, tt.event_id, 18, "Паспорт обязателен")
    anna = await buyer(shop, 1_000_000)
    view = await shop.carts.add_tickets(anna.id, tt.id, 1)
    (stated,) = view.conditions.stated
    assert (stated.title, stated.age_limit, stated.text) == ("Маузер", 18, "Паспорт обязателен")
    await expect(TermsNotAccepted, pay(shop.checkout, anna.id, view.version, Conditions().digest()), rule)
    await expect(TermsNotAccepted, pay(shop.checkout, anna.id, view.version, "f" * 16), rule)
    await _conditions(engine, tt.event_id, 18, "Паспорт и маска")
    await expect(TermsNotAccepted, pay(shop.checkout, anna.id, view.version, view.terms), rule)
    await nothing_written(shop, anna.id, rule)

    now = await shop.carts.view(anna.id)
    assert now.version == view.version and now.terms != view.terms, "the organizer's edit is not a cart change"
    clock.advance(minutes=2)
    paid = await pay(shop.checkout, anna.id, now.version, now.terms)
    assert paid.order.acceptance.digest == now.terms
    (order,) = await rows(engine, orders)
    assert (order.terms_digest, order.terms_accepted_at) == (now.terms, clock.now())
    assert json.loads(order.terms) == {
        "sale_terms": SALE_TERMS_VERSION,
        "events": [{"id": tt.event_id, "title": "Маузер", "age_limit": 18, "conditions": "Паспорт и маска"}],
    }
    again = await pay(shop.checkout, anna.id, now.version, now.terms)
    assert again.already_paid and again.order.acceptance == paid.order.acceptance, "read back as written"


async def test_an_event_without_conditions_still_asks_for_the_sale_terms(engine, clock):
    shop = Shop(engine, clock)
    tt = await tariff(shop, "Маузер", "Parterre", 150_000)
    anna = await buyer(shop, 1_000_000)
    view = await shop.carts.add_tickets(anna.id, tt.id, 1)
    assert view.conditions.stated == () and view.terms == Conditions().digest()
    await pay(shop.checkout, anna.id, view.version, view.terms)
    (order,) = await rows(engine, orders)
    assert json.loads(order.terms) == {"sale_terms": SALE_TERMS_VERSION, "events": []}
