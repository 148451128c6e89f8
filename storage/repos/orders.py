from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.errors import DuplicateOperation
from domain.models import ItemKind, Order, OrderLine, OrderStatus, Ticket, TicketStatus
from domain.money import Money
from storage.repos._base import Repo
from storage.tables import order_lines, orders, tickets


def _order(row) -> Order:
    return Order(
        id=row.id,
        user_id=row.user_id,
        status=OrderStatus(row.status),
        total=Money(row.total_minor, row.currency),
        created_at=row.created_at,
        paid_at=row.paid_at,
    )


def _line(row) -> OrderLine:
    return OrderLine(
        id=row.id,
        order_id=row.order_id,
        kind=ItemKind(row.kind),
        qty=row.qty,
        unit_price=Money(row.unit_price_minor, row.currency),
        event_id=row.event_id,
        ticket_type_id=row.ticket_type_id,
        title=row.title,
        tariff=row.tariff,
    )


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
    )


class OrderRepo(Repo):
    async def by_key(self, idempotency_key: str) -> Order | None:
        row = (await self.conn.execute(select(orders).where(orders.c.idempotency_key == idempotency_key))).first()
        if row is None:
            return None
        order = _order(row)
        lines = await self.conn.execute(select(order_lines).where(order_lines.c.order_id == order.id))
        order.lines = [_line(r) for r in lines]
        return order

    async def add(self, order: Order, idempotency_key: str, cart_id: int | None) -> Order:
        try:
            result = await self.conn.execute(
                insert(orders)
                .values(
                    user_id=order.user_id,
                    cart_id=cart_id,
                    status=order.status.value,
                    total_minor=order.total.minor,
                    currency=order.total.currency,
                    idempotency_key=idempotency_key,
                    created_at=order.created_at,
                    paid_at=order.paid_at,
                )
                .returning(orders.c.id)
            )
        except IntegrityError as exc:
            if "idempotency_key" not in str(exc.orig):
                raise
            raise DuplicateOperation(key=idempotency_key) from exc
        order.id = result.scalar_one()
        return order

    async def add_line(self, line: OrderLine) -> OrderLine:
        result = await self.conn.execute(
            insert(order_lines)
            .values(
                order_id=line.order_id,
                kind=line.kind.value,
                qty=line.qty,
                unit_price_minor=line.unit_price.minor,
                currency=line.unit_price.currency,
                event_id=line.event_id,
                ticket_type_id=line.ticket_type_id,
                title=line.title[:200],
                tariff=line.tariff[:100],
            )
            .returning(order_lines.c.id)
        )
        line.id = result.scalar_one()
        return line

    async def count_paid(self) -> int:
        stmt = select(func.count()).select_from(orders).where(orders.c.status == OrderStatus.PAID.value)
        return (await self.conn.execute(stmt)).scalar_one()


class TicketRepo(Repo):
    async def add(self, ticket: Ticket) -> Ticket:
        result = await self.conn.execute(
            insert(tickets)
            .values(
                order_id=ticket.order_id,
                event_id=ticket.event_id,
                ticket_type_id=ticket.ticket_type_id,
                owner_id=ticket.owner_id,
                holder_name=ticket.holder_name[:200],
                secret=ticket.secret,
                status=ticket.status.value,
                created_at=ticket.created_at,
            )
            .returning(tickets.c.id)
        )
        ticket.id = result.scalar_one()
        return ticket

    async def get(self, ticket_id: int) -> Ticket | None:
        row = (await self.conn.execute(select(tickets).where(tickets.c.id == ticket_id))).first()
        return _ticket(row) if row else None

    async def by_secret(self, secret: str) -> Ticket | None:
        row = (await self.conn.execute(select(tickets).where(tickets.c.secret == secret))).first()
        return _ticket(row) if row else None

    async def by_secret_prefix(self, prefix: str, limit: int) -> list[Ticket]:
        if not prefix.isalnum():
            return []
        rows = await self.conn.execute(select(tickets).where(tickets.c.secret.like(prefix + "%")).limit(limit))
        return [_ticket(r) for r in rows]

    async def of_order(self, order_id: int) -> list[Ticket]:
        rows = await self.conn.execute(select(tickets).where(tickets.c.order_id == order_id).order_by(tickets.c.id))
        return [_ticket(r) for r in rows]

    async def of_owner(self, owner_id: int, offset: int, limit: int) -> tuple[list[Ticket], int]:
        where = tickets.c.owner_id == owner_id
        total = (await self.conn.execute(select(func.count()).select_from(tickets).where(where))).scalar_one()
        rows = await self.conn.execute(
            select(tickets).where(where).order_by(tickets.c.id.desc()).offset(offset).limit(limit)
        )
        return [_ticket(r) for r in rows], total

    async def check_in(self, ticket_id: int, staff_id: int, now: datetime) -> bool:
        """Only a valid ticket flips to used: two doors scanning at once cannot both succeed."""
        result = await self.conn.execute(
            update(tickets)
            .where(tickets.c.id == ticket_id, tickets.c.status == TicketStatus.VALID.value)
            .values(status=TicketStatus.USED.value, checked_in_at=now, checked_in_by=staff_id)
        )
        return result.rowcount == 1
