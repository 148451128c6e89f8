"""Who each ticket in the cart is for, and the organizer's questions answered for them (C4).

Every change is made under the cart's lock, the lock checkout takes: a payment sees either the answers
before a change or after it, never half. Seats belong to the cart's held lines; a button naming another
person's line, a seat past the line's quantity, or a question of another event is AttendeeNotFound."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from domain.attendees import MAX_NAME, chosen, clean_name, clean_typed
from domain.clock import Clock
from domain.errors import AnswerRequired, AttendeeNotFound, NamesNotChangeable
from domain.models import Attendee, Question, Ticket, TicketStatus
from domain.policies import HoldPolicy
from domain.ports import UnitOfWorkFactory
from domain.services.cart import build_cart_view
from domain.views import CartLine, CartView


def seat_of(view: CartView, item_id: int, seat: int) -> CartLine:
    """The ready line holding that seat."""
    for line in view.ready:
        if line.item_id == item_id and 0 <= seat < line.qty:
            return line
    raise AttendeeNotFound()


def question_of(line: CartLine, question_id: int) -> Question:
    for question in line.questions:
        if question.id == question_id:
            return question
    raise AttendeeNotFound()


class AttendeeService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, policy: HoldPolicy, currency: str) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy
        self._currency = currency

    async def cart(self, user_id: int) -> CartView:
        async with self._uow(write=False) as uow:
            return await build_cart_view(uow, user_id, self._clock.now(), self._currency, self._policy)

    async def name(self, user_id: int, item_id: int, seat: int, typed: str) -> CartView:
        name = clean_name(typed)
        return await self._change(user_id, item_id, seat, lambda a, _: replace(a, name=name))

    async def same_as_me(self, user_id: int, item_id: int, seat: int) -> CartView:
        async with self._uow(write=False) as uow:
            me = (await uow.users.get(user_id)).display_name
        # Telegram allows 129 characters; a Telegram name of emoji alone is refused like a typed one
        name = clean_name(" ".join(me.split())[:MAX_NAME])
        return await self._change(user_id, item_id, seat, lambda a, _: replace(a, name=name))

    async def answer(self, user_id: int, item_id: int, seat: int, question_id: int, typed: str) -> CartView:
        def typed_answer(attendee: Attendee, line: CartLine) -> Attendee:
            question = question_of(line, question_id)
            return _with(attendee, question.id, clean_typed(question, typed))

        return await self._change(user_id, item_id, seat, typed_answer)

    async def choose(self, user_id: int, item_id: int, seat: int, question_id: int, picked: list[int]) -> CartView:
        """Options by button: one for a choice or yes/no (0 yes, 1 no), any for several choices."""

        def by_button(attendee: Attendee, line: CartLine) -> Attendee:
            question = question_of(line, question_id)
            value = chosen(question, picked)
            if question.required and not value:
                raise AnswerRequired()
            return _with(attendee, question.id, value)

        return await self._change(user_id, item_id, seat, by_button)

    async def skip(self, user_id: int, item_id: int, seat: int, question_id: int) -> CartView:
        def skipped(attendee: Attendee, line: CartLine) -> Attendee:
            question = question_of(line, question_id)
            if question.required:
                raise AnswerRequired()
            return _with(attendee, question.id, "")

        return await self._change(user_id, item_id, seat, skipped)

    async def _change(
        self, user_id: int, item_id: int, seat: int, change: Callable[[Attendee, CartLine], Attendee]
    ) -> CartView:
        now = self._clock.now()
        async with self._uow() as uow:
            cart = await uow.carts.for_user(user_id, now, lock=True)
            view = await build_cart_view(uow, user_id, now, self._currency, self._policy, cart)
            line = seat_of(view, item_id, seat)
            await uow.attendees.save(change(line.attendees[seat], line), now)
            view = await build_cart_view(uow, user_id, now, self._currency, self._policy, cart)
            await uow.commit()
        return view

    async def rename_ticket(self, user_id: int, ticket_id: int, typed: str) -> Ticket:
        """After paying, where the organizer allows it: a valid ticket of the person's own gets another name."""
        name = clean_name(typed)
        async with self._uow() as uow:
            ticket = await uow.tickets.get(ticket_id)
            if ticket is None or ticket.owner_id != user_id:
                raise AttendeeNotFound()
            event = await uow.events.get(ticket.event_id)
            if not event.names_changeable or ticket.status is not TicketStatus.VALID:
                raise NamesNotChangeable()
            if not await uow.tickets.rename(ticket_id, user_id, name):  # used at the door meanwhile
                raise NamesNotChangeable()
            await uow.commit()
        ticket.holder_name = name
        return ticket


def _with(attendee: Attendee, question_id: int, value: str | list[str]) -> Attendee:
    return replace(attendee, answers={**attendee.answers, question_id: value})
