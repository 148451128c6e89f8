"""What the pricing function gives back: every number of the cart with its reason (see `domain.pricing`).

NamedTuples: immutable, compared by value, and several times cheaper to make than frozen dataclasses (a
recalculation of a busy cart makes over a hundred, see bench/PRICING.md)."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from domain.money import Money


def split_per_ticket(amount: Money, qty: int) -> tuple[Money, ...]:
    """A line total as the amounts paid for each of its `qty` tickets: they differ by at most one minor unit,
    the first tickets carry the extra ones, and they sum exactly to `amount` (a refund returns one of them)."""
    return tuple(amount.allocate(qty))


# --------------------------------------------------------------------------------------------- outputs


class Source(StrEnum):
    PROMOTION = "promotion"
    MEMBERSHIP = "membership"
    CODE = "code"


class Reason(StrEnum):
    """Why a rule gives nothing to this cart (an unknown code is the caller's concern, not pricing's)."""

    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    USED_UP = "used_up"
    USED_UP_FOR_YOU = "used_up_for_you"
    NOTHING_IN_SCOPE = "nothing_in_scope"
    MINIMUM_NOT_MET = "minimum_not_met"  # NotApplied.missing: how much more of the scope's list prices
    TOO_FEW_TICKETS = "too_few_tickets"  # quantity promotion; NotApplied.missing_tickets
    INCOMPLETE_BUNDLE = "incomplete_bundle"  # bundle promotion: only one of its two tariffs in the cart
    WRONG_WEEKDAY = "wrong_weekday"  # early weekday promotion: not one of its days today
    TOO_CLOSE_TO_EVENT = "too_close_to_event"  # early weekday promotion: every event in scope starts too soon
    DOES_NOT_COMBINE = "does_not_combine"  # NotApplied.conflicts_with: the rules applied instead
    NOTHING_TO_DISCOUNT = "nothing_to_discount"  # free tickets, or nothing left after the rules before it


class LineDiscount(NamedTuple):
    """One rule's discount on one line (never zero: a rule that gave this line nothing is not listed)."""

    source: Source
    ref: str | int  # the code's text, the promotion's id, the membership plan's name
    name: str
    amount: Money


class PricedLine(NamedTuple):
    """What the customer sees for a line, and what an order line keeps for refunds."""

    id: int
    tariff_id: int
    event_id: int
    unit_price: Money
    qty: int
    subtotal: Money  # unit_price * qty
    discounts: tuple[LineDiscount, ...]  # in the order they were applied
    total: Money  # subtotal - discounts, never below zero

    def per_ticket(self) -> tuple[Money, ...]:
        """What each ticket of the line cost: a refund of one ticket returns one of these."""
        return split_per_ticket(self.total, self.qty)


class AppliedRule(NamedTuple):
    """A rule that applied, and what it took off the whole cart (never zero: see Reason.NOTHING_TO_DISCOUNT)."""

    source: Source
    ref: str | int
    name: str
    amount: Money


class NotApplied(NamedTuple):
    """A rule that gives this cart nothing, and why: shown to the customer, never dropped silently."""

    source: Source
    ref: str | int
    name: str
    reason: Reason
    missing: Money | None = None  # MINIMUM_NOT_MET
    missing_tickets: int | None = None  # TOO_FEW_TICKETS
    conflicts_with: tuple[str, ...] = ()  # DOES_NOT_COMBINE: names of the rules applied instead


class PricedCart(NamedTuple):
    """Every number of the cart with its reason: what the cart shows, and what an order copies when paid."""

    currency: str
    lines: tuple[PricedLine, ...]  # by line id
    applied: tuple[AppliedRule, ...]  # in the order applied
    not_applied: tuple[NotApplied, ...]  # promotions, membership, then codes, each in canonical order
    undiscounted: Money  # sum of the list subtotals
    discount: Money  # undiscounted - total
    total: Money  # sum of the line totals
    codes: tuple[str, ...] = ()  # the codes applied: what a paid order counts as used

    @property
    def codes_not_applied(self) -> tuple[NotApplied, ...]:
        return tuple(entry for entry in self.not_applied if entry.source is Source.CODE)
