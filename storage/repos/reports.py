"""Read-only sums and lists for an organizer's report and attendee list."""

from __future__ import annotations

from sqlalchemy import func, select

from domain.models import OrderStatus, TicketStatus
from domain.views import AttendeeRow
from storage.repos._base import Repo
from storage.repos.attendees import load_answers
from storage.tables import order_lines, orders, ticket_types, tickets, users


class ReportRepo(Repo):
    async def revenue_by_tariff(self, event_id: int) -> dict[int, int]:
        """Minor units paid per tariff (what each line cost when it was bought, not today's price)."""
        stmt = (
            select(order_lines.c.ticket_type_id, func.sum(order_lines.c.qty * order_lines.c.unit_price_minor))
            .join(orders, orders.c.id == order_lines.c.order_id)
            .where(order_lines.c.event_id == event_id, orders.c.status == OrderStatus.PAID.value)
            .group_by(order_lines.c.ticket_type_id)
        )
        return {row[0]: int(row[1] or 0) for row in await self.conn.execute(stmt)}

    async def tickets_by_tariff(self, event_id: int) -> dict[int, dict[TicketStatus, int]]:
        stmt = (
            select(tickets.c.ticket_type_id, tickets.c.status, func.count())
            .where(tickets.c.event_id == event_id)
            .group_by(tickets.c.ticket_type_id, tickets.c.status)
        )
        counts: dict[int, dict[TicketStatus, int]] = {}
        for tt_id, status, n in await self.conn.execute(stmt):
            counts.setdefault(tt_id, {})[TicketStatus(status)] = int(n)
        return counts

    async def attendees(self, event_id: int) -> list[AttendeeRow]:
        stmt = (
            select(
                tickets.c.secret,
                ticket_types.c.name,
                tickets.c.holder_name,
                users.c.username,
                tickets.c.status,
                orders.c.paid_at,
                tickets.c.checked_in_at,
                tickets.c.answers,
                orders.c.buyer_answers,
            )
            .join(ticket_types, ticket_types.c.id == tickets.c.ticket_type_id)
            .join(orders, orders.c.id == tickets.c.order_id)
            .join(users, users.c.id == tickets.c.owner_id)
            .where(tickets.c.event_id == event_id)
            .order_by(tickets.c.id)
        )
        return [
            AttendeeRow(
                r.secret,
                r.name,
                r.holder_name,
                r.username,
                TicketStatus(r.status),
                r.paid_at,
                r.checked_in_at,
                load_answers(r.answers),
                load_answers(r.buyer_answers),
            )
            for r in await self.conn.execute(stmt)
        ]
