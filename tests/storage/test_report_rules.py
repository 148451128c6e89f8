"""Report rules at the service and storage level, on SQLite and PostgreSQL: revenue counts paid orders of
this event only, per tariff (a tariff nobody bought shows zero in its own currency); who is counted as
checked in, admitted and refunded; the attendee list carries each ticket's tariff, holder, buyer,
status, payment and check-in moments, in issue order, and nobody from another event."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from domain.models import OrderStatus, TelegramProfile, TicketStatus
from domain.services.reports import ReportService
from storage.tables import orders, tickets
from tests.paying import pay
from tests.storage.test_tariff_editor import Box


async def _pay(box, buyer, tt, qty):
    cart = await box.carts.add_tickets(buyer.id, tt.id, qty)
    return await pay(box.checkout, buyer.id, cart.version, cart.terms)


async def _set_ticket(engine, ticket_id, status):
    async with engine.begin() as conn:
        await conn.execute(update(tickets).where(tickets.c.id == ticket_id).values(status=status.value))


async def test_revenue_is_what_paid_orders_of_this_event_brought_per_tariff(engine, clock):
    box = Box(engine, clock)
    reports = ReportService(box.uow, "RUB")
    olga = await box.person(1, organizer=True)
    standard = await box.on_sale(olga)
    vip = await box.tariffs.create(olga, standard.event_id, {"name": "VIP", "price": 300_000, "quantity": 5})
    empty = await box.tariffs.create(olga, standard.event_id, {"name": "Balcony", "price": 50_000, "quantity": 5})
    elsewhere = await box.on_sale(olga)
    anna = await box.person(2, money=10_000_000)
    await _pay(box, anna, standard, 2)
    await _pay(box, anna, vip, 1)
    await _pay(box, anna, elsewhere, 3)  # another event: not in this report
    boris = await box.person(3, money=10_000_000)
    cancelled = await _pay(box, boris, vip, 2)
    async with engine.begin() as conn:  # an order that is not paid any more brings nothing
        await conn.execute(
            update(orders).where(orders.c.id == cancelled.order.id).values(status=OrderStatus.CANCELLED.value)
        )
    for t in cancelled.tickets:
        await _set_ticket(engine, t.ticket.id, TicketStatus.CANCELLED)

    report = await reports.report(olga, standard.event_id)
    assert report.event.id == standard.event_id
    by_tariff = {line.ticket_type.id: line for line in report.tariffs}
    assert set(by_tariff) == {standard.id, vip.id, empty.id}
    assert by_tariff[standard.id].revenue.minor == 2 * 100_000
    assert by_tariff[vip.id].revenue.minor == 300_000
    assert by_tariff[empty.id].revenue.minor == 0
    assert {line.revenue.currency for line in report.tariffs} == {"RUB"}
    assert (report.revenue.minor, report.revenue.currency) == (500_000, "RUB")
    assert [(line.checked_in, line.refunded) for line in report.tariffs] == [(0, 0)] * 3
    assert (report.checked_in, report.admitting, report.refunded) == (0, 3, 0)


async def test_checked_in_admitting_and_refunded_are_counted_by_ticket_status(engine, clock):
    box = Box(engine, clock)
    reports = ReportService(box.uow, "RUB")
    olga = await box.person(1, organizer=True)
    standard = await box.on_sale(olga)
    vip = await box.tariffs.create(olga, standard.event_id, {"name": "VIP", "price": 300_000, "quantity": 9})
    anna = await box.person(2, money=10_000_000)
    cheap = await _pay(box, anna, standard, 4)
    dear = await _pay(box, anna, vip, 3)
    ids = [t.ticket.id for t in cheap.tickets]
    await _set_ticket(engine, ids[0], TicketStatus.USED)
    await _set_ticket(engine, ids[1], TicketStatus.REFUNDED)
    await _set_ticket(engine, ids[2], TicketStatus.CANCELLED)
    await _set_ticket(engine, dear.tickets[0].ticket.id, TicketStatus.USED)
    await _set_ticket(engine, dear.tickets[1].ticket.id, TicketStatus.USED)
    await _set_ticket(engine, dear.tickets[2].ticket.id, TicketStatus.REFUNDED)

    report = await reports.report(olga, standard.event_id)
    by_tariff = {line.ticket_type.id: (line.checked_in, line.refunded) for line in report.tariffs}
    assert by_tariff == {standard.id: (1, 1), vip.id: (2, 1)}
    # admitting: valid or used (1 valid + 1 used of the cheap ones, 2 used of the dear ones)
    assert (report.checked_in, report.admitting, report.refunded) == (3, 4, 2)


async def test_the_attendee_list_names_each_ticket_in_issue_order(engine, clock):
    box = Box(engine, clock)
    reports = ReportService(box.uow, "RUB")
    olga = await box.person(1, organizer=True)
    standard = await box.on_sale(olga)
    vip = await box.tariffs.create(olga, standard.event_id, {"name": "VIP", "price": 300_000, "quantity": 5})
    elsewhere = await box.on_sale(olga)
    steward = await box.person(9)
    await box.person(2, money=10_000_000)
    anna = await box.users.identify(TelegramProfile(2, "Anna", username="anna_k"))
    boris = await box.person(3, money=10_000_000)
    first = await _pay(box, anna, vip, 1)
    clock.advance(seconds=60)
    second = await _pay(box, boris, standard, 2)
    await _pay(box, boris, elsewhere, 1)
    clock.advance(seconds=60)
    async with box.uow() as u:
        await u.tickets.check_in(second.tickets[1].ticket.id, steward.id, clock.now())
        await u.commit()

    event, rows = await reports.attendees(olga, standard.event_id)
    assert event.id == standard.event_id
    issued = [first.tickets[0].ticket, second.tickets[0].ticket, second.tickets[1].ticket]
    assert [r.secret for r in rows] == [t.secret for t in issued]
    assert [(r.tariff, r.holder, r.buyer_username, r.status) for r in rows] == [
        ("VIP", "Anna", "anna_k", TicketStatus.VALID),
        ("Standard", "P3", None, TicketStatus.VALID),
        ("Standard", "P3", None, TicketStatus.USED),
    ]

    def naive(moment):
        return None if moment is None else moment.replace(tzinfo=None)

    paid = [first.order.paid_at, second.order.paid_at, second.order.paid_at]
    assert [naive(r.paid_at) for r in rows] == [naive(p) for p in paid]
    assert first.order.paid_at + timedelta(seconds=60) == second.order.paid_at
    assert [naive(r.checked_in_at) for r in rows] == [None, None, naive(clock.now())]
