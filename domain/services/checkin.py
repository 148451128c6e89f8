"""Door control: what a scan shows, and checking a ticket in exactly once."""

from __future__ import annotations

from domain.clock import Clock
from domain.codes import parse_short_code, parse_ticket_payload
from domain.errors import NotStaff, TicketNotFound
from domain.models import Ticket, TicketStatus, User
from domain.policies import AdminPolicy
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.views import ScanView, Verdict


class CheckinService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, admins: AdminPolicy) -> None:
        self._uow = uow
        self._clock = clock
        self._admins = admins

    async def scan(self, viewer: User, code: str) -> ScanView:
        """Staff of the ticket's event see the full verdict; anyone else only learns the ticket exists."""
        secret = parse_ticket_payload(code)
        if secret is None:
            return ScanView(Verdict.UNKNOWN)
        async with self._uow(write=False) as uow:
            ticket = await uow.tickets.by_secret(secret)
            if ticket is None:
                return ScanView(Verdict.UNKNOWN)
            return await self._view(uow, viewer, ticket)

    async def scan_short_code(self, viewer: User, code: str) -> ScanView:
        """Door staff type the code printed under the QR when a screen will not scan. 40 bits are enough
        to tell tickets apart, not to keep them secret, so only staff may look codes up."""
        prefix = parse_short_code(code)
        async with self._uow(write=False) as uow:
            if not self._admins.is_admin(viewer) and not await uow.staff.events_of(viewer.id):
                raise NotStaff()
            found = await uow.tickets.by_secret_prefix(prefix, limit=2) if prefix else []
            if len(found) != 1:  # none, or (rarely) two: the QR itself settles it
                return ScanView(Verdict.UNKNOWN)
            return await self._view(uow, viewer, found[0])

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

    async def _may_check(self, uow: UnitOfWork, viewer: User, ticket: Ticket) -> bool:
        return self._admins.is_admin(viewer) or await uow.staff.is_assigned(viewer.id, ticket.event_id)

    async def _view(self, uow: UnitOfWork, viewer: User, ticket: Ticket) -> ScanView:
        event = await uow.events.get(ticket.event_id)
        tt = await uow.events.ticket_type(ticket.ticket_type_id)
        tariff = tt.name if tt else ""
        if not await self._may_check(uow, viewer, ticket):
            if await uow.staff.events_of(viewer.id):
                return ScanView(Verdict.WRONG_EVENT, ticket, event, tariff)
            return ScanView(Verdict.EXISTS, None, event, None, own_ticket=ticket.owner_id == viewer.id)
        by = None
        if ticket.status is TicketStatus.USED and ticket.checked_in_by is not None:
            by = await uow.users.get(ticket.checked_in_by)
        return ScanView(Verdict.for_status(ticket.status), ticket, event, tariff, by)
