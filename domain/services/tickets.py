"""A customer's own tickets."""

from __future__ import annotations

import math
from datetime import datetime

from domain import codes
from domain.codes import ticket_payload
from domain.errors import TicketNotFound
from domain.models import Ticket, TicketStatus
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.views import OrderLineView, OrdersPage, TicketsPage, TicketView

PAGE_SIZE = 10
SECRET_DRAWS = 8  # a clash of 40-bit short codes is rare; eight in a row means something else is wrong


async def issue_ticket(
    uow: UnitOfWork,
    order_id: int,
    event_id: int,
    ticket_type_id: int,
    owner_id: int,
    holder: str,
    now: datetime,
    answers: dict[int, str | list[str]] | None = None,
    price_minor: int | None = None,
) -> Ticket:
    """A valid ticket with a fresh secret. Issuing never fails on a clash: when the secret or its short code
    (the first characters, printed under the QR) is taken, draw another one."""
    for _ in range(SECRET_DRAWS):
        secret = codes.new_ticket_secret()
        ticket = Ticket(0, order_id, event_id, ticket_type_id, owner_id, holder, secret, TicketStatus.VALID, now)
        ticket.answers = dict(answers or {})
        ticket.price_minor = price_minor
        issued = await uow.tickets.add(ticket)
        if issued is not None:
            return issued
    raise RuntimeError(f"no free ticket secret after {SECRET_DRAWS} draws")


async def ticket_view(uow: UnitOfWork, ticket) -> TicketView:
    event = await uow.events.get(ticket.event_id)
    tt = await uow.events.ticket_type(ticket.ticket_type_id)  # a ticket's tariff is never deleted
    return TicketView(ticket, event, tt.name, ticket_payload(ticket.secret))


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

    async def my_orders(self, user_id: int, page: int = 0) -> OrdersPage:
        """/orders: the person's own orders only, newest first, with what became of their tickets."""
        page = max(page, 0)
        async with self._uow(write=False) as uow:
            orders, total = await uow.orders.page_of(user_id, page * PAGE_SIZE, PAGE_SIZE)
            tally = await uow.tickets.tally([order.id for order in orders])
        pages = max(math.ceil(total / PAGE_SIZE), 1)
        return OrdersPage([OrderLineView(o, tally.get(o.id, {})) for o in orders], page, pages, total)

    async def ticket_of(self, user_id: int, ticket_id: int) -> TicketView:
        """Only the owner gets a ticket's QR again: callback data naming another's ticket is refused."""
        async with self._uow(write=False) as uow:
            ticket = await uow.tickets.get(ticket_id)
            if ticket is None or ticket.owner_id != user_id:
                raise TicketNotFound()
            return await ticket_view(uow, ticket)
