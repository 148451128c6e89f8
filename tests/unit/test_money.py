"""Money: exact minor units, no floats, no silent currency mixing; parsing what people type."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidAmount
from domain.money import Money, exponent, total

RUB = "RUB"


def rub(minor: int) -> Money:
    return Money(minor, RUB)


def test_add_sub_mul():
    assert rub(150) + rub(50) == rub(200)
    assert rub(150) - rub(200) == rub(-50)
    assert rub(150) * 3 == rub(450)
    assert 3 * rub(150) == rub(450)
    assert -rub(7) == rub(-7)
    assert total([rub(1), rub(2), rub(3)], RUB) == rub(6)
    assert total([], RUB) == Money.zero(RUB)


def test_comparisons_and_flags():
    assert rub(1) < rub(2) <= rub(2) < rub(3)
    assert rub(3) > rub(2) >= rub(2)
    assert Money.zero(RUB).is_zero and not Money.zero(RUB).is_positive
    assert rub(1).is_positive and not rub(-1).is_positive


@pytest.mark.parametrize(
    "op",
    [
        lambda: rub(1) + Money(1, "USD"),
        lambda: rub(1) - Money(1, "USD"),
        lambda: rub(1) < Money(1, "USD"),
        lambda: rub(1) >= Money(1, "USD"),
        lambda: total([rub(1), Money(1, "USD")], RUB),
    ],
)
def test_currency_mismatch_raises(op):
    with pytest.raises(ValueError, match="currency mismatch"):
        op()


@pytest.mark.parametrize("bad", [1.5, Decimal("1.5"), "1", True, None])
def test_minor_units_are_int_only(bad):
    with pytest.raises(TypeError):
        Money(bad, RUB)


@pytest.mark.parametrize("bad", [1.5, Decimal(2), True])
def test_multiply_by_int_only(bad):
    with pytest.raises(TypeError):
        rub(100) * bad


def test_combining_with_non_money_raises():
    with pytest.raises(TypeError):
        rub(1) + 1


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("1500", 150_000),
        ("1 500,50", 150_050),
        ("1\u00a0500", 150_000),
        ("99.9", 9_990),
        ("99,99", 9_999),
        (" 0.01 ", 1),
        ("0", 0),
        ("1_000", 100_000),
    ],
)
def test_parse_what_people_type(text, minor):
    assert Money.parse(text, RUB) == rub(minor)


@pytest.mark.parametrize("text", ["0.001", "1,234", "abc", "", " ", "12abc", "1.2.3", "1e5", "--1", "1" * 13, "∞"])
def test_parse_rejects(text):
    # "1,234" is 1.234 rubles: a fraction of a kopek, so rejected rather than guessed at.
    with pytest.raises(InvalidAmount):
        Money.parse(text, RUB)


def test_parse_uses_currency_exponent():
    assert exponent("jpy") == 0
    assert Money.parse("1500", "JPY") == Money(1500, "JPY")
    with pytest.raises(InvalidAmount):
        Money.parse("15.5", "JPY")
    assert Money.parse("1.234", "KWD") == Money(1234, "KWD")
    assert Money(1234, "KWD").as_decimal() == Decimal("1.234")
    assert rub(150_050).as_decimal() == Decimal("1500.50")


@pytest.mark.parametrize(
    ("minor", "pct", "expected"),
    [
        (10_000, 10, 1_000),
        (5, 10, 1),  # 0.5 kopek -> 1 (half up)
        (4, 10, 0),  # 0.4 kopek -> 0
        (15, 10, 2),  # 1.5 -> 2
        (25, 10, 3),  # 2.5 -> 3, not banker's 2
        (1, 50, 1),  # 0.5 -> 1
        (999, Decimal("12.5"), 125),  # 124.875 -> 125
        (100, 0, 0),
        (-5, 10, -1),  # half away from zero for refunds too
    ],
)
def test_percent_rounds_half_up_on_minor_units(minor, pct, expected):
    result = rub(minor).percent(pct)
    assert result == rub(expected)
    assert isinstance(result.minor, int)


def test_allocate_examples():
    assert rub(100).allocate(3) == [rub(34), rub(33), rub(33)]
    assert rub(2).allocate(5) == [rub(1), rub(1), rub(0), rub(0), rub(0)]
    with pytest.raises(ValueError):
        rub(100).allocate(0)


@given(amount=st.integers(min_value=-(10**12), max_value=10**12), parts=st.integers(min_value=1, max_value=50))
def test_allocate_sums_exactly(amount, parts):
    shares = rub(amount).allocate(parts)
    assert len(shares) == parts
    assert all(s.currency == RUB for s in shares)
    assert sum(s.minor for s in shares) == amount
    assert max(s.minor for s in shares) - min(s.minor for s in shares) <= 1
