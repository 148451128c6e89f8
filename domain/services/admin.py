"""Platform admin commands."""

from __future__ import annotations

from dataclasses import dataclass

from domain.clock import Clock
from domain.errors import EventNotFound, UserNotFound
from domain.models import Event, User
from domain.policies import AdminPolicy
from domain.ports import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class StaffAssignment:
    staff: User
    event: Event
    created: bool


class AdminService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, admins: AdminPolicy) -> None:
        self._uow = uow
        self._clock = clock
        self._admins = admins

    async def assign_staff(self, actor: User, staff_telegram_id: int, event_id: int) -> StaffAssignment:
        self._admins.ensure_admin(actor)
        async with self._uow() as uow:
            staff = await uow.users.by_telegram_id(staff_telegram_id)
            if staff is None:
                raise UserNotFound(telegram_id=staff_telegram_id)
            event = await uow.events.get(event_id)
            if event is None:
                raise EventNotFound()
            created = await uow.staff.assign(staff.id, event.id, actor.id, self._clock.now())
            await uow.commit()
        return StaffAssignment(staff, event, created)
