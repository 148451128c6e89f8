"""Support look-ups: /user for admins (profile, wallet, orders, tickets), /order for admins and for
organizers, who see an order only through the tickets of their own events."""

from __future__ import annotations

from domain.errors import NotOrganizer, OrderNotFound, UserNotFound
from domain.models import User
from domain.policies import AdminPolicy
from domain.ports import UnitOfWorkFactory
from domain.views import OrderCard, UserCard

RECENT_ORDERS = 10


class SupportService:
    def __init__(self, uow: UnitOfWorkFactory, admins: AdminPolicy, currency: str) -> None:
        self._uow = uow
        self._admins = admins
        self._currency = currency

    async def user_card(self, actor: User, person: int | str) -> UserCard:
        """person: a Telegram id or a lower-case username (domain.ids.parse_person)."""
        self._admins.ensure_admin(actor)
        async with self._uow(write=False) as uow:
            if isinstance(person, int):
                user = await uow.users.by_telegram_id(person)
            else:
                user = await uow.users.by_username(person)
            if user is None:
                raise UserNotFound(telegram_id=person if isinstance(person, int) else "@" + person)
            balance = await uow.wallets.balance(user.id, self._currency)
            orders, total = await uow.orders.recent_of(user.id, RECENT_ORDERS)
            _, tickets = await uow.tickets.of_owner(user.id, 0, 1)
            organizer = await uow.organizers.is_organizer(user.id)
            staff = len(await uow.staff.events_of(user.id))
        return UserCard(user, balance, orders, total, tickets, organizer, staff)

    async def order_card(self, actor: User, order_id: int) -> OrderCard:
        admin = self._admins.is_admin(actor)
        async with self._uow(write=False) as uow:
            if not admin and not await uow.organizers.is_organizer(actor.id):
                raise NotOrganizer()
            order = await uow.orders.get(order_id)
            if order is None:
                raise OrderNotFound()
            tickets = await uow.tickets.of_order(order.id)
            if not admin:
                events = {line.event_id for line in order.lines if line.event_id is not None}
                own = {e for e in events if (event := await uow.events.get(e)) and event.organizer_id == actor.id}
                if not own:
                    raise OrderNotFound()
                order.lines = [line for line in order.lines if line.event_id in own]
                tickets = [t for t in tickets if t.event_id in own]
            buyer = await uow.users.get(order.user_id)
            events = list(dict.fromkeys(line.event_id for line in order.lines if line.event_id is not None))
            asked = await uow.attendees.questions(events, removed=True) if order.buyer_answers else {}
            questions = [q for e in events for q in asked.get(e, []) if q.id in order.buyer_answers]
            order.buyer_answers = {q.id: order.buyer_answers[q.id] for q in questions}  # an organizer: their own
        return OrderCard(order, buyer, tickets, questions)
