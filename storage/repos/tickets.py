"""Tickets: issuing (never failing on a clash of secrets), look-ups by secret and short code, check-in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select, update

from domain.codes import parse_short_code, short_code
from domain.models import Ticket, TicketStatus
from storage.repos._base import Repo
from storage.repos.attendees import dump_answers, load_answers
from storage.tables import tickets


def _ticket(row) -> Ticket:
    return Ticket(
        id=row.id,
        order_id=row.order_id,
        event_id=row.event_id,
        ticket_type_id=row.ticket_type_id,
        owner_id=row.owner_id,
        holder_name=row.holder_name,
        secret=row.secret,
        status=TicketStatus(row.status),
        created_at=row.created_at,
        checked_in_at=row.checked_in_at,
        checked_in_by=row.checked_in_by,
        answers=load_answers(row.answers),
        price_minor=getattr(row, "price_minor", None),
    )


def short_code_of(secret: str) -> str | None:
    """The column value: exactly what the door's parse_short_code makes of the code printed under the QR."""
    return parse_short_code(short_code(secret))


class TicketRepo(Repo):
    async def count_owned(self, owner_id: int, event_id: int) -> int:
        stmt = select(func.count()).where(
            tickets.c.owner_id == owner_id,
            tickets.c.event_id == event_id,
            tickets.c.status.in_([TicketStatus.VALID.value, TicketStatus.USED.value]),
        )
        return (await self.conn.execute(stmt)).scalar_one()

    async def add(self, ticket: Ticket) -> Ticket | None:
        """None when the secret or its short code is taken already: the caller draws another secret.
        ON CONFLICT DO NOTHING keeps the transaction usable on PostgreSQL, unlike a caught IntegrityError."""
        ticket.holder_name = ticket.holder_name[:200]  # the column's length: the ticket returned is the one stored
        result = await self.conn.execute(
            self.insert(tickets)
            .values(
                order_id=ticket.order_id,
                event_id=ticket.event_id,
                ticket_type_id=ticket.ticket_type_id,
                owner_id=ticket.owner_id,
                holder_name=ticket.holder_name,
                secret=ticket.secret,
                short_code=short_code_of(ticket.secret),
                status=ticket.status.value,
                created_at=ticket.created_at,
                answers=dump_answers(ticket.answers),
                price_minor=ticket.price_minor,
            )
            .on_conflict_do_nothing()
            .returning(tickets.c.id)
        )
        ticket_id = result.scalar_one_or_none()
        if ticket_id is None:
            return None
        ticket.id = ticket_id
        return ticket

    async def get(self, ticket_id: int) -> Ticket | None:
        row = (await self.conn.execute(select(tickets).where(tickets.c.id == ticket_id))).first()
        return _ticket(row) if row else None

    async def by_secret(self, secret: str) -> Ticket | None:
        row = (await self.conn.execute(select(tickets).where(tickets.c.secret == secret))).first()
        return _ticket(row) if row else None

    async def by_short_code(self, code: str) -> Ticket | None:
        """An exact hit on the unique index ix_tickets_short_code (code as parse_short_code returns it)."""
        row = (await self.conn.execute(select(tickets).where(tickets.c.short_code == code))).first()
        return _ticket(row) if row else None

    async def of_order(self, order_id: int) -> list[Ticket]:
        rows = await self.conn.execute(select(tickets).where(tickets.c.order_id == order_id).order_by(tickets.c.id))
        return [_ticket(r) for r in rows]

    async def tally(self, order_ids: list[int]) -> dict[int, dict[str, int]]:
        """How many tickets of each status every order has (one statement)."""
        if not order_ids:
            return {}
        stmt = (
            select(tickets.c.order_id, tickets.c.status, func.count().label("n"))
            .where(tickets.c.order_id.in_(order_ids))
            .group_by(tickets.c.order_id, tickets.c.status)
        )
        found: dict[int, dict[str, int]] = {}
        for row in await self.conn.execute(stmt):
            found.setdefault(row.order_id, {})[row.status] = row.n
        return found

    async def of_owner(self, owner_id: int, offset: int, limit: int) -> tuple[list[Ticket], int]:
        where = tickets.c.owner_id == owner_id
        total = (await self.conn.execute(select(func.count()).select_from(tickets).where(where))).scalar_one()
        rows = await self.conn.execute(
            select(tickets).where(where).order_by(tickets.c.id.desc()).offset(offset).limit(limit)
        )
        return [_ticket(r) for r in rows], total

    async def rename(self, ticket_id: int, owner_id: int, name: str) -> bool:
        """Only a valid ticket of its owner: a used or refunded one keeps the name it was used under."""
        result = await self.conn.execute(
            update(tickets)
            .where(
                tickets.c.id == ticket_id,
                tickets.c.owner_id == owner_id,
                tickets.c.status == TicketStatus.VALID.value,
            )
            .values(holder_name=name[:200])
        )
        return result.rowcount == 1

    async def check_in(self, ticket_id: int, staff_id: int, now: datetime) -> bool:
        """Only a valid ticket flips to used: two doors scanning at once cannot both succeed."""
        result = await self.conn.execute(
            update(tickets)
            .where(tickets.c.id == ticket_id, tickets.c.status == TicketStatus.VALID.value)
            .values(status=TicketStatus.USED.value, checked_in_at=now, checked_in_by=staff_id)
        )
        return result.rowcount == 1

    async def door_counts(self, event_ids: list[int]) -> dict[int, tuple[int, int]]:
        """Per event: tickets that let someone in (valid or used), and those used already."""
        if not event_ids:
            return {}
        admitting = tickets.c.status.in_([TicketStatus.VALID.value, TicketStatus.USED.value])
        used = func.sum(case((tickets.c.status == TicketStatus.USED.value, 1), else_=0))
        stmt = (
            select(tickets.c.event_id, func.count(), used)
            .where(tickets.c.event_id.in_(event_ids), admitting)
            .group_by(tickets.c.event_id)
        )
        return {row[0]: (int(row[1]), int(row[2] or 0)) for row in await self.conn.execute(stmt)}
