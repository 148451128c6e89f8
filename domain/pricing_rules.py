"""What the pricing function is handed: the cart's lines, and the rules (promo codes, automatic promotions, a
membership) as plain, validated values. How they combine is `domain.pricing`'s."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from domain.money import Money

FULL = 10_000  # basis points in 100 %
MAX_CODE_LENGTH = 32
_CODE = re.compile(rf"[A-Z0-9_-]{{1,{MAX_CODE_LENGTH}}}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # control characters but tab, LF, CR
_SPACE = re.compile(r"\s+")


def normalize_code(text: str) -> str | None:
    """The canonical form of a typed promo code, or None when the text cannot be a code.

    People type codes with spaces ("summer 26 ") and in any case, so whitespace anywhere is dropped and
    letters are upper-cased. What remains must be 1-32 characters of A-Z, 0-9, "-" and "_": a NUL, another
    control character, an emoji, a Cyrillic letter or a pasted paragraph is refused, never truncated."""
    if len(text) > 4 * MAX_CODE_LENGTH or _CONTROL.search(text):
        return None
    candidate = _SPACE.sub("", text)
    if not candidate.isascii():  # before upper(): "ß".upper() is "SS", "ﬁ".upper() is "FI"
        return None
    candidate = candidate.upper()
    return candidate if _CODE.fullmatch(candidate) else None


def _check_basis_points(basis_points: int) -> None:
    if not isinstance(basis_points, int) or isinstance(basis_points, bool) or not 0 < basis_points <= FULL:
        raise ValueError(f"a percentage is 1..{FULL} basis points, not {basis_points!r}")


def _check_window(valid_from: datetime | None, valid_until: datetime | None) -> None:
    for moment in (valid_from, valid_until):
        if moment is not None and moment.tzinfo is None:
            raise ValueError("validity bounds must be aware datetimes")
    if valid_from is not None and valid_until is not None and valid_until <= valid_from:
        raise ValueError("valid_until must come after valid_from")


# ---------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class TicketLine:
    """One line of the cart as pricing needs it: what it is (for scopes and rules) and its list price."""

    id: int  # the cart line's id: the canonical order, and the tie-break of remainders
    tariff_id: int
    event_id: int
    category: str  # the event's category: what a membership covers
    event_start: datetime  # aware: the early weekday discount counts days to it
    unit_price: Money  # the list price of one ticket
    qty: int

    def __post_init__(self) -> None:
        if self.qty < 1:
            raise ValueError("a line holds at least one ticket")
        if self.unit_price.minor < 0:
            raise ValueError("a list price is never negative")
        if self.event_start.tzinfo is None:
            raise ValueError("event_start must be an aware datetime")


class ScopeKind(StrEnum):
    CART = "cart"
    EVENT = "event"
    TARIFF = "tariff"


@dataclass(frozen=True, slots=True)
class Scope:
    """Which lines a rule applies to: the whole cart, the lines of one event, or the lines of one tariff."""

    kind: ScopeKind = ScopeKind.CART
    target: int | None = None  # the event's or the tariff's id; None for the whole cart

    def __post_init__(self) -> None:
        if (self.kind is ScopeKind.CART) != (self.target is None):
            raise ValueError("a cart scope names nothing; an event or tariff scope names its id")

    @classmethod
    def event(cls, event_id: int) -> Scope:
        return cls(ScopeKind.EVENT, event_id)

    @classmethod
    def tariff(cls, tariff_id: int) -> Scope:
        return cls(ScopeKind.TARIFF, tariff_id)

    def covers(self, line: TicketLine) -> bool:
        if self.kind is ScopeKind.CART:
            return True
        if self.kind is ScopeKind.EVENT:
            return line.event_id == self.target
        return line.tariff_id == self.target


WHOLE_CART = Scope()


@dataclass(frozen=True, slots=True)
class PercentOff:
    """A percent discount in basis points (1000 = 10 %): a third of a price is expressible without a float."""

    basis_points: int

    def __post_init__(self) -> None:
        _check_basis_points(self.basis_points)


@dataclass(frozen=True, slots=True)
class AmountOff:
    """A fixed amount off, once per cart for the code's scope, spread over the lines in scope."""

    amount: Money

    def __post_init__(self) -> None:
        if not self.amount.is_positive:
            raise ValueError("a fixed discount is a positive amount")


@dataclass(frozen=True, slots=True, kw_only=True)
class PromoCode:
    """A code the customer typed, with its definition and its use counts (paid orders only) as of now."""

    code: str  # normalized (see normalize_code): how codes are compared and ordered
    name: str  # what the cart shows beside the discount
    discount: PercentOff | AmountOff
    scope: Scope = WHOLE_CART
    valid_from: datetime | None = None  # [valid_from, valid_until); None: open on that side
    valid_until: datetime | None = None
    max_uses: int | None = None  # paid orders carrying the code, everybody; None: unlimited
    uses: int = 0
    max_uses_per_person: int | None = None  # paid orders of this customer carrying the code; None: unlimited
    person_uses: int = 0
    min_cart: Money | None = None  # list subtotal of the lines in scope, before any discount
    combinable: bool = True  # False: applies only alone (no other code, promotion or membership)

    def __post_init__(self) -> None:
        if normalize_code(self.code) != self.code:
            raise ValueError(f"a promo code is defined in its normalized form, not {self.code!r}")
        _check_window(self.valid_from, self.valid_until)
        for limit in (self.max_uses, self.max_uses_per_person):
            if limit is not None and limit < 1:
                raise ValueError("a use limit is at least 1 (None: unlimited)")
        if self.uses < 0 or self.person_uses < 0:
            raise ValueError("use counts are never negative")


@dataclass(frozen=True, slots=True, kw_only=True)
class QuantityPromotion:
    """Automatic: N or more tickets of one event in the cart, and those tickets are X % off."""

    id: int
    name: str
    event_id: int
    min_tickets: int
    basis_points: int
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    combinable: bool = True

    def __post_init__(self) -> None:
        _check_basis_points(self.basis_points)
        _check_window(self.valid_from, self.valid_until)
        if self.min_tickets < 1:
            raise ValueError("min_tickets is at least 1")


@dataclass(frozen=True, slots=True, kw_only=True)
class BundlePromotion:
    """Automatic: a ticket of tariff A with a ticket of tariff B is a bundle, and each bundle is `amount` off.

    Per bundle, not once per cart: two couples buying together get it twice. The amount is spread over all
    the lines of tariffs A and B in proportion to what is left of them."""

    id: int
    name: str
    tariff_a: int
    tariff_b: int
    amount: Money  # per bundle
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    combinable: bool = True

    def __post_init__(self) -> None:
        if self.tariff_a == self.tariff_b:
            raise ValueError("a bundle is of two different tariffs")
        if not self.amount.is_positive:
            raise ValueError("a bundle discount is a positive amount")
        _check_window(self.valid_from, self.valid_until)


@dataclass(frozen=True, slots=True, kw_only=True)
class EarlyWeekdayPromotion:
    """Automatic: X % off the tickets in scope bought on one of `weekdays` (in `tz`, 0 = Monday) at least
    `days_before` whole days (days_before * 24 hours) before their event starts."""

    id: int
    name: str
    basis_points: int
    weekdays: frozenset[int]
    tz: tzinfo  # the organizer's time zone: a Tuesday in Moscow starts on Monday evening in UTC
    days_before: int
    scope: Scope = WHOLE_CART
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    combinable: bool = True

    def __post_init__(self) -> None:
        _check_basis_points(self.basis_points)
        _check_window(self.valid_from, self.valid_until)
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise ValueError("weekdays are some of 0 (Monday) .. 6 (Sunday)")
        if self.days_before < 0:
            raise ValueError("days_before is never negative")


Promotion = QuantityPromotion | BundlePromotion | EarlyWeekdayPromotion


@dataclass(frozen=True, slots=True)
class Membership:
    """The customer's active membership (the caller passes it only while it is active)."""

    plan: str  # the plan's name: shown beside the discount
    basis_points: int
    categories: frozenset[str] = frozenset()  # event categories it covers; empty: all
    combinable: bool = True

    def __post_init__(self) -> None:
        _check_basis_points(self.basis_points)
