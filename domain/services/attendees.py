"""Who each ticket in the cart is for, and the organizer's questions answered for them (C4).

Every change is made under the cart's lock, the lock checkout takes: a payment sees either the answers
before a change or after it, never half. Seats belong to the cart's held lines; a button naming another
person's line, a seat past the line's quantity, or a question of another event is AttendeeNotFound.

The questions asked once per order are the buyer's: item BUYER, seat 0. They are answered by the same rules
and kept with the cart (carts.buyer_answers) until a payment copies them onto its order; a button naming a
question the cart does not ask of its buyer is AttendeeNotFound too."""

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

BUYER = 0  # as an item id: the buyer's own answers (a cart item's id is never 0)


def seat_of(view: CartView, item_id: int, seat: int) -> CartLine:
    """The ready line holding that seat."""
    for line in view.ready:
        if line.item_id == item_id and 0 <= seat < line.qty:
            return line
    raise AttendeeNotFound()


def buyer_question(view: CartView, seat: int, question_id: int) -> Question:
    """One of the questions the cart asks of its buyer (who has one "seat": 0)."""
    if seat == 0:
        for question in view.buyer_questions:
            if question.id == question_id:
                return question
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
        """A typed answer; item_id BUYER (seat 0): to one of the buyer's own questions."""
        return await self._set(user_id, item_id, seat, question_id, lambda question: clean_typed(question, typed))

    async def choose(self, user_id: int, item_id: int, seat: int, question_id: int, picked: list[int]) -> CartView:
        """Options by button: one for a choice or yes/no (0 yes, 1 no), any for several choices."""

        def by_button(question: Question) -> str | list[str]:
            value = chosen(question, picked)
            if question.required and not value:
                raise AnswerRequired()
            return value

        return await self._set(user_id, item_id, seat, question_id, by_button)

    async def skip(self, user_id: int, item_id: int, seat: int, question_id: int) -> CartView:
        def skipped(question: Question) -> str:
            if question.required:
                raise AnswerRequired()
            return ""

        return await self._set(user_id, item_id, seat, question_id, skipped)

    async def _set(
        self, user_id: int, item_id: int, seat: int, question_id: int, value_of: Callable[[Question], str | list[str]]
    ) -> CartView:
        if item_id == BUYER:
            return await self._change_buyer(user_id, seat, question_id, value_of)

        def answered(attendee: Attendee, line: CartLine) -> Attendee:
            question = question_of(line, question_id)
            return _with(attendee, question.id, value_of(question))

        return await self._change(user_id, item_id, seat, answered)

    async def _change_buyer(
        self, user_id: int, seat: int, question_id: int, value_of: Callable[[Question], str | list[str]]
    ) -> CartView:
        """One of the buyer's answers, under the cart's lock like a seat's. Only the questions the cart asks
        now are kept: an answer to a question no longer asked (its event gone from the cart) is dropped."""
        now = self._clock.now()
        async with self._uow() as uow:
            cart = await uow.carts.for_user(user_id, now, lock=True)
            view = await build_cart_view(uow, user_id, now, self._currency, self._policy, cart)
            question = buyer_question(view, seat, question_id)
            answers = {**view.buyer_answers, question.id: value_of(question)}
            await uow.carts.save_buyer_answers(cart.id, answers, now)
            view = await build_cart_view(
                uow, user_id, now, self._currency, self._policy, replace(cart, buyer_answers=answers)
            )
            await uow.commit()
        return view

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
