"""Money as an integer count of minor units plus a currency; never a float."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.errors import InvalidAmount

# ISO 4217 exponents for the currencies we expect; anything else defaults to 2.
_EXPONENTS = {"JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3}


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


@dataclass(frozen=True, slots=True, order=False)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Parse what a person types ("1500", "1 500,50", "99.9") into exact minor units.

        Only ASCII digits: `\\d` would also take "١٠٠" or "１００", and Decimal would read them; superscripts,
        exponents, NaN and Infinity are not amounts either. At most 12 digits on either side."""
        cleaned = re.sub(r"[\s\u00a0\u202f_]", "", text.strip()).replace(",", ".")
        if not re.fullmatch(r"-?[0-9]{1,12}(\.[0-9]{1,12})?", cleaned):
            raise InvalidAmount(text=text[:40])
        try:
            value = Decimal(cleaned)
        except InvalidOperation as exc:  # pragma: no cover - regex guards this
            raise InvalidAmount(text=text[:40]) from exc
        scaled = value.scaleb(exponent(currency))
        if scaled != scaled.to_integral_value():
            raise InvalidAmount(text=text[:40])
        return cls(int(scaled), currency)

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("can only combine Money with Money")
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor - other.minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise TypeError("Money can only be multiplied by an int")
        return Money(self.minor * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.minor >= other.minor

    def percent(self, pct: int | Decimal) -> Money:
        """pct % of this amount, rounded half up to a whole minor unit (a kopek is never split)."""
        value = (Decimal(self.minor) * Decimal(pct) / Decimal(100)).quantize(Decimal(1), ROUND_HALF_UP)
        return Money(int(value), self.currency)

    def allocate(self, parts: int) -> list[Money]:
        """Split into `parts` amounts that differ by at most one minor unit and sum exactly to self."""
        if parts <= 0:
            raise ValueError("parts must be positive")
        base, rest = divmod(self.minor, parts)
        return [Money(base + (1 if i < rest else 0), self.currency) for i in range(parts)]

    @property
    def is_zero(self) -> bool:
        return self.minor == 0

    @property
    def is_positive(self) -> bool:
        return self.minor > 0

    def as_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-exponent(self.currency))


def total(amounts: list[Money], currency: str) -> Money:
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result
