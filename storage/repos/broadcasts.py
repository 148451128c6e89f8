"""Broadcasts and their deliveries: stored whole before the first message goes out, claimed in batches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update

from domain.models import Broadcast, BroadcastStatus, DeliveryStatus, TicketStatus, User
from storage.repos._base import Repo
from storage.repos.users import _user
from storage.tables import broadcast_deliveries, broadcasts, tickets, users

HOLDING = [TicketStatus.VALID.value, TicketStatus.USED.value]


def _broadcast(row) -> Broadcast:
    return Broadcast(
        id=row.id,
        event_id=row.event_id,
        author_id=row.author_id,
        text=row.text,
        status=BroadcastStatus(row.status),
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


class BroadcastRepo(Repo):
    async def add(self, event_id: int, author_id: int, text: str, now: datetime) -> Broadcast:
        values = dict(event_id=event_id, author_id=author_id, text=text, status=BroadcastStatus.DRAFT.value)
        stmt = insert(broadcasts).values(**values, created_at=now).returning(*broadcasts.c)
        return _broadcast((await self.conn.execute(stmt)).one())

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = (await self.conn.execute(select(broadcasts).where(broadcasts.c.id == broadcast_id))).first()
        return _broadcast(row) if row else None

    async def holders(self, event_id: int) -> list[int]:
        """Users holding a ticket of the event that admits (valid or used), each once."""
        stmt = (
            select(tickets.c.owner_id)
            .where(tickets.c.event_id == event_id, tickets.c.status.in_(HOLDING))
            .group_by(tickets.c.owner_id)
            .order_by(tickets.c.owner_id)
        )
        return [r.owner_id for r in await self.conn.execute(stmt)]

    async def start(self, broadcast_id: int, recipients: list[int]) -> bool:
        """Draft to sending, with a pending delivery per recipient; False when it was started already."""
        stmt = (
            update(broadcasts)
            .where(broadcasts.c.id == broadcast_id, broadcasts.c.status == BroadcastStatus.DRAFT.value)
            .values(status=BroadcastStatus.SENDING.value)
        )
        if (await self.conn.execute(stmt)).rowcount != 1:
            return False
        if recipients:
            rows = [
                {"broadcast_id": broadcast_id, "user_id": u, "status": DeliveryStatus.PENDING.value} for u in recipients
            ]
            await self.conn.execute(insert(broadcast_deliveries), rows)
        return True

    async def claim(self, broadcast_id: int, limit: int, now: datetime) -> list[tuple[int, User]]:
        """Up to `limit` pending deliveries, marked claimed (two senders never take the same row)."""
        pick = (
            select(broadcast_deliveries.c.id)
            .where(
                broadcast_deliveries.c.broadcast_id == broadcast_id,
                broadcast_deliveries.c.status == DeliveryStatus.PENDING.value,
            )
            .order_by(broadcast_deliveries.c.id)
            .limit(limit)
        )
        if self.conn.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        ids = [r.id for r in await self.conn.execute(pick)]
        if not ids:
            return []
        await self.conn.execute(
            update(broadcast_deliveries)
            .where(broadcast_deliveries.c.id.in_(ids), broadcast_deliveries.c.status == DeliveryStatus.PENDING.value)
            .values(status=DeliveryStatus.CLAIMED.value, attempted_at=now)
        )
        stmt = (
            select(broadcast_deliveries.c.id.label("delivery_id"), users)
            .join(users, users.c.id == broadcast_deliveries.c.user_id)
            .where(broadcast_deliveries.c.id.in_(ids))
            .order_by(broadcast_deliveries.c.id)
        )
        return [(r.delivery_id, _user(r)) for r in await self.conn.execute(stmt)]

    async def record(self, delivery_id: int, status: DeliveryStatus, now: datetime) -> bool:
        stmt = (
            update(broadcast_deliveries)
            .where(
                broadcast_deliveries.c.id == delivery_id,
                broadcast_deliveries.c.status == DeliveryStatus.CLAIMED.value,
            )
            .values(status=status.value, attempted_at=now)
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    async def counts(self, broadcast_id: int) -> dict[DeliveryStatus, int]:
        stmt = (
            select(broadcast_deliveries.c.status, func.count())
            .where(broadcast_deliveries.c.broadcast_id == broadcast_id)
            .group_by(broadcast_deliveries.c.status)
        )
        return {DeliveryStatus(s): int(n) for s, n in await self.conn.execute(stmt)}

    async def finish(self, broadcast_id: int, now: datetime) -> bool:
        """Sending to done once nothing is pending or claimed; True for the one call that did it."""
        open_rows = (
            select(broadcast_deliveries.c.id)
            .where(
                broadcast_deliveries.c.broadcast_id == broadcast_id,
                broadcast_deliveries.c.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value]),
            )
            .exists()
        )
        stmt = (
            update(broadcasts)
            .where(broadcasts.c.id == broadcast_id, broadcasts.c.status == BroadcastStatus.SENDING.value, ~open_rows)
            .values(status=BroadcastStatus.DONE.value, finished_at=now)
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    async def reclaim(self, claimed_before: datetime) -> list[int]:
        """Deliveries claimed by a sender that has not answered since `claimed_before` (it died) go back to
        pending; returns the broadcasts still sending, to be taken up again."""
        await self.conn.execute(
            update(broadcast_deliveries)
            .where(
                broadcast_deliveries.c.status == DeliveryStatus.CLAIMED.value,
                broadcast_deliveries.c.attempted_at < claimed_before,
            )
            .values(status=DeliveryStatus.PENDING.value)
        )
        stmt = select(broadcasts.c.id).where(broadcasts.c.status == BroadcastStatus.SENDING.value)
        return [r.id for r in await self.conn.execute(stmt.order_by(broadcasts.c.id))]
