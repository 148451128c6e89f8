"""Buyer-answer rules a mutation pass found unpinned, on SQLite and PostgreSQL: answers given at once (two
devices, a double tap) are all kept, the buyer's and an attendee's alike, because each change is made under
the cart's lock; a buyer's answer from someone without a cart is refused and creates nothing."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from domain.errors import AttendeeNotFound
from domain.services.attendees import BUYER
from storage.tables import carts
from tests.storage.test_buyer_rules import Shop
from tests.storage.test_question_rules import K


@pytest.fixture
def shop(engine, clock) -> Shop:
    return Shop(engine, clock)


async def test_buyer_answers_given_at_once_are_all_kept(shop):
    olga = await shop.person(1, organizer=True)
    standard = await shop.on_sale(olga)
    asked = [
        await shop.questions.add(olga, standard.event_id, K.TEXT, f"Q{n}", [], False, None, per_order=True)
        for n in range(4)
    ]
    anna = await shop.person(2, money=1_000_000)
    await shop.carts.add_tickets(anna.id, standard.id, 1)
    await asyncio.gather(*(shop.attendees.answer(anna.id, BUYER, 0, q.id, f"A{q.id}") for q in asked))
    view = await shop.attendees.cart(anna.id)
    assert view.buyer_answers == {q.id: f"A{q.id}" for q in asked}, "no answer lost to another given at once"


async def test_a_name_and_answers_given_at_once_for_one_seat_are_all_kept(shop):
    olga = await shop.person(1, organizer=True)
    standard = await shop.on_sale(olga)
    asked = [await shop.questions.add(olga, standard.event_id, K.TEXT, f"Q{n}", [], False, None) for n in range(3)]
    anna = await shop.person(2, money=1_000_000)
    view = await shop.carts.add_tickets(anna.id, standard.id, 1)
    item = view.ready[0].item_id
    await asyncio.gather(
        shop.attendees.name(anna.id, item, 0, "Anna"),
        *(shop.attendees.answer(anna.id, item, 0, q.id, f"A{q.id}") for q in asked),
    )
    seat = (await shop.attendees.cart(anna.id)).ready[0].attendees[0]
    assert (seat.name, seat.answers) == ("Anna", {q.id: f"A{q.id}" for q in asked})


async def test_a_buyers_answer_without_a_cart_is_refused_and_creates_nothing(shop):
    olga = await shop.person(1, organizer=True)
    standard = await shop.on_sale(olga)
    email = await shop.questions.add(olga, standard.event_id, K.EMAIL, "E-mail", [], True, None, per_order=True)
    boris = await shop.person(3)
    with pytest.raises(AttendeeNotFound):
        await shop.attendees.answer(boris.id, BUYER, 0, email.id, "b@c.de")
    async with shop.engine.connect() as conn:
        count = (await conn.execute(select(func.count()).select_from(carts))).scalar_one()
    assert count == 0
