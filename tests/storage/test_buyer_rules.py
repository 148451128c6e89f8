"""Questions asked once per order, of the buyer (C4's second half), on SQLite and PostgreSQL: checkout waits
for the buyer's required answers and changes nothing meanwhile; the answers go onto the order (and out of
the cart: the next order asks again); buttons naming a question the cart does not ask of its buyer change
nothing; each event in the cart asks its own; answering leaves the Pay button's version as it was; the
organizer adds and switches them on their own events only; the attendee list and /order show them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.errors import (
    AnswerRequired,
    AttendeeNotFound,
    AttendeesMissing,
    BuyerAnswersMissing,
    EmailInvalid,
    NotOrganizer,
    OwnEventNotFound,
)
from domain.policies import AdminPolicy
from domain.services.attendees import BUYER, AttendeeService
from domain.services.support import SupportService
from storage.tables import carts, orders, questions
from tests.paying import same_as_me
from tests.storage.test_checkout_records import nothing_written
from tests.storage.test_guards import expect
from tests.storage.test_question_rules import ADMIN, K
from tests.storage.test_question_rules import Shop as QuestionShop


class Shop(QuestionShop):
    def __init__(self, engine, clock) -> None:
        super().__init__(engine, clock)
        self.attendees = AttendeeService(self.uow, clock, self.checkout._policy, "RUB")
        self.support = SupportService(self.uow, AdminPolicy(frozenset({ADMIN})), "RUB")

    async def stored(self, table, column, row_id):
        async with self.engine.connect() as conn:
            return (await conn.execute(select(column).where(table.c.id == row_id))).scalar_one()


@pytest.fixture
def shop(engine, clock) -> Shop:
    return Shop(engine, clock)


async def test_checkout_waits_for_the_buyers_email_then_the_order_keeps_it(shop):
    rule = "no payment until the buyer answered every required question asked once per order"
    olga = await shop.person(1, organizer=True)
    standard = await shop.on_sale(olga)
    email = await shop.questions.add(olga, standard.event_id, K.EMAIL, "E-mail", [], True, None, per_order=True)
    heard = await shop.questions.add(
        olga, standard.event_id, K.CHOICE, "How did you hear of us?", ["Friends", "Ads"], False, None, per_order=True
    )
    anna = await shop.person(2, money=1_000_000)
    view = await shop.carts.add_tickets(anna.id, standard.id, 3)
    await same_as_me(shop.checkout, anna.id)  # every ticket named: only the buyer's part is missing
    view = await shop.attendees.cart(anna.id)
    assert view.ready[0].questions == (), "a per-order question is not asked of each attendee"
    assert view.buyer_questions == (email, heard) and (view.tickets_missing, view.attendees_missing) == (0, 1)
    await expect(BuyerAnswersMissing, shop.checkout.pay_from_wallet(anna.id, view.version, view.terms), rule)
    await nothing_written(shop, anna.id, rule)

    with pytest.raises(EmailInvalid):
        await shop.attendees.answer(anna.id, BUYER, 0, email.id, "anna@")
    with pytest.raises(AnswerRequired):
        await shop.attendees.skip(anna.id, BUYER, 0, email.id)
    assert (await shop.attendees.cart(anna.id)).buyer_answers == {}, "refused answers change nothing"
    answered = await shop.attendees.answer(anna.id, BUYER, 0, email.id, "Anna@Example.COM")
    assert answered.version == view.version, "the Pay press that opened the dialog still pays after the last answer"
    assert answered.attendees_missing == 1, "an optional question not yet skipped is still asked"
    await expect(AttendeesMissing, shop.checkout.pay_from_wallet(anna.id, view.version, view.terms), rule)
    await nothing_written(shop, anna.id, rule)
    view = await shop.attendees.skip(anna.id, BUYER, 0, heard.id)
    assert view.attendees_missing == 0 and view.buyer_answers == {email.id: "Anna@example.com", heard.id: ""}

    paid = await shop.checkout.pay_from_wallet(anna.id, view.version, view.terms)
    assert paid.order.buyer_answers == {email.id: "Anna@example.com", heard.id: ""}
    assert [t.ticket.answers for t in paid.tickets] == [{}, {}, {}], "asked once: not copied onto each ticket"
    async with shop.uow(write=False) as u:
        assert (await u.orders.get(paid.order.id)).buyer_answers == paid.order.buyer_answers, "read back"
    assert await shop.stored(carts, carts.c.buyer_answers, view.cart_id) == "{}", "the cart keeps none after paying"

    view = await shop.carts.add_tickets(anna.id, standard.id, 1)  # the next order asks again: nothing prefilled
    assert view.buyer_answers == {} and view.buyer_missing == email


async def test_buttons_naming_a_question_the_cart_does_not_ask_of_its_buyer_change_nothing(shop):
    olga = await shop.person(1, organizer=True)
    standard = await shop.on_sale(olga)
    elsewhere = await shop.on_sale(olga)
    email = await shop.questions.add(olga, standard.event_id, K.EMAIL, "E-mail", [], True, None, per_order=True)
    size = await shop.questions.add(olga, standard.event_id, K.CHOICE, "Size", ["S", "M"], True, None)
    other = await shop.questions.add(olga, elsewhere.event_id, K.TEXT, "Company", [], True, None, per_order=True)
    anna = await shop.person(2, money=1_000_000)
    boris = await shop.person(3, money=1_000_000)
    await shop.carts.add_tickets(anna.id, standard.id, 1)
    await shop.carts.add_tickets(boris.id, elsewhere.id, 1)  # Boris's cart asks "Company"; Anna's does not

    forged = [
        shop.attendees.answer(anna.id, BUYER, 0, other.id, "ACME"),  # another event's, another person's cart
        shop.attendees.answer(anna.id, BUYER, 0, 999_999, "ACME"),  # no such question
        shop.attendees.choose(anna.id, BUYER, 0, size.id, [0]),  # an attendee's question, not the buyer's
        shop.attendees.answer(anna.id, BUYER, 1, email.id, "a@b.cd"),  # the buyer has one seat
        shop.attendees.answer(anna.id, 999_999, 0, email.id, "a@b.cd"),  # the buyer's question on no line
        shop.attendees.same_as_me(anna.id, BUYER, 0),  # the buyer's part has no name
        shop.attendees.choose(anna.id, BUYER, 0, email.id, [0]),  # typed, not chosen
    ]
    for attempt in forged:
        with pytest.raises(AttendeeNotFound):
            await attempt
    assert (await shop.attendees.cart(anna.id)).buyer_answers == {}
    assert (await shop.attendees.cart(boris.id)).buyer_answers == {}
    for cart_id in {(await shop.attendees.cart(p.id)).cart_id for p in (anna, boris)}:
        assert await shop.stored(carts, carts.c.buyer_answers, cart_id) == "{}"


async def test_each_event_in_the_cart_asks_its_own_and_one_taken_out_asks_no_more(shop):
    olga = await shop.person(1, organizer=True)
    first = await shop.on_sale(olga)
    second = await shop.on_sale(olga)
    email_1 = await shop.questions.add(olga, first.event_id, K.EMAIL, "E-mail", [], True, None, per_order=True)
    email_2 = await shop.questions.add(olga, second.event_id, K.EMAIL, "E-mail", [], True, None, per_order=True)
    anna = await shop.person(2, money=1_000_000)
    await shop.carts.add_tickets(anna.id, second.id, 2)
    view = await shop.carts.add_tickets(anna.id, first.id, 1)
    assert view.buyer_questions == (email_2, email_1), "the same label from two events is asked twice"
    await shop.attendees.answer(anna.id, BUYER, 0, email_2.id, "a@b.cd")
    view = await shop.attendees.answer(anna.id, BUYER, 0, email_1.id, "c@d.ef")
    assert view.buyer_answers == {email_2.id: "a@b.cd", email_1.id: "c@d.ef"}
    second_line = next(line for line in view.ready if line.event_id == second.event_id)
    view = await shop.carts.remove(anna.id, second_line.item_id)
    assert view.buyer_questions == (email_1,) and view.buyer_answers == {email_1.id: "c@d.ef"}

    await same_as_me(shop.checkout, anna.id)
    view = await shop.attendees.cart(anna.id)
    paid = await shop.checkout.pay_from_wallet(anna.id, view.version, view.terms)
    assert paid.order.buyer_answers == {email_1.id: "c@d.ef"}, "only what the order's events asked"


async def test_an_organizer_adds_and_switches_buyer_questions_of_their_own_events_only(shop):
    olga = await shop.person(1, organizer=True)
    ivan = await shop.person(3, organizer=True)
    admin = await shop.person(ADMIN)
    standard = await shop.on_sale(olga)
    email = await shop.questions.add(olga, standard.event_id, K.EMAIL, "E-mail", [], True, None, per_order=True)
    phone = await shop.questions.add(olga, standard.event_id, K.PHONE, "Phone", [], True, None)
    assert (email.per_order, phone.per_order) == (True, False)
    assert [r.per_order for r in await shop.rows(standard.event_id)] == [True, False]

    for someone, refused in ((ivan, OwnEventNotFound), (admin, NotOrganizer)):  # an admin only reads them
        with pytest.raises(refused):
            await shop.questions.set_per_order(someone, phone.id, True)
    assert [r.per_order for r in await shop.rows(standard.event_id)] == [True, False]

    switched, changed = await shop.questions.set_per_order(olga, phone.id, True)
    assert switched.per_order and changed
    switched, changed = await shop.questions.set_per_order(olga, phone.id, True)  # a second press
    assert switched.per_order and not changed
    switched, changed = await shop.questions.set_per_order(olga, email.id, False)
    assert not switched.per_order and changed
    async with shop.engine.connect() as conn:
        stmt = select(questions.c.per_order).where(questions.c.event_id == standard.event_id)
        assert list((await conn.execute(stmt.order_by(questions.c.id))).scalars()) == [False, True]
    listed = await shop.questions.questions(olga, standard.event_id)
    assert [q.per_order for q in listed.questions] == [False, True]


async def test_the_attendee_list_and_the_order_card_show_the_buyers_answers(shop):
    olga = await shop.person(1, organizer=True)
    ivan = await shop.person(3, organizer=True)
    admin = await shop.person(ADMIN)
    standard = await shop.on_sale(olga)
    ivans = await shop.on_sale(ivan)
    email = await shop.questions.add(olga, standard.event_id, K.EMAIL, "E-mail", [], True, None, per_order=True)
    company = await shop.questions.add(ivan, ivans.event_id, K.TEXT, "Company", [], True, None, per_order=True)
    anna = await shop.person(2, money=10_000_000)
    await shop.carts.add_tickets(anna.id, standard.id, 3)
    await shop.carts.add_tickets(anna.id, ivans.id, 1)
    await shop.attendees.answer(anna.id, BUYER, 0, email.id, "anna@example.com")
    await shop.attendees.answer(anna.id, BUYER, 0, company.id, "ACME")
    await same_as_me(shop.checkout, anna.id)
    view = await shop.attendees.cart(anna.id)
    paid = await shop.checkout.pay_from_wallet(anna.id, view.version, view.terms)
    assert await shop.stored(orders, orders.c.buyer_answers, paid.order.id) == (
        f'{{"{email.id}":"anna@example.com","{company.id}":"ACME"}}'
    )

    _event, asked, rows = await shop.reports.attendee_list(olga, standard.event_id)
    assert [q.id for q in asked] == [email.id], "an event's list: its own questions"
    assert [r.buyer_answers[email.id] for r in rows] == ["anna@example.com"] * 3, "on every ticket of the order"

    card = await shop.support.order_card(olga, paid.order.id)
    assert card.buyer_questions == [email] and card.order.buyer_answers == {email.id: "anna@example.com"}
    card = await shop.support.order_card(admin, paid.order.id)
    assert {q.id for q in card.buyer_questions} == {email.id, company.id}
