"""Door control: what a scan shows, and checking a ticket in exactly once."""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum

from domain.clock import Clock
from domain.codes import parse_short_code, parse_ticket_payload
from domain.errors import NotStaff, TicketNotFound, TooManyAttempts
from domain.models import Ticket, User
from domain.policies import AdminPolicy
from domain.ports import AttemptLimiter, UnitOfWork, UnitOfWorkFactory
from domain.ratelimit import whole_seconds
from domain.views import ScanView, Verdict

logger = logging.getLogger(__name__)

FAILED = frozenset({Verdict.UNKNOWN, Verdict.WRONG_EVENT})  # a guess that found nothing of one's own


class CodeKind(StrEnum):
    """What was looked up, for the log: never the code itself."""

    FULL = "full_code"  # a scanned QR link or the whole secret typed
    SHORT = "short_code"  # the code printed under the QR


class CheckinService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, admins: AdminPolicy, limiter: AttemptLimiter | None = None
    ) -> None:
        """Without a limiter look-ups are not throttled (tests of other things); the app always passes one."""
        self._uow = uow
        self._clock = clock
        self._admins = admins
        self._limiter = limiter

    async def scan(self, viewer: User, code: str) -> ScanView:
        """Staff of the ticket's event see the full verdict; anyone else only learns the ticket exists."""
        now = self._clock.now()
        await self._refuse_if_blocked(viewer, now)
        secret = parse_ticket_payload(code)
        if secret is None:
            view = ScanView(Verdict.UNKNOWN)
        else:
            async with self._uow(write=False) as uow:
                ticket = await uow.tickets.by_secret(secret)
                view = ScanView(Verdict.UNKNOWN) if ticket is None else await self._view(uow, viewer, ticket)
        await self._count(viewer, CodeKind.FULL, view, now)
        return view

    async def scan_short_code(self, viewer: User, code: str) -> ScanView:
        """Door staff type the code printed under the QR when a screen will not scan. 40 bits are enough
        to tell tickets apart, not to keep them secret: only staff may look codes up, and failed guesses
        are throttled per staff account."""
        now = self._clock.now()
        await self._refuse_if_blocked(viewer, now)
        short = parse_short_code(code)
        async with self._uow(write=False) as uow:
            if not self._admins.is_admin(viewer) and not await uow.staff.events_of(viewer.id):
                raise NotStaff()
            ticket = await uow.tickets.by_short_code(short) if short else None
            view = ScanView(Verdict.UNKNOWN) if ticket is None else await self._view(uow, viewer, ticket)
        await self._count(viewer, CodeKind.SHORT, view, now)
        return view

    async def check_in(self, viewer: User, ticket_id: int) -> ScanView:
        now = self._clock.now()
        async with self._uow() as uow:
            ticket = await uow.tickets.get(ticket_id)
            if ticket is None:
                raise TicketNotFound()
            if not await self._may_check(uow, viewer, ticket):
                raise NotStaff()
            done = await uow.tickets.check_in(ticket.id, viewer.id, now)
            await uow.commit()
        async with self._uow(write=False) as uow:
            ticket = await uow.tickets.get(ticket_id)
            view = await self._view(uow, viewer, ticket)
        if done:
            return ScanView(Verdict.CHECKED_IN, view.ticket, view.event, view.tariff, viewer)
        return view

    @staticmethod
    def _key(viewer: User) -> str:
        return f"door:{viewer.id}"

    async def _refuse_if_blocked(self, viewer: User, now: datetime) -> None:
        """While blocked even a correct code is refused: otherwise a guesser would simply carry on."""
        if self._limiter is None:
            return
        wait = await self._limiter.retry_after(self._key(viewer), now)
        if wait is not None:
            logger.info("door look-up refused while blocked: staff_user_id=%s wait=%.0fs", viewer.id, wait)
            raise TooManyAttempts(seconds=whole_seconds(wait))

    async def _count(self, viewer: User, kind: CodeKind, view: ScanView, now: datetime) -> None:
        """Failed guesses (nothing found, or another event's ticket) count; successes never do."""
        if view.verdict not in FAILED:
            return
        logger.warning(
            "door look-up failed: staff_user_id=%s telegram_id=%s kind=%s result=%s",
            viewer.id,
            viewer.telegram_id,
            kind.value,
            view.verdict.value,
            extra={"staff_user_id": viewer.id, "code_kind": kind.value, "result": view.verdict.value},
        )
        if self._limiter is None:
            return
        wait = await self._limiter.failed(self._key(viewer), now)
        if wait is not None:
            logger.warning(
                "door look-ups blocked: staff_user_id=%s telegram_id=%s for=%ss",
                viewer.id,
                viewer.telegram_id,
                whole_seconds(wait),
                extra={"staff_user_id": viewer.id, "blocked_seconds": whole_seconds(wait)},
            )

    async def _may_check(self, uow: UnitOfWork, viewer: User, ticket: Ticket) -> bool:
        return self._admins.is_admin(viewer) or await uow.staff.is_assigned(viewer.id, ticket.event_id)

    async def _view(self, uow: UnitOfWork, viewer: User, ticket: Ticket) -> ScanView:
        event = await uow.events.get(ticket.event_id)
        if not await self._may_check(uow, viewer, ticket):
            if await uow.staff.events_of(viewer.id):
                # Staff of another event learn only which event the ticket is for: no holder, no code,
                # no tariff, no status (nothing a guesser could use to tell tickets apart).
                return ScanView(Verdict.WRONG_EVENT, event=event)
            return ScanView(Verdict.EXISTS, event=event, own_ticket=ticket.owner_id == viewer.id)
        tt = await uow.events.ticket_type(ticket.ticket_type_id)  # a ticket's tariff is never deleted
        # Only a check-in sets checked_in_by, and it also makes the ticket USED.
        by = await uow.users.get(ticket.checked_in_by) if ticket.checked_in_by is not None else None
        return ScanView(Verdict.for_status(ticket.status), ticket, event, tt.name, by)
