"""Promo codes and automatic promotions as organizers define them and the shop stores them.

`domain.pricing` prices a cart from rules it is handed; this module holds the rules as they are kept (who
made them, for which event, whether they are still offered, how often a code was used) and turns them into
pricing's inputs. A code belongs to one event (an organizer's) or to the whole shop (an admin's); an
automatic promotion always belongs to one event, and its tariffs are that event's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from domain.money import Money
from domain.pricing import (
    FULL,
    AmountOff,
    BundlePromotion,
    EarlyWeekdayPromotion,
    PercentOff,
    PromoCode,
    Promotion,
    QuantityPromotion,
    Scope,
    ScopeKind,
)

MAX_CODES_IN_CART = 5
MAX_NAME = 60


class CodeRefusal(StrEnum):
    """Why a typed code is not kept in the cart (pricing's reasons cover the codes that are kept)."""

    NOT_A_CODE = "not_a_code"  # not even shaped like one: emoji, NUL, 5,000 characters
    UNKNOWN = "unknown"
    WITHDRAWN = "withdrawn"  # its organizer switched it off
    EXPIRED = "expired"
    USED_UP = "used_up"
    USED_UP_FOR_YOU = "used_up_for_you"
    ALREADY_IN_CART = "already_in_cart"
    TOO_MANY = "too_many"  # MAX_CODES_IN_CART


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeRule:
    """A promo code as stored. `uses` counts paid orders carrying it (taken at payment, never before)."""

    id: int
    code: str  # normalized (domain.pricing.normalize_code)
    name: str  # what the cart shows beside the discount
    event_id: int | None  # the organizer's event it belongs to; None: an admin's code for the whole shop
    scope: Scope
    basis_points: int | None = None  # exactly one of basis_points and amount
    amount: Money | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    max_uses: int | None = None
    max_uses_per_person: int | None = None
    min_cart: Money | None = None
    combinable: bool = True
    active: bool = True
    uses: int = 0

    def __post_init__(self) -> None:
        if (self.basis_points is None) == (self.amount is None):
            raise ValueError("a code takes off either a percentage or an amount")
        if self.event_id is not None and self.scope.kind is ScopeKind.CART:
            raise ValueError("an event's code applies to that event or one of its tariffs, never the whole cart")

    def priced(self, person_uses: int) -> PromoCode:
        discount = PercentOff(self.basis_points) if self.basis_points is not None else AmountOff(self.amount)
        return PromoCode(
            code=self.code,
            name=self.name,
            discount=discount,
            scope=self.scope,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            max_uses=self.max_uses,
            uses=self.uses,
            max_uses_per_person=self.max_uses_per_person,
            person_uses=person_uses,
            min_cart=self.min_cart,
            combinable=self.combinable,
        )


@dataclass(frozen=True, slots=True)
class CartCode:
    """A code kept in a cart, with how often this person has used it already."""

    rule: CodeRule
    person_uses: int = 0


class PromotionKind(StrEnum):
    QUANTITY = "quantity"  # N or more tickets of the event: X % off them
    BUNDLE = "bundle"  # a ticket of tariff A with one of tariff B: an amount off per pair
    EARLY = "early"  # bought on given weekdays, at least D days before the event: X % off


@dataclass(frozen=True, slots=True, kw_only=True)
class PromotionRule:
    """An automatic promotion of one event, as stored."""

    id: int
    event_id: int
    kind: PromotionKind
    name: str
    basis_points: int | None = None  # QUANTITY, EARLY
    amount: Money | None = None  # BUNDLE: per pair
    min_tickets: int | None = None  # QUANTITY
    tariff_a: int | None = None  # BUNDLE
    tariff_b: int | None = None
    weekdays: frozenset[int] = frozenset()  # EARLY: 0 = Monday
    days_before: int | None = None  # EARLY
    tariff_id: int | None = None  # EARLY: only this tariff's tickets; None: the whole event
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    combinable: bool = True
    active: bool = True

    def priced(self, tz: tzinfo) -> Promotion:
        """`tz`: the organizer's, in which the weekdays of an early discount are counted."""
        window = {"valid_from": self.valid_from, "valid_until": self.valid_until, "combinable": self.combinable}
        if self.kind is PromotionKind.QUANTITY:
            return QuantityPromotion(
                id=self.id,
                name=self.name,
                event_id=self.event_id,
                min_tickets=self.min_tickets or 1,
                basis_points=self.basis_points or 0,
                **window,
            )
        if self.kind is PromotionKind.BUNDLE:
            return BundlePromotion(
                id=self.id, name=self.name, tariff_a=self.tariff_a, tariff_b=self.tariff_b, amount=self.amount, **window
            )
        scope = Scope.tariff(self.tariff_id) if self.tariff_id is not None else Scope.event(self.event_id)
        return EarlyWeekdayPromotion(
            id=self.id,
            name=self.name,
            basis_points=self.basis_points or 0,
            weekdays=self.weekdays,
            tz=tz,
            days_before=self.days_before or 0,
            scope=scope,
            **window,
        )


_PERCENT = re.compile(r"([0-9]{1,3}(?:[.,][0-9]{1,2})?)\s*%")  # ASCII digits only: "١٠%" is not 10 %


def parse_percent(text: str) -> int | None:
    """'10 %', '12.5%', '33,33 %' as basis points (1..10000), or None. The sign is required: "10" alone is
    an amount (see parse_discount)."""
    match = _PERCENT.fullmatch(text.strip())
    if not match:
        return None
    whole, _, fraction = match.group(1).replace(",", ".").partition(".")
    basis_points = int(whole) * 100 + int((fraction + "00")[:2])
    return basis_points if 0 < basis_points <= FULL else None


def weekdays_mask(days: frozenset[int]) -> int:
    return sum(1 << day for day in days)


def weekdays_of(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask & (1 << day))
