from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.errors import DuplicateOperation
from domain.models import Acceptance, ItemKind, Order, OrderLine, OrderStatus
from domain.money import Money
from domain.pricing import LineDiscount, Source
from storage.repos._base import Repo
from storage.repos.attendees import dump_answers, load_answers
from storage.tables import order_line_discounts, order_lines, orders


def _order(row) -> Order:
    return Order(
        id=row.id,
        user_id=row.user_id,
        status=OrderStatus(row.status),
        total=Money(row.total_minor, row.currency),
        created_at=row.created_at,
        paid_at=row.paid_at,
        delivered_at=row.delivered_at,
        acceptance=Acceptance(row.terms_digest, row.terms, row.terms_accepted_at) if row.terms_digest else None,
        buyer_answers=load_answers(row.buyer_answers),
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
        total=Money(row.total_minor, row.currency) if row.total_minor is not None else None,
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

    async def get(self, order_id: int) -> Order | None:
        row = (await self.conn.execute(select(orders).where(orders.c.id == order_id))).first()
        if row is None:
            return None
        order = _order(row)
        stmt = select(order_lines).where(order_lines.c.order_id == order.id).order_by(order_lines.c.id)
        order.lines = [_line(r) for r in await self.conn.execute(stmt)]
        if order.lines:
            found: dict[int, list[LineDiscount]] = {}
            stmt = (
                select(order_line_discounts)
                .where(order_line_discounts.c.order_line_id.in_([line.id for line in order.lines]))
                .order_by(order_line_discounts.c.id)
            )
            for r in await self.conn.execute(stmt):
                ref = int(r.ref) if r.source == Source.PROMOTION.value else r.ref
                found.setdefault(r.order_line_id, []).append(
                    LineDiscount(Source(r.source), ref, r.name, Money(r.amount_minor, r.currency))
                )
            for line in order.lines:
                line.discounts = tuple(found.get(line.id, ()))
        return order

    async def recent_of(self, user_id: int, limit: int) -> tuple[list[Order], int]:
        """The user's latest orders (without lines), and how many there are in all."""
        total = (
            await self.conn.execute(select(func.count()).select_from(orders).where(orders.c.user_id == user_id))
        ).scalar_one()
        stmt = select(orders).where(orders.c.user_id == user_id).order_by(orders.c.id.desc()).limit(limit)
        return [_order(r) for r in await self.conn.execute(stmt)], total

    async def page_of(self, user_id: int, offset: int, limit: int) -> tuple[list[Order], int]:
        """The person's orders newest first, each with its lines (three statements for a page)."""
        total = (
            await self.conn.execute(select(func.count()).select_from(orders).where(orders.c.user_id == user_id))
        ).scalar_one()
        stmt = select(orders).where(orders.c.user_id == user_id).order_by(orders.c.id.desc())
        found = [_order(r) for r in await self.conn.execute(stmt.offset(offset).limit(limit))]
        if found:
            by_id = {order.id: order for order in found}
            lines = select(order_lines).where(order_lines.c.order_id.in_(list(by_id))).order_by(order_lines.c.id)
            for row in await self.conn.execute(lines):
                by_id[row.order_id].lines.append(_line(row))
        return found, total

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
                    terms_digest=order.acceptance.digest if order.acceptance else None,
                    terms=order.acceptance.snapshot if order.acceptance else None,
                    terms_accepted_at=order.acceptance.accepted_at if order.acceptance else None,
                    buyer_answers=dump_answers(order.buyer_answers),
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
                title=line.title,  # the event's title and the tariff's name: columns of the same lengths
                tariff=line.tariff,
                total_minor=line.total.minor if line.total is not None else None,
            )
            .returning(order_lines.c.id)
        )
        line.id = result.scalar_one()
        return line

    async def add_discounts(self, lines: list[OrderLine]) -> None:
        """Every discount of the given (stored) lines, in one statement."""
        rows = [
            {
                "order_line_id": line.id,
                "source": d.source.value,
                "ref": str(d.ref)[:64],
                "name": d.name[:100],
                "amount_minor": d.amount.minor,
                "currency": d.amount.currency,
            }
            for line in lines
            for d in line.discounts
        ]
        if rows:
            await self.conn.execute(insert(order_line_discounts), rows)

    async def mark_delivered(self, order_id: int, user_id: int, now: datetime) -> bool:
        result = await self.conn.execute(
            update(orders)
            .where(orders.c.id == order_id, orders.c.user_id == user_id, orders.c.delivered_at.is_(None))
            .values(delivered_at=now)
        )
        return result.rowcount == 1

    async def undelivered(self, paid_before: datetime, limit: int) -> list[Order]:
        rows = await self.conn.execute(
            select(orders)
            .where(
                orders.c.status == OrderStatus.PAID.value,
                orders.c.delivered_at.is_(None),
                orders.c.paid_at < paid_before,
            )
            .order_by(orders.c.id)
            .limit(limit)
        )
        return [_order(r) for r in rows]
