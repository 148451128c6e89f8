"""What an organizer (or an admin) may type into each field of a promo code or an automatic promotion.

Each parser takes the text as typed and returns the value as stored, or raises the domain error that says
what is wrong; nothing is truncated or guessed. Text from Telegram has its control characters removed
already (bot/textclean.py), but these are domain rules and do not rely on it."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from domain.errors import (
    DiscountInvalid,
    PercentInvalid,
    PriceInvalid,
    PromoAmountInvalid,
    PromoCodeInvalid,
    PromoNameInvalid,
    PromoNumberInvalid,
)
from domain.money import Money
from domain.pricing import MAX_CODE_LENGTH, normalize_code
from domain.promotions import MAX_NAME, parse_percent
from domain.tariff_fields import max_price, parse_price


class CodeOption(StrEnum):
    """What may change on a code after it is made (its text, event and discount never do)."""

    NAME = "name"
    VALID_FROM = "from"
    VALID_UNTIL = "until"
    MAX_USES = "max"
    PER_PERSON = "pp"
    MIN_CART = "min"


class PromotionOption(StrEnum):
    NAME = "name"
    VALID_FROM = "from"
    VALID_UNTIL = "until"


class Flag(StrEnum):
    """Switches of a code or a promotion: the button names the value it sets, so a repeat changes nothing."""

    COMBINABLE = "comb"
    ACTIVE = "active"


MAX_USES = 1_000_000  # a code used more often than this is a typo of a limit
MIN_TICKETS, MAX_TICKETS = 2, 100  # "N or more tickets": 1 would be a plain discount
MAX_DAYS_BEFORE = 365
_MAX_TYPED = 200  # longer than any value of these fields: refused before any parsing
_WHOLE = re.compile(r"[0-9]{1,7}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def parse_code(text: str) -> str:
    """The code's canonical text (spaces dropped, upper case), or PromoCodeInvalid."""
    code = normalize_code(text) if len(text) <= _MAX_TYPED else None
    if code is None:
        raise PromoCodeInvalid(max=MAX_CODE_LENGTH)
    return code


def parse_discount(text: str, currency: str) -> tuple[int | None, Money | None]:
    """A code's discount: (basis points, None) for "10 %", (None, amount) for "500" (a bare number is an
    amount, as domain.promotions.parse_percent has it)."""
    if len(text) > _MAX_TYPED:
        raise DiscountInvalid(max=max_price(currency))
    if "%" in text:
        basis_points = parse_percent(text)
        if basis_points is None:
            raise DiscountInvalid(max=max_price(currency))
        return basis_points, None
    try:
        return None, parse_price(text, currency)
    except PriceInvalid:
        raise DiscountInvalid(max=max_price(currency)) from None


def parse_percent_step(text: str) -> int:
    """A step that asks for a percent only: "10", "10 %" and "12,5%" alike, 1-100 %, in basis points."""
    if len(text) > _MAX_TYPED:
        raise PercentInvalid()
    basis_points = parse_percent(text if "%" in text else text + "%")
    if basis_points is None:
        raise PercentInvalid()
    return basis_points


def parse_amount(text: str, currency: str) -> Money:
    """An amount off (a bundle's per pair) or a minimum cart sum: above zero, up to the shop's price limit."""
    if len(text) > _MAX_TYPED:
        raise PromoAmountInvalid(max=max_price(currency))
    try:
        return parse_price(text, currency)
    except PriceInvalid:
        raise PromoAmountInvalid(max=max_price(currency)) from None


def parse_name(text: str) -> str:
    """What buyers read beside the discount: 1-MAX_NAME characters with at least one letter or digit
    (an emoji alone says nothing), spaces collapsed, no control characters."""
    value = " ".join(text.split()) if len(text) <= _MAX_TYPED else ""
    if (
        not value
        or len(value) > MAX_NAME
        or _CONTROL.search(value)
        or not any(unicodedata.category(c)[0] in "LN" for c in value)
    ):
        raise PromoNameInvalid(max=MAX_NAME)
    return value


def parse_whole(text: str, low: int, high: int) -> int:
    """A whole number in [low, high], digits only (spaces between thousands allowed)."""
    cleaned = re.sub(r"[\s\u00a0\u202f_]", "", text) if len(text) <= _MAX_TYPED else ""
    value = int(cleaned) if _WHOLE.fullmatch(cleaned) else None
    if value is None or not low <= value <= high:
        raise PromoNumberInvalid(min=low, max=high)
    return value


def parse_weekdays(days: object) -> frozenset[int]:
    """Weekdays as the dialog keeps them (0 = Monday); anything else is no weekday at all."""
    if not isinstance(days, list | tuple | set | frozenset):
        return frozenset()
    return frozenset(d for d in days if isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6)
