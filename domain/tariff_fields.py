"""What an organizer may type into each field of a tariff."""

from __future__ import annotations

import re
from enum import StrEnum

from domain.errors import FieldEmpty, FieldTooLong, InvalidAmount, OrderLimitInvalid, PriceInvalid, QuantityInvalid
from domain.money import Money, exponent


class TariffField(StrEnum):
    NAME = "name"
    PRICE = "price"
    QUANTITY = "quantity"
    SALES_START = "sales_start"
    SALES_END = "sales_end"
    MAX_PER_ORDER = "max_per_order"


STEPS: tuple[TariffField, ...] = tuple(TariffField)
OPTIONAL = frozenset({TariffField.SALES_START, TariffField.SALES_END, TariffField.MAX_PER_ORDER})
NAME_MAX = 100
MAX_QUANTITY = 100_000  # one tariff of one event; a stadium is several tariffs
MAX_PRICE_MAJOR = 1_000_000  # a million roubles for one ticket is a typo, not a price
_WHOLE = re.compile(r"[0-9]{1,7}")


def parse_name(text: str, most: int = NAME_MAX) -> str:
    """Whitespace runs become one space; empty or longer than `most` characters is refused."""
    value = " ".join(text.split())
    if not value:
        raise FieldEmpty()
    if len(value) > most:
        raise FieldTooLong(max=most, length=len(value))
    return value


def max_price(currency: str) -> Money:
    return Money(MAX_PRICE_MAJOR * 10 ** exponent(currency), currency)


def parse_price(text: str, currency: str) -> Money:
    """A positive amount up to max_price ("1500", "1 500,50"); no signs, exponents or words."""
    try:
        price = Money.parse(text, currency)
    except InvalidAmount:
        raise PriceInvalid(max=max_price(currency)) from None
    if not 0 < price.minor <= max_price(currency).minor:
        raise PriceInvalid(max=max_price(currency))
    return price


def _whole(text: str) -> int | None:
    cleaned = re.sub(r"[\s\u00a0\u202f_]", "", text)
    return int(cleaned) if _WHOLE.fullmatch(cleaned) else None


def parse_quantity(text: str) -> int:
    value = _whole(text)
    if value is None or not 1 <= value <= MAX_QUANTITY:
        raise QuantityInvalid(max=MAX_QUANTITY)
    return value


def parse_order_limit(text: str, shop_limit: int) -> int:
    value = _whole(text)
    if value is None or not 1 <= value <= shop_limit:
        raise OrderLimitInvalid(max=shop_limit)
    return value
