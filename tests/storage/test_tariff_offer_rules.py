"""Why a tariff is not on sale, as the event card and the tariff picker tell it (SQLite and PostgreSQL):
"not_yet" before its sales start, "closed" once its window has closed or its event has started,
"sold_out" when nothing is left, and no reason while it is on sale. The card shows a different line
for each (handlers/views/catalog.py)."""

from __future__ import annotations

from datetime import timedelta

from tests.storage.test_event_card_rules import Shop, tariff


async def test_each_tariff_carries_the_reason_it_is_not_on_sale(engine, clock):
    shop = Shop(engine, clock)
    now = clock.now()
    tariffs = [
        tariff("Not yet", sales_start=now + timedelta(hours=1)),
        tariff("Closed", sales_end=now),
        tariff("Sold out", quantity=2),
        tariff("On sale"),
    ]
    event = await shop.event(*tariffs)
    await shop.hold(tariffs[2], 2, sell=True)
    card = await shop.catalog.event_card(event.id)
    expected = {"Not yet": "not_yet", "Closed": "closed", "Sold out": "sold_out", "On sale": None}
    assert {o.ticket_type.name: o.reason for o in card.tariffs} == expected
    for tt in tariffs:
        _, offer = await shop.catalog.tariff(tt.id)
        assert offer.reason == expected[tt.name]


async def test_a_tariff_of_an_event_that_has_started_is_closed_whatever_is_left(engine, clock):
    shop = Shop(engine, clock)
    tt = tariff("Standard")
    event = await shop.event(tt, days=1)
    clock.advance(days=1)
    (offer,) = (await shop.catalog.event_card(event.id)).tariffs
    assert (offer.on_sale, offer.reason) == (False, "closed")
