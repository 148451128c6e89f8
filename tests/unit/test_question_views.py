"""What the organizer reads about attendee questions, without the database: a full list of the longest
questions stays one Telegram message in both languages, and every refusal of the question dialog (and the
error the middleware renders) names its limits with the right Russian plural forms."""

from __future__ import annotations

import pytest

from bot.i18n import build_i18n
from domain.attendees import MAX_LABEL, MAX_OPTION, MAX_OPTIONS
from domain.errors import QuestionInvalid, QuestionsFull
from domain.models import Event, EventStatus, Question, QuestionKind, TicketType
from domain.money import Money
from domain.services.questions import MAX_QUESTIONS, QuestionEditor, QuestionList
from handlers.editing import visible_length
from handlers.views import questions as view
from handlers.views.base import render_error

I18N = build_i18n()
EDITOR = QuestionEditor(None, None)  # type: ignore[arg-type]  # the typed steps need no database


def _in(lang: str, render):
    with I18N.context(), I18N.use_locale(lang):
        return render()


def _longest_list(editable: bool = True) -> QuestionList:
    event = Event(1, "Ж" * 300, None, "", EventStatus.PUBLISHED, organizer_id=1)
    tariff = TicketType(7, 1, "Т" * 200, Money(100, "RUB"), 10)
    questions = [
        Question(
            n,
            1,
            QuestionKind.MULTI,
            "Щ" * MAX_LABEL,
            required=False,
            options=tuple(f"{n}" + "Ю" * (MAX_OPTION - 1) for n in range(MAX_OPTIONS)),
            ticket_type_id=7,
            position=n,
        )
        for n in range(MAX_QUESTIONS)
    ]
    return QuestionList(event, questions, [tariff], mine=editable)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_full_list_of_the_longest_questions_is_one_message(lang):
    text, markup = _in(lang, lambda: view.question_list(_longest_list()))
    assert visible_length(text) <= 4096
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert labels[:MAX_QUESTIONS] == [f"🗑 {n}" for n in range(1, MAX_QUESTIONS + 1)]
    assert not any("➕" in label for label in labels)  # full: no Add button, the text says why
    assert str(MAX_QUESTIONS) in text.split("\n")[-1]
    assert all(len(b.callback_data.encode()) <= 64 for row in markup.inline_keyboard for b in row)


def test_a_list_that_cannot_change_has_no_buttons_to_change_it():
    text, markup = _in("en", lambda: view.question_list(_longest_list(editable=False)))
    assert "View only" in text
    assert markup.inline_keyboard == []  # not the reader's event: not even the way back to its menu


@pytest.mark.parametrize(
    ("typed", "en", "ru"),
    [
        (
            "S",
            "That is 1 option: a choice needs at least 2 options",
            "Это 1 вариант: для выбора нужно минимум 2 варианта",
        ),
        ("S\nM\nL\nXL\n" + "\n".join(str(n) for n in range(17)), "That is 21 options", "Это 21 вариант:"),
        ("\n".join(str(n) for n in range(12)), "That is 12 options", "Это 12 вариантов: можно максимум 10 вариантов"),
        ("S\n" + "Ж" * 41, "too long: 41 characters, at most 40 characters", "41 символ, можно максимум 40 символов"),
        ("S\n" + "Ж" * 42, "too long: 42 characters", "42 символа, можно"),
        ("S\n" + "Ж" * 45, "too long: 45 characters", "45 символов, можно"),
        ("Да\nНет\nдА", "«дА» is there twice", "«дА» повторяется"),
    ],
)
def test_a_refused_option_list_says_what_is_wrong_with_russian_plurals(typed, en, ru):
    with pytest.raises(QuestionInvalid) as info:
        EDITOR.check_options(QuestionKind.CHOICE, typed)
    assert en in _in("en", lambda: view.options_invalid(info.value))
    assert ru in _in("ru", lambda: view.options_invalid(info.value))


def test_the_errors_the_middleware_renders_name_their_limits():
    error = QuestionInvalid(max_label=200, min_options=2, max_options=10, max_option=41)
    ru = _in("ru", lambda: render_error(error))
    assert "максимум 200 символов" in ru and "минимум 2 варианта, максимум 10 вариантов" in ru
    assert "максимум 41 символ." in ru
    en = _in("en", lambda: render_error(error))
    assert "at most 200 characters" in en and "at least 2 options and at most 10 options" in en
    assert "Вопросов уже 20" in _in("ru", lambda: render_error(QuestionsFull(max=20)))
    assert "asks 20 questions" in _in("en", lambda: render_error(QuestionsFull(max=20)))
    assert "минимум 2 символа, максимум 200 символов" in _in("ru", view.label_invalid)
