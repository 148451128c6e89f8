"""Ids and amounts typed into admin commands: ASCII digits within range, or a clear refusal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidAmount
from domain.ids import MAX_ID, parse_telegram_id
from domain.money import Money

NOT_IDS = [
    "",
    " ",
    "0",
    "00",
    "-1",
    "+1",
    " 1",
    "1 ",
    "1\n",
    "²",
    "1²",
    "１２３",  # full-width digits: int() reads them, isdigit() says yes
    "١٠٠",  # Arabic-Indic digits
    "९",  # Devanagari nine
    "9223372036854775808",  # 2**63: no BIGINT holds it
    "99999999999999999999",
    "1" * 5000,
    "1e5",
    "0x10",
    "1_000",
    "1.0",
    "1,0",
    "NaN",
    "\x00",
    "1\x00",
    "١",
]


@pytest.mark.parametrize("text", NOT_IDS)
def test_not_an_id(text):
    assert parse_telegram_id(text) is None


@pytest.mark.parametrize(("text", "value"), [("1", 1), ("123456789", 123456789), ("007", 7), (str(MAX_ID), 2**63 - 1)])
def test_ids(text, value):
    assert parse_telegram_id(text) == value


@given(st.integers(min_value=1, max_value=MAX_ID))
def test_every_id_in_range_round_trips(n):
    assert parse_telegram_id(str(n)) == n


@given(st.text())
def test_any_text_is_an_id_in_range_or_none(text):
    value = parse_telegram_id(text)
    if value is not None:
        assert 1 <= value <= MAX_ID
        assert text.isascii() and text.isdigit()


@pytest.mark.parametrize(
    "text",
    [
        "²",
        "1²",
        "١٠٠",
        "１００",
        "९९",
        "99999999999999999999",
        "1" * 5000,
        "1." + "0" * 13,
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        "∞",
        "1e5",
        "1E5",
        "0x10",
        "\x00",
        "1\x00",
        "<b>1</b>",
        "'; DROP TABLE users; --",
    ],
)
def test_not_an_amount(text):
    with pytest.raises(InvalidAmount):
        Money.parse(text, "RUB")


@given(st.text())
def test_parsing_any_text_gives_money_or_invalid_amount(text):
    try:
        amount = Money.parse(text, "RUB")
    except InvalidAmount as error:
        assert len(error.params["text"]) <= 40
    else:
        assert isinstance(amount.minor, int) and abs(amount.minor) < 10**14
