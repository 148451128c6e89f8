"""domain.promotions.parse_percent: percentages as people type them, in basis points, never through a float."""

from __future__ import annotations

import pytest

from domain.promotions import parse_percent


@pytest.mark.parametrize(
    ("typed", "basis_points"),
    [("10%", 1000), (" 10 % ", 1000), ("12.5%", 1250), ("33,33 %", 3333), ("0.01%", 1), ("100%", 10_000)],
)
def test_a_typed_percentage_is_basis_points(typed, basis_points):
    assert parse_percent(typed) == basis_points


@pytest.mark.parametrize("typed", ["10", "0%", "100.01%", "101%", "1.234%", "-5%", "١٠%", "１０%", "10%%", "", "%"])
def test_anything_else_is_not_a_percentage(typed):
    assert parse_percent(typed) is None
