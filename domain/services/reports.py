"""An organizer's report on one event and its attendee list (their own events only)."""

from __future__ import annotations

from domain.models import Event, Question, TicketStatus, User
from domain.money import Money
from domain.ports import UnitOfWorkFactory
from domain.services.event_editor import own_event
from domain.views import AttendeeRow, EventReport, TariffReport

ADMITTING = (TicketStatus.VALID, TicketStatus.USED)


class ReportService:
    def __init__(self, uow: UnitOfWorkFactory, currency: str) -> None:
        self._uow = uow
        self._currency = currency

    async def report(self, user: User, event_id: int) -> EventReport:
        """Sold and held by tariff, revenue at the prices paid, check-ins and refunds, read in one go."""
        async with self._uow(write=False) as uow:
            event = await own_event(uow, user, event_id)
            types = await uow.events.ticket_types(event.id)
            revenue = await uow.reports.revenue_by_tariff(event.id)
            counts = await uow.reports.tickets_by_tariff(event.id)
        lines = []
        for tt in types:
            by_status = counts.get(tt.id, {})
            lines.append(
                TariffReport(
                    tt,
                    Money(revenue.get(tt.id, 0), tt.price.currency),
                    by_status.get(TicketStatus.USED, 0),
                    by_status.get(TicketStatus.REFUNDED, 0),
                )
            )
        total = Money(sum(revenue.values()), self._currency)
        statuses = [c for per in counts.values() for c in per.items()]
        return EventReport(
            event,
            lines,
            total,
            checked_in=sum(n for s, n in statuses if s is TicketStatus.USED),
            admitting=sum(n for s, n in statuses if s in ADMITTING),
            refunded=sum(n for s, n in statuses if s is TicketStatus.REFUNDED),
        )

    async def attendees(self, user: User, event_id: int) -> tuple[Event, list[AttendeeRow]]:
        event, _questions, rows = await self.attendee_list(user, event_id)
        return event, rows

    async def attendee_list(self, user: User, event_id: int) -> tuple[Event, list[Question], list[AttendeeRow]]:
        """The attendees with their answers, and every question the event has asked (removed ones too:
        their answers were given), in the organizer's order, read in one go."""
        async with self._uow(write=False) as uow:
            event = await own_event(uow, user, event_id)
            questions = (await uow.attendees.questions([event.id], removed=True)).get(event.id, [])
            return event, questions, await uow.reports.attendees(event.id)
