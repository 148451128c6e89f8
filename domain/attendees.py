"""Who each ticket is for and what the organizer asks of them: the rules of a valid answer.

Answers are kept as shown, by question id: typed ones cleaned (an e-mail's domain in lower case, a phone
number as its digits with the leading +), a choice as the option's text, several choices as a list of
texts in the organizer's order, yes/no as "yes" or "no", a skipped optional question as "". A seat is
complete when it has a name and every required question that applies to its tariff has an answer.

A question asked per order is asked once of the buyer, not of each seat: the buyer's answers follow the same
rules, and the buyer's part is complete when each such question has its answer (or its skip)."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

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

MAX_NAME = 100
MAX_ANSWER = 300
MAX_LABEL = 200
MIN_OPTIONS, MAX_OPTIONS, MAX_OPTION = 2, 10, 40  # an option is a button label
YES, NO = "yes", "no"
NAME: Literal["name"] = "name"
TYPED = {QuestionKind.EMAIL, QuestionKind.PHONE, QuestionKind.TEXT}

_EMAIL = re.compile(r"[^@\s]{1,64}@([^@\s.]+\.)+[^@\s.]{2,63}")
_PHONE_SEPARATORS = re.compile(r"[\s\-().\u00a0]")


def _has_letter(text: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def _line(text: str) -> str:
    return " ".join(text.split())


def clean_name(text: str) -> str:
    """A person's name as printed on the ticket: one line of at most 100 characters with at least one
    letter (emoji and digits alone are no name; a one-letter Telegram name is)."""
    name = _line(text)
    if not 1 <= len(name) <= MAX_NAME or not _has_letter(name) or not name.isprintable():
        raise AttendeeNameInvalid(max=MAX_NAME)
    return name


def clean_typed(question: Question, text: str) -> str:
    """A typed answer to an e-mail, phone or free-text question."""
    if question.kind not in TYPED:
        raise AnswerByButton()
    if question.kind is QuestionKind.EMAIL:
        email = text.strip()
        if len(email) > 254 or not _EMAIL.fullmatch(email):
            raise EmailInvalid()
        local, domain = email.rsplit("@", 1)
        return f"{local}@{domain.lower()}"
    if question.kind is QuestionKind.PHONE:
        phone = _PHONE_SEPARATORS.sub("", text.strip())
        digits = phone.removeprefix("+")
        if not (digits.isascii() and digits.isdigit() and 7 <= len(digits) <= 15):
            raise PhoneInvalid()
        return phone
    answer = text.strip()
    if not answer or len(answer) > MAX_ANSWER or not any(ch.isalnum() for ch in answer):
        raise AnswerInvalid(max=MAX_ANSWER)
    return answer


def chosen(question: Question, picked: list[int]) -> str | list[str]:
    """Options picked by button, by their index: one for CHOICE and YESNO (0 yes, 1 no), any for MULTI."""
    if question.kind is QuestionKind.YESNO:
        options: tuple[str, ...] = (YES, NO)
    elif question.kind in (QuestionKind.CHOICE, QuestionKind.MULTI):
        options = question.options
    else:
        raise AttendeeNotFound()
    if any(not 0 <= i < len(options) for i in picked):
        raise AttendeeNotFound()
    if question.kind is QuestionKind.MULTI:
        return [options[i] for i in sorted(set(picked))]
    if len(picked) != 1:
        raise AttendeeNotFound()
    return options[picked[0]]


def answered(question: Question, attendee: Attendee) -> bool:
    return given(question, attendee.answers)


def given(question: Question, answers: dict[int, str | list[str]]) -> bool:
    """Answered: a required question with something, an optional one with something or skipped ("")."""
    if question.id not in answers:
        return False
    return bool(answers[question.id]) or not question.required


def first_missing(attendee: Attendee, questions: list[Question]) -> Question | Literal["name"] | None:
    """The next thing to ask for this seat, None when it is complete."""
    if not attendee.name:
        return NAME
    return next((q for q in questions if not answered(q, attendee)), None)


def first_unanswered(answers: dict[int, str | list[str]], questions: list[Question]) -> Question | None:
    """The next of the buyer's questions to ask, None when every one has its answer."""
    return next((q for q in questions if not given(q, answers)), None)


def buyer_questions(asked: dict[int, list[Question]], tickets: list[tuple[int, int | None]]) -> tuple[Question, ...]:
    """What is asked once of the buyer of a cart: each event's per-order questions that apply to a ticket the
    cart holds, (event, tariff) pairs in the cart's order, each question once, event by event in the cart's
    order and the organizer's order within one. Two events asking the same label are two questions."""
    found: dict[int, Question] = {}
    events = list(dict.fromkeys(event_id for event_id, _ in tickets))
    for event_id in events:
        tariffs = {tariff for e, tariff in tickets if e == event_id}
        for question in asked.get(event_id, []):
            if question.per_order and any(question.applies_to(t) for t in tariffs):
                found.setdefault(question.id, question)
    return tuple(found.values())


def check_question(kind: QuestionKind, label: str, options: list[str]) -> tuple[str, tuple[str, ...]]:
    """An organizer's question as it will be asked: its label on one line, options distinct and short
    enough for a button (only a choice has options)."""
    label = _line(label)
    cleaned = tuple(_line(o) for o in options)
    has_options = kind in (QuestionKind.CHOICE, QuestionKind.MULTI)
    bad_label = not 2 <= len(label) <= MAX_LABEL or not _has_letter(label)
    bad_options = (
        has_options
        and (
            not MIN_OPTIONS <= len(cleaned) <= MAX_OPTIONS
            or len(set(o.casefold() for o in cleaned)) != len(cleaned)
            or any(not 1 <= len(o) <= MAX_OPTION for o in cleaned)
        )
    ) or (not has_options and cleaned)
    if bad_label or bad_options:
        raise QuestionInvalid(
            max_label=MAX_LABEL, min_options=MIN_OPTIONS, max_options=MAX_OPTIONS, max_option=MAX_OPTION
        )
    return label, cleaned
