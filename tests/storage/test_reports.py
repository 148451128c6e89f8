"""An organizer's report at the service level (SQLite and PostgreSQL): revenue at the prices paid,
tickets by status, the attendee list in issue order, only one's own events."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from domain.errors import OwnEventNotFound
from domain.models import TicketStatus
from domain.services.reports import ReportService
from domain.tariff_fields import TariffField
from storage.tables import tickets
from tests.paying import pay
from tests.storage.test_tariff_editor import Box

MSK = ZoneInfo("Europe/Moscow")


async def test_revenue_at_the_prices_paid_and_tickets_by_status(engine, clock):
    box = Box(engine, clock)
    reports = ReportService(box.uow, "RUB")
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga, quantity=20)
    anna = await box.person(2, money=10_000_000)
    cart = await box.carts.add_tickets(anna.id, tt.id, 3)
    first = await pay(box.checkout, anna.id, cart.version, cart.terms)
    await box.tariffs.set_field(olga, tt.id, TariffField.PRICE, "2500", MSK)
    boris = await box.person(3, money=10_000_000)
    cart = await box.carts.add_tickets(boris.id, tt.id, 2)
    await pay(box.checkout, boris.id, cart.version, cart.terms)
    await box.carts.add_tickets((await box.person(4)).id, tt.id, 1)  # held, not sold
    async with engine.begin() as conn:
        ids = [t.ticket.id for t in first.tickets]
        await conn.execute(update(tickets).where(tickets.c.id == ids[0]).values(status=TicketStatus.USED.value))
        await conn.execute(update(tickets).where(tickets.c.id == ids[1]).values(status=TicketStatus.REFUNDED.value))

    report = await reports.report(olga, tt.event_id)
    (line,) = report.tariffs
    assert (line.ticket_type.sold, line.ticket_type.held) == (5, 1)
    assert line.revenue.minor == 3 * 100_000 + 2 * 250_000 == report.revenue.minor
    assert (line.checked_in, line.refunded) == (1, 1)
    assert (report.checked_in, report.admitting, report.refunded) == (1, 4, 1)

    event, rows = await reports.attendees(olga, tt.event_id)
    assert event.id == tt.event_id and len(rows) == 5
    assert [r.status for r in rows[:2]] == [TicketStatus.USED, TicketStatus.REFUNDED]
    assert {r.holder for r in rows} == {"P2", "P3"} and all(r.paid_at is not None for r in rows)
    ivan = await box.person(5, organizer=True)
    with pytest.raises(OwnEventNotFound):
        await reports.report(ivan, tt.event_id)
    with pytest.raises(OwnEventNotFound):
        await reports.attendees(ivan, tt.event_id)
