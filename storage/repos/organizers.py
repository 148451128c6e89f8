from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from domain.models import OrganizerRequest, OrganizerRequestStatus
from storage.repos._base import Repo
from storage.tables import organizer_requests, users


def _request(row) -> OrganizerRequest:
    return OrganizerRequest(
        id=row.id,
        user_id=row.user_id,
        about=row.about,
        status=OrganizerRequestStatus(row.status),
        created_at=row.created_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
    )


class OrganizerRepo(Repo):
    async def add_request(self, user_id: int, about: str, now: datetime) -> OrganizerRequest | None:
        stmt = (
            self.insert(organizer_requests)
            .values(user_id=user_id, about=about, status=OrganizerRequestStatus.PENDING.value, created_at=now)
            .on_conflict_do_nothing(
                index_elements=[organizer_requests.c.user_id],
                index_where=organizer_requests.c.status == OrganizerRequestStatus.PENDING.value,
            )
            .returning(*organizer_requests.c)
        )
        row = (await self.conn.execute(stmt)).first()
        return _request(row) if row else None

    async def get_request(self, request_id: int) -> OrganizerRequest | None:
        stmt = select(organizer_requests).where(organizer_requests.c.id == request_id)
        row = (await self.conn.execute(stmt)).first()
        return _request(row) if row else None

    async def decide(self, request_id: int, status: OrganizerRequestStatus, admin_id: int, now: datetime) -> bool:
        stmt = (
            update(organizer_requests)
            .where(
                organizer_requests.c.id == request_id,
                organizer_requests.c.status == OrganizerRequestStatus.PENDING.value,
            )
            .values(status=status.value, decided_at=now, decided_by=admin_id)
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    async def set_organizer(self, user_id: int, organizer: bool) -> bool:
        flag = int(organizer)
        stmt = update(users).where(users.c.id == user_id, users.c.is_organizer != flag).values(is_organizer=flag)
        return (await self.conn.execute(stmt)).rowcount == 1

    async def is_organizer(self, user_id: int) -> bool:
        stmt = select(users.c.is_organizer).where(users.c.id == user_id)
        return bool((await self.conn.execute(stmt)).scalar())
