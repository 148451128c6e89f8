"""A customer's own tickets."""

from __future__ import annotations

import math

from domain.codes import ticket_payload
from domain.errors import TicketNotFound
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.views import TicketsPage, TicketView

PAGE_SIZE = 10


async def ticket_view(uow: UnitOfWork, ticket) -> TicketView:
    event = await uow.events.get(ticket.event_id)
    tt = await uow.events.ticket_type(ticket.ticket_type_id)
    return TicketView(ticket, event, tt.name if tt else "", ticket_payload(ticket.secret))


class TicketService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def my_tickets(self, user_id: int, page: int = 0) -> TicketsPage:
        page = max(page, 0)
        async with self._uow(write=False) as uow:
            tickets, total = await uow.tickets.of_owner(user_id, page * PAGE_SIZE, PAGE_SIZE)
            pages = max(math.ceil(total / PAGE_SIZE), 1)
            views = [await ticket_view(uow, t) for t in tickets]
        return TicketsPage(views, page, pages, total)

    async def ticket_of(self, user_id: int, ticket_id: int) -> TicketView:
        """Only the owner gets a ticket's QR again: callback data naming another's ticket is refused."""
        async with self._uow(write=False) as uow:
            ticket = await uow.tickets.get(ticket_id)
            if ticket is None or ticket.owner_id != user_id:
                raise TicketNotFound()
            return await ticket_view(uow, ticket)
