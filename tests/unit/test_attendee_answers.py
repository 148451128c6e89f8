"""The rules of a valid attendee name and answer (domain.attendees), each refusal with its own error."""

from __future__ import annotations

import pytest

from domain import attendees as a
from domain.errors import (
    AnswerByButton,
    AnswerInvalid,
    AttendeeNameInvalid,
    AttendeeNotFound,
    EmailInvalid,
    PhoneInvalid,
    QuestionInvalid,
)
from domain.models import Attendee, Question, QuestionKind

EMAIL = Question(1, 1, QuestionKind.EMAIL, "E-mail")
PHONE = Question(2, 1, QuestionKind.PHONE, "Phone", required=False)
TEXT = Question(3, 1, QuestionKind.TEXT, "Company")
CHOICE = Question(4, 1, QuestionKind.CHOICE, "T-shirt", options=("S", "M", "L"))
MULTI = Question(5, 1, QuestionKind.MULTI, "Workshops", options=("A", "B", "C"), required=False)
YESNO = Question(6, 1, QuestionKind.YESNO, "Vegetarian?")


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("  Анна   Петрова ", "Анна Петрова"),
        ("Jo", "Jo"),
        ("A", "A"),
        ("Zoë O'Neil-Smith", "Zoë O'Neil-Smith"),
        ("李 小龙", "李 小龙"),
    ],
)
def test_a_name_is_one_line_with_a_letter(typed, name):
    assert a.clean_name(typed) == name


@pytest.mark.parametrize("typed", ["", " ", "🎉🎉🎉", "-", "12345", "x" * 101, "Анна\u200b" * 30, "Анна\x00Петрова"])
def test_no_name_is_refused(typed):
    with pytest.raises(AttendeeNameInvalid) as caught:
        a.clean_name(typed)
    assert caught.value.params == {"max": 100}


def test_a_name_of_exactly_100_characters_is_a_name():
    assert a.clean_name("Я" * 100) == "Я" * 100


def test_email_is_checked_and_its_domain_lowered():
    assert a.clean_typed(EMAIL, " Anna.P+tix@Example.COM ") == "Anna.P+tix@example.com"
    assert a.clean_typed(EMAIL, "анна@почта.рф") == "анна@почта.рф"
    for bad in ("anna", "anna@", "@example.com", "anna@example", "a b@example.com", "a@@b.com", "x" * 250 + "@a.com"):
        with pytest.raises(EmailInvalid):
            a.clean_typed(EMAIL, bad)


def test_phone_keeps_digits_and_a_leading_plus():
    assert a.clean_typed(PHONE, "+7 (916) 123-45-67") == "+79161234567"
    assert a.clean_typed(PHONE, "8 916 123 45 67") == "89161234567"
    for bad in ("123456", "+7916123456789012", "phone", "+7 916 ABC", "٩١٦١٢٣٤٥٦٧", "++79161234567"):
        with pytest.raises(PhoneInvalid):
            a.clean_typed(PHONE, bad)


def test_free_text_needs_a_letter_or_digit_and_at_most_300_characters():
    assert a.clean_typed(TEXT, "  ООО «Ромашка» ") == "ООО «Ромашка»"
    assert a.clean_typed(TEXT, "x" * 300) == "x" * 300
    for bad in ("", "   ", "!!!", "x" * 301):
        with pytest.raises(AnswerInvalid) as caught:
            a.clean_typed(TEXT, bad)
        assert caught.value.params == {"max": 300}


@pytest.mark.parametrize("question", [CHOICE, MULTI, YESNO])
def test_choices_are_not_typed(question):
    with pytest.raises(AnswerByButton):
        a.clean_typed(question, "M")


def test_choices_by_index():
    assert a.chosen(CHOICE, [1]) == "M"
    assert a.chosen(YESNO, [0]) == "yes" and a.chosen(YESNO, [1]) == "no"
    assert a.chosen(MULTI, [2, 0, 2]) == ["A", "C"], "in the organizer's order, once each"
    assert a.chosen(MULTI, []) == []
    for question, picked in ((CHOICE, [3]), (CHOICE, [-1]), (CHOICE, [0, 1]), (CHOICE, []), (YESNO, [2]), (EMAIL, [0])):
        with pytest.raises(AttendeeNotFound):
            a.chosen(question, picked)


def test_a_seat_asks_the_name_first_then_each_unanswered_question_in_order():
    questions = [EMAIL, PHONE, MULTI, YESNO]
    seat = Attendee(1, 0)
    assert a.first_missing(seat, questions) == a.NAME
    seat = Attendee(1, 0, "Anna")
    assert a.first_missing(seat, questions) is EMAIL
    seat = Attendee(1, 0, "Anna", {1: "a@b.cd"})
    assert a.first_missing(seat, questions) is PHONE, "an optional question is asked too, and may be skipped"
    seat = Attendee(1, 0, "Anna", {1: "a@b.cd", 2: "", 5: []})
    assert a.first_missing(seat, questions) is YESNO, "skipped optional questions count as answered"
    seat = Attendee(1, 0, "Anna", {1: "", 2: "", 5: [], 6: "no"})
    assert a.first_missing(seat, questions) is EMAIL, "a required question is never answered by nothing"
    seat = Attendee(1, 0, "Anna", {1: "a@b.cd", 2: "", 5: [], 6: "no"})
    assert a.first_missing(seat, questions) is None


def test_an_organizers_question_is_checked():
    assert a.check_question(QuestionKind.CHOICE, "  T-shirt   size ", [" S ", "M"]) == ("T-shirt size", ("S", "M"))
    assert a.check_question(QuestionKind.EMAIL, "E-mail", []) == ("E-mail", ())
    bad = [
        (QuestionKind.TEXT, "?", []),
        (QuestionKind.TEXT, "x" * 201, []),
        (QuestionKind.TEXT, "Company", ["a", "b"]),
        (QuestionKind.CHOICE, "Size", ["S"]),
        (QuestionKind.CHOICE, "Size", ["S", "s"]),
        (QuestionKind.MULTI, "Size", [str(n) for n in range(11)]),
        (QuestionKind.MULTI, "Size", ["S", "x" * 41]),
        (QuestionKind.MULTI, "Size", ["S", " "]),
    ]
    for kind, label, options in bad:
        with pytest.raises(QuestionInvalid):
            a.check_question(kind, label, options)
