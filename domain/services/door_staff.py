"""Door staff of an organizer's event: added by @username, by a forwarded message, or by a single-use,
expiring invitation link; removed; listed. Staff see their events of the day with a live counter.

Staff act only on the events they are assigned to (CheckinService checks it on every scan)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from domain.clock import Clock
from domain.errors import InviteInvalid, StaffUnknown
from domain.models import Event, EventStatus, User
from domain.ports import UnitOfWorkFactory
from domain.services.event_editor import ensure_editable, own_event
from domain.views import DoorLine, DoorView

INVITE_TTL = timedelta(hours=48)
INVITE_PREFIX = "staff_"


@dataclass(frozen=True, slots=True)
class Added:
    staff: User
    event: Event
    created: bool


class DoorStaffService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def staff_of(self, organizer: User, event_id: int) -> tuple[Event, list[User]]:
        async with self._uow(write=False) as uow:
            event = await own_event(uow, organizer, event_id)
            return event, await uow.staff.staff_of(event.id)

    async def add(self, organizer: User, event_id: int, person: int | str) -> Added:
        """person: a Telegram id (from a forwarded message) or a lower-case @username without the @."""
        async with self._uow() as uow:
            event = await own_event(uow, organizer, event_id)
            ensure_editable(event)
            if isinstance(person, int):
                staff = await uow.users.by_telegram_id(person)
            else:
                staff = await uow.users.by_username(person)
            if staff is None:
                raise StaffUnknown()
            created = await uow.staff.assign(staff.id, event.id, organizer.id, self._clock.now())
            await uow.commit()
        return Added(staff, event, created)

    async def remove(self, organizer: User, event_id: int, staff_id: int) -> User | None:
        """The person taken off the event's door, or None when they were not on it (a second tap)."""
        async with self._uow() as uow:
            event = await own_event(uow, organizer, event_id)
            if not await uow.staff.remove(staff_id, event.id):
                return None
            removed = await uow.users.get(staff_id)
            await uow.commit()
        return removed

    async def invite(self, organizer: User, event_id: int) -> str:
        """A deep-link payload (`staff_<token>`) good for one person within INVITE_TTL."""
        now = self._clock.now()
        token = secrets.token_urlsafe(12)
        async with self._uow() as uow:
            event = await own_event(uow, organizer, event_id)
            ensure_editable(event)
            await uow.staff.add_invite(token, event.id, organizer.id, now, now + INVITE_TTL)
            await uow.commit()
        return INVITE_PREFIX + token

    async def accept(self, user: User, payload: str) -> Added:
        """The person opening the link becomes staff of its event; a second person, or a late one, is
        refused and nothing changes."""
        token = payload.removeprefix(INVITE_PREFIX)
        now = self._clock.now()
        async with self._uow() as uow:
            event_id = await uow.staff.take_invite(token, user.id, now)
            if event_id is None:
                raise InviteInvalid()
            event = await uow.events.get(event_id)
            created = await uow.staff.assign(user.id, event_id, None, now)
            await uow.commit()
        return Added(user, event, created)

    async def is_staff(self, user: User) -> bool:
        async with self._uow(write=False) as uow:
            return bool(await uow.staff.events_of(user.id))

    async def door(self, user: User, tz: ZoneInfo) -> DoorView:
        """The assigned events of the local day with checked-in of sold, and when there are none, the
        next assigned event ahead."""
        now = self._clock.now()
        day = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        start, end = day, day + timedelta(days=1)
        async with self._uow(write=False) as uow:
            events = [await uow.events.get(e) for e in await uow.staff.events_of(user.id)]
            events = [e for e in events if e is not None and e.status is EventStatus.PUBLISHED and e.starts_at]
            today = sorted((e for e in events if start <= e.starts_at < end), key=lambda e: (e.starts_at, e.id))
            counts = await uow.tickets.door_counts([e.id for e in today])
        lines = [DoorLine(e, *counts.get(e.id, (0, 0))) for e in today]
        ahead = sorted((e for e in events if e.starts_at >= end), key=lambda e: (e.starts_at, e.id))
        return DoorView(lines, ahead[0] if not lines and ahead else None, now)
