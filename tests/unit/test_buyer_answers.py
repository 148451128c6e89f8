"""Questions asked once per order, of the buyer (C4's second half): which a cart asks, what is still
missing, and that checkout counts the buyer's part like a ticket's."""

from __future__ import annotations

import pytest

from domain import attendees as a
from domain.errors import EmailInvalid
from domain.models import Attendee, Question, QuestionKind
from domain.money import Money
from domain.views import CartLine, CartView

# Event 1 asks its buyers an e-mail and (optionally) how they heard of it, and every attendee a T-shirt size;
# event 2 asks its buyers an e-mail too, and only VIP (tariff 22) buyers a phone.
EMAIL_1 = Question(1, 1, QuestionKind.EMAIL, "E-mail", per_order=True)
HEARD_1 = Question(2, 1, QuestionKind.CHOICE, "How did you hear of us?", False, ("Friends", "Ads"), per_order=True)
SIZE_1 = Question(3, 1, QuestionKind.CHOICE, "T-shirt", options=("S", "M"))
EMAIL_2 = Question(4, 2, QuestionKind.EMAIL, "E-mail", per_order=True)
PHONE_2 = Question(5, 2, QuestionKind.PHONE, "Phone", ticket_type_id=22, per_order=True)
GONE_2 = Question(6, 2, QuestionKind.TEXT, "Company", per_order=True, active=False)
ASKED = {1: [EMAIL_1, HEARD_1, SIZE_1], 2: [EMAIL_2, PHONE_2, GONE_2]}


def test_each_event_in_the_cart_asks_its_buyer_questions_once_in_the_carts_order():
    cart = [(2, 21), (1, 11), (2, 21), (1, 12)]  # two lines of each event
    assert a.buyer_questions(ASKED, cart) == (EMAIL_2, EMAIL_1, HEARD_1), "same label of two events: asked twice"
    assert a.buyer_questions(ASKED, [(1, 11)]) == (EMAIL_1, HEARD_1), "an event not in the cart asks nothing"
    assert a.buyer_questions(ASKED, [(2, 22)]) == (EMAIL_2, PHONE_2), "a tariff's own: when the cart holds it"
    assert a.buyer_questions(ASKED, []) == ()
    assert SIZE_1 not in a.buyer_questions(ASKED, [(1, 11)]), "a per-ticket question is the attendee's"


def test_the_buyers_answers_follow_the_rules_of_an_attendees():
    assert a.clean_typed(EMAIL_1, " Anna@Example.COM ") == "Anna@example.com"
    with pytest.raises(EmailInvalid):
        a.clean_typed(EMAIL_1, "anna@")
    assert a.chosen(HEARD_1, [1]) == "Ads"


def test_the_first_unanswered_question_a_skip_answers_an_optional_one_only():
    questions = [EMAIL_1, HEARD_1]
    assert a.first_unanswered({}, questions) == EMAIL_1
    assert a.first_unanswered({EMAIL_1.id: ""}, questions) == EMAIL_1, "a required one is not skipped"
    assert a.first_unanswered({EMAIL_1.id: "a@b.cd"}, questions) == HEARD_1
    assert a.first_unanswered({EMAIL_1.id: "a@b.cd", HEARD_1.id: ""}, questions) is None
    assert a.first_unanswered({}, []) is None


def _view(buyer: dict, named: bool) -> CartView:
    price = Money(100_00, "RUB")
    seats = tuple(Attendee(7, n, "Anna" if named else None) for n in range(3))
    line = CartLine(7, 1, "Маузер", None, "Standard", 3, price, price * 3, None, ticket_type_id=11, attendees=seats)
    return CartView(1, 4, [line], [], price * 3, 10, buyer_questions=(EMAIL_1, HEARD_1), buyer_answers=buyer)


def test_checkout_counts_the_buyers_part_as_one_more_thing_missing():
    view = _view({}, named=True)
    assert (view.tickets_missing, view.buyer_missing, view.attendees_missing) == (0, EMAIL_1, 1)
    view = _view({EMAIL_1.id: "a@b.cd"}, named=False)
    assert (view.tickets_missing, view.buyer_missing, view.attendees_missing) == (3, HEARD_1, 4)
    view = _view({EMAIL_1.id: "a@b.cd", HEARD_1.id: "Ads"}, named=True)
    assert (view.tickets_missing, view.buyer_missing, view.attendees_missing) == (0, None, 0)
