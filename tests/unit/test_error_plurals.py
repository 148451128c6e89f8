"""Counts inside error texts agree with their number in Russian (1 символ, 2 символа, 5 символов)."""

from __future__ import annotations

import pytest

from bot.i18n import build_i18n
from domain.errors import AttendeesMissing, FieldTooLong
from handlers.views.base import render_error

I18N = build_i18n()


def _in(lang: str, error) -> str:
    with I18N.context(), I18N.use_locale(lang):
        return render_error(error)


@pytest.mark.parametrize(
    ("length", "ru", "en"),
    [(201, "201 символ,", "201 characters,"), (202, "202 символа,", "202 characters,"), (205, "205 символов,", "205")],
)
def test_a_field_too_long_says_its_length_with_the_right_plural(length, ru, en):
    assert f"Слишком длинно: {ru}" in _in("ru", FieldTooLong(max=200, length=length))
    assert f"Too long: {en}" in _in("en", FieldTooLong(max=200, length=length))


def test_tickets_still_without_an_attendee_are_counted_in_words():
    assert "1 билет пока без" in _in("ru", AttendeesMissing(missing_tickets=1))
    assert "3 билета пока без" in _in("ru", AttendeesMissing(missing_tickets=3))
    assert "5 tickets still without" in _in("en", AttendeesMissing(missing_tickets=5))
