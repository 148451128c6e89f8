"""Renewing an expired hold, and cancelling an event, on SQLite and PostgreSQL: a renewal is checked
against the tariff's per-order limit as it is now (an organizer may have lowered it since the hold),
cancelling an event ends the live holds of that event only, and a hold that finds its event cancelled
meanwhile is refused naming the event, holding nothing."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.errors import EventNotOnSale, InvalidQuantity
from domain.models import EventStatus
from domain.tariff_fields import TariffField
from storage.repos.catalog import EventRepo
from tests.storage.test_tariff_editor import Box

MSK = ZoneInfo("Europe/Moscow")


async def test_a_renewal_keeps_to_the_tariffs_per_order_limit_as_it_is_now(engine, clock):
    box = Box(engine, clock)
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga, quantity=20, limit=3)
    anna = await box.person(2)
    item = (await box.carts.add_tickets(anna.id, tt.id, 3)).ready[0].item_id
    clock.advance(minutes=16)  # the hold lapses
    assert [line.item_id for line in (await box.carts.view(anna.id)).unavailable] == [item]
    await box.tariffs.set_field(olga, tt.id, TariffField.MAX_PER_ORDER, "2", MSK)
    with pytest.raises(InvalidQuantity) as info:
        await box.carts.renew(anna.id, item)
    assert info.value.params == {"max": 2}
    await box.tariffs.set_field(olga, tt.id, TariffField.MAX_PER_ORDER, "3", MSK)
    assert (await box.carts.renew(anna.id, item)).ticket_count == 3


async def test_cancelling_an_event_ends_the_holds_of_that_event_only(engine, clock):
    box = Box(engine, clock)
    olga = await box.person(1, organizer=True)
    cancelled = await box.on_sale(olga)
    kept = await box.on_sale(olga)
    anna = await box.person(2)
    await box.carts.add_tickets(anna.id, cancelled.id, 1)
    view = await box.carts.add_tickets(anna.id, kept.id, 2)
    held_until = {line.ticket_type_id: line.held_until for line in view.ready}
    clock.advance(minutes=1)
    await box.editor.cancel(olga, cancelled.event_id)
    view = await box.carts.view(anna.id)
    assert [(line.ticket_type_id, line.qty) for line in view.ready] == [(kept.id, 2)]
    assert [line.held_until for line in view.ready] == [held_until[kept.id]]  # untouched: still its own time
    assert held_until[kept.id] == clock.now() - timedelta(minutes=1) + timedelta(minutes=15)
    async with box.uow(write=False) as u:
        assert (await u.events.ticket_type(kept.id)).held == 2


async def test_a_hold_that_finds_its_event_cancelled_meanwhile_names_the_event_and_holds_nothing(
    engine, clock, monkeypatch
):
    box = Box(engine, clock)
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga)
    anna = await box.person(2)

    async def cancelled_meanwhile(self, event_id):  # what the re-read after the hold sees once a cancel committed
        return EventStatus.CANCELLED

    monkeypatch.setattr(EventRepo, "status_of", cancelled_meanwhile)
    with pytest.raises(EventNotOnSale) as info:
        await box.carts.add_tickets(anna.id, tt.id, 2)
    assert info.value.params == {"event": "Маузер"}
    monkeypatch.undo()
    async with box.uow(write=False) as u:
        assert (await u.events.ticket_type(tt.id)).held == 0
    assert (await box.carts.view(anna.id)).ready == []
