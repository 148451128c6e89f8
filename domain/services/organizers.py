"""Who may sell: a person asks, an admin approves or declines once, an admin may take the role back.

The role is read from the database whenever it grants something: the user object an update carries may
be up to a minute old (UserService remembers profiles), and a revoked organizer must stop at once."""

from __future__ import annotations

import math
from dataclasses import dataclass

from domain.clock import Clock
from domain.errors import (
    AlreadyOrganizer,
    NotAnOrganizer,
    NotOrganizer,
    OrganizerAboutInvalid,
    OrganizerRequestDecided,
    OrganizerRequestDeclined,
    OrganizerRequestNotFound,
    OrganizerRequestPending,
    UserNotFound,
)
from domain.models import OrganizerRequest, OrganizerRequestStatus, User
from domain.policies import AdminPolicy
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.views import OrganizerEventLine, OrganizerEventsPage

ABOUT_MIN = 3
ABOUT_MAX = 500
EVENTS_PAGE = 10


@dataclass(frozen=True, slots=True)
class RequestFiled:
    request: OrganizerRequest
    admins: list[User]  # the admins who have started the bot: the ones who can be told


@dataclass(frozen=True, slots=True)
class Decision:
    request: OrganizerRequest
    applicant: User


class OrganizerService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, admins: AdminPolicy) -> None:
        self._uow = uow
        self._clock = clock
        self._admins = admins

    async def request(self, user: User, about: str) -> RequestFiled:
        """One pending request per person (a unique index, so two taps at once file one)."""
        about = " ".join(about.split())
        if not ABOUT_MIN <= len(about) <= ABOUT_MAX:
            raise OrganizerAboutInvalid(min=ABOUT_MIN, max=ABOUT_MAX)
        async with self._uow() as uow:
            if await uow.organizers.is_organizer(user.id):
                raise AlreadyOrganizer()
            request = await uow.organizers.add_request(user.id, about, self._clock.now())
            if request is None:
                raise OrganizerRequestPending()
            admins = await uow.users.by_telegram_ids(sorted(self._admins.admin_telegram_ids))
            await uow.commit()
        return RequestFiled(request, admins)

    async def decide(self, admin: User, request_id: int, approve: bool) -> Decision:
        """Exactly one decision per request: the second press (of either button, by any admin) is told
        what was decided, and changes nothing."""
        self._admins.ensure_admin(admin)
        status = OrganizerRequestStatus.APPROVED if approve else OrganizerRequestStatus.DECLINED
        async with self._uow() as uow:
            request = await uow.organizers.get_request(request_id)
            if request is None:
                raise OrganizerRequestNotFound()
            applicant = await uow.users.get(request.user_id)
            if applicant is None:
                raise OrganizerRequestNotFound()
            now = self._clock.now()
            if not await uow.organizers.decide(request.id, status, admin.id, now):
                current = await uow.organizers.get_request(request.id)
                declined = current.status is OrganizerRequestStatus.DECLINED
                raise (OrganizerRequestDeclined if declined else OrganizerRequestDecided)(name=applicant.display_name)
            if approve:
                await uow.organizers.set_organizer(applicant.id, True)
                applicant.is_organizer = True
            await uow.commit()
        request.status, request.decided_at, request.decided_by = status, now, admin.id
        return Decision(request, applicant)

    async def revoke(self, admin: User, person: int | str) -> User:
        """person: a Telegram id or a lower-case username, as domain.ids.parse_person reads them."""
        self._admins.ensure_admin(admin)
        async with self._uow() as uow:
            target = await _find(uow, person)
            if not await uow.organizers.set_organizer(target.id, False):
                raise NotAnOrganizer(name=target.display_name)
            await uow.commit()
        target.is_organizer = False
        return target

    async def is_organizer(self, user: User) -> bool:
        async with self._uow(write=False) as uow:
            return await uow.organizers.is_organizer(user.id)

    async def ensure_organizer(self, user: User) -> None:
        if not await self.is_organizer(user):
            raise NotOrganizer()

    async def my_events(self, user: User, page: int = 0) -> OrganizerEventsPage:
        """The organizer's own events, each with sold of total; a page past the end shows the last one."""
        async with self._uow(write=False) as uow:
            if not await uow.organizers.is_organizer(user.id):
                raise NotOrganizer()
            page = max(page, 0)
            events, total = await uow.events.of_organizer(user.id, page * EVENTS_PAGE, EVENTS_PAGE)
            pages = max(math.ceil(total / EVENTS_PAGE), 1)
            if page >= pages:
                page = pages - 1
                events, total = await uow.events.of_organizer(user.id, page * EVENTS_PAGE, EVENTS_PAGE)
            tariffs = await uow.events.ticket_types_for([e.id for e in events])
        lines = [
            OrganizerEventLine(
                e, sum(t.sold for t in tariffs.get(e.id, [])), sum(t.quantity for t in tariffs.get(e.id, []))
            )
            for e in events
        ]
        return OrganizerEventsPage(lines, page, pages, total)

    async def known_admins(self) -> list[User]:
        """The configured admins who have started the bot (a menu or a message can reach only those)."""
        async with self._uow(write=False) as uow:
            return await uow.users.by_telegram_ids(sorted(self._admins.admin_telegram_ids))


async def _find(uow: UnitOfWork, person: int | str) -> User:
    if isinstance(person, int):
        user = await uow.users.by_telegram_id(person)
    else:
        user = await uow.users.by_username(person)
    if user is None:
        raise UserNotFound(telegram_id=person if isinstance(person, int) else "@" + person)
    return user
