from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update

from domain.models import Language, TelegramProfile, User
from storage.repos._base import Repo
from storage.tables import staff_assignments, staff_invites, users


def _user(row) -> User:
    return User(
        id=row.id,
        telegram_id=row.telegram_id,
        first_name=row.first_name,
        last_name=row.last_name,
        username=row.username,
        language=Language(row.language),
        created_at=row.created_at,
        is_organizer=bool(row.is_organizer),
    )


class UserRepo(Repo):
    async def get(self, user_id: int) -> User | None:
        row = (await self.conn.execute(select(users).where(users.c.id == user_id))).first()
        return _user(row) if row else None

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        row = (await self.conn.execute(select(users).where(users.c.telegram_id == telegram_id))).first()
        return _user(row) if row else None

    async def upsert_profile(self, profile: TelegramProfile, now: datetime) -> User:
        names = {
            "first_name": (profile.first_name or "")[:128] or str(profile.telegram_id),
            "last_name": (profile.last_name or None) and profile.last_name[:128],
            "username": (profile.username or None) and profile.username[:64],
        }
        stmt = self.insert(users).values(
            telegram_id=profile.telegram_id,
            language=Language.from_telegram(profile.language_code).value,
            created_at=now,
            updated_at=now,
            **names,
        )
        stmt = stmt.on_conflict_do_update(index_elements=[users.c.telegram_id], set_={**names, "updated_at": now})
        row = (await self.conn.execute(stmt.returning(*users.c))).one()
        return _user(row)

    async def set_language(self, user_id: int, language: Language) -> None:
        await self.conn.execute(
            update(users).where(users.c.id == user_id).values(language=language.value, language_chosen=1)
        )

    async def by_username(self, username: str) -> User | None:
        stmt = select(users).where(func.lower(users.c.username) == username.lower().lstrip("@"))
        row = (await self.conn.execute(stmt.order_by(users.c.updated_at.desc()).limit(1))).first()
        return _user(row) if row else None

    async def by_telegram_ids(self, telegram_ids: list[int]) -> list[User]:
        if not telegram_ids:
            return []
        stmt = select(users).where(users.c.telegram_id.in_(telegram_ids)).order_by(users.c.telegram_id)
        return [_user(row) for row in await self.conn.execute(stmt)]


class StaffRepo(Repo):
    async def assign(self, user_id: int, event_id: int, assigned_by: int | None, now: datetime) -> bool:
        stmt = (
            self.insert(staff_assignments)
            .values(user_id=user_id, event_id=event_id, assigned_by=assigned_by, created_at=now)
            .on_conflict_do_nothing(index_elements=[staff_assignments.c.user_id, staff_assignments.c.event_id])
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    async def is_assigned(self, user_id: int, event_id: int) -> bool:
        stmt = select(staff_assignments.c.id).where(
            staff_assignments.c.user_id == user_id, staff_assignments.c.event_id == event_id
        )
        return (await self.conn.execute(stmt)).first() is not None

    async def events_of(self, user_id: int) -> list[int]:
        stmt = select(staff_assignments.c.event_id).where(staff_assignments.c.user_id == user_id)
        return [r.event_id for r in await self.conn.execute(stmt)]

    async def remove(self, user_id: int, event_id: int) -> bool:
        stmt = delete(staff_assignments).where(
            staff_assignments.c.user_id == user_id, staff_assignments.c.event_id == event_id
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    async def staff_of(self, event_id: int) -> list[User]:
        stmt = (
            select(users)
            .join(staff_assignments, staff_assignments.c.user_id == users.c.id)
            .where(staff_assignments.c.event_id == event_id)
            .order_by(staff_assignments.c.id)
        )
        return [_user(row) for row in await self.conn.execute(stmt)]

    async def add_invite(self, token: str, event_id: int, created_by: int, now: datetime, expires_at: datetime) -> None:
        await self.conn.execute(
            staff_invites.insert().values(
                token=token, event_id=event_id, created_by=created_by, created_at=now, expires_at=expires_at
            )
        )

    async def take_invite(self, token: str, user_id: int, now: datetime) -> int | None:
        """The invitation's event, once: the first person to open a live link takes it (one conditional
        UPDATE), anyone after them (or after it expires) gets None."""
        stmt = (
            update(staff_invites)
            .where(staff_invites.c.token == token, staff_invites.c.used_by.is_(None), staff_invites.c.expires_at > now)
            .values(used_by=user_id, used_at=now)
            .returning(staff_invites.c.event_id)
        )
        row = (await self.conn.execute(stmt)).first()
        return row.event_id if row else None
