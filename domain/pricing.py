"""The one pricing function: a cart of ticket lines in, every number the customer sees out, each with its reason.

The cart, the checkout and (later) a refund must agree on what each ticket cost, so every price is computed
here and nowhere else: `price_cart` is pure (no I/O, no clock: `now` is an argument) and cheap enough to run
on every press of a cart button.

Rules this module keeps (the tests in tests/unit/test_pricing*.py pin each one):

1. Money is integer minor units (`domain.money.Money`); percentages are integer *basis points*
   (1 % = 100 bp, 33.33 % = 3333 bp, 100 % = 10000 bp), so no float ever comes near an amount.
2. Rounding is defined once, in `_percents`: a percent discount is computed per line, on what is left of
   that line after the rules applied before it, and rounded ROUND_HALF_UP to a whole minor unit.
3. A fixed amount is capped at what is left of the lines it applies to, then spread over those lines in
   proportion to what is left of each (`_spread`): each line gets the floor of its share, and the minor units
   still missing go one each to the lines with the largest remainders, ties to the lower line id. A code's
   fixed amount is once per cart for its scope; a bundle promotion's amount is per bundle, and a cart holds
   min(tickets of tariff A, tickets of tariff B) bundles.
4. Hence a discount never exceeds what it applies to, no line total goes below zero, the total never goes
   below zero, and the total is exactly the sum of the line totals. `split_per_ticket` splits a line total
   into per-ticket amounts that sum exactly to it (what a refund of one ticket returns).
5. Whether a rule applies is judged on the cart before any discount, so it never depends on another rule:
   the validity window is half-open [valid_from, valid_until) (either end may be None: open); a code's
   total uses and this person's uses count paid orders only (the caller's numbers); a code's minimum cart
   sum is measured on the list subtotals of the lines in the code's scope.
   A code that does not apply is reported with the first reason that holds, in this order: not yet valid,
   expired, used up, used up for this person, nothing in scope, minimum not met (with the missing amount),
   does not combine (with the names of the rules applied instead), nothing to discount (it would take
   nothing: free tickets, or nothing left after the rules before it; such a code is not counted as used).
   An automatic promotion or a membership is reported only when the cart has something in its scope
   (otherwise it is not this cart's concern): not yet valid, expired, too few tickets (with how many more),
   incomplete bundle, wrong weekday, too close to the event, nothing in scope (a membership), does not
   combine, nothing to discount.
6. Combination: all applicable *combinable* rules stack, applied one after another on what is left, in a
   canonical order (automatic promotions by id, then the membership, then codes by normalized text; never
   the order typed). A *non-combinable* rule applies alone. The options are the stack and each
   non-combinable rule alone; the option giving the customer the largest discount wins (ties: the stack,
   then the canonical order), and every other applicable rule is reported as "does not combine with"
   the names of the winning rules. Combination is judged per cart, not per line.
7. The result does not depend on the order of the inputs: lines are taken by id, promotions by id, codes by
   normalized code text (the same code typed twice counts once); the lines come out sorted by id.

Codes are compared after `normalize_code`: surrounding and inner whitespace removed, upper case, at most
32 characters of A-Z 0-9 - _; anything else (NUL or other control characters, emoji, letters of other
alphabets, longer text) is not a code and gets None.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from operator import attrgetter

from domain.money import Money
from domain.pricing_results import (
    AppliedRule,
    LineDiscount,
    NotApplied,
    PricedCart,
    PricedLine,
    Reason,
    Source,
    split_per_ticket,
)
from domain.pricing_rules import (
    FULL,
    MAX_CODE_LENGTH,
    WHOLE_CART,
    AmountOff,
    BundlePromotion,
    EarlyWeekdayPromotion,
    Membership,
    PercentOff,
    PromoCode,
    Promotion,
    QuantityPromotion,
    Scope,
    ScopeKind,
    TicketLine,
    normalize_code,
)

# The inputs (domain.pricing_rules) and the results (domain.pricing_results) live in modules of their own:
# this one is the function, and names them all for its callers.
__all__ = [
    "FULL",
    "MAX_CODE_LENGTH",
    "WHOLE_CART",
    "AmountOff",
    "AppliedRule",
    "BundlePromotion",
    "EarlyWeekdayPromotion",
    "LineDiscount",
    "Membership",
    "NotApplied",
    "PercentOff",
    "PricedCart",
    "PricedLine",
    "PromoCode",
    "Promotion",
    "QuantityPromotion",
    "Reason",
    "Scope",
    "ScopeKind",
    "Source",
    "TicketLine",
    "normalize_code",
    "price_cart",
    "split_per_ticket",
]


def _percents(amounts: list[int], basis_points: int) -> list[int]:
    """The one rounding rule: basis_points of each non-negative amount, ROUND_HALF_UP to a whole minor unit
    (x/10000 rounded half up is floor((2x + 10000) / 20000), in integers)."""
    twice = 2 * basis_points
    return [(amount * twice + FULL) // (2 * FULL) for amount in amounts]


def _spread(amount: int, weights: list[int]) -> list[int]:
    """`amount` (at most sum(weights)) split in proportion to `weights`: floors, then one minor unit each to the
    largest remainders, ties to the lower index (the lines are in id order, so: to the lower line id)."""
    whole = sum(weights)
    if amount <= 0 or whole <= 0:
        return [0] * len(weights)
    shares: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        share, remainder = divmod(amount * weight, whole)
        shares.append(share)
        remainders.append(remainder)
    left = amount - sum(shares)
    if left:
        for k in sorted(range(len(weights)), key=lambda k: (-remainders[k], k))[:left]:
            shares[k] += 1
    return shares


# ------------------------------------------------------------------------------------------ the function

# Money's own constructor checks its arguments, and a frozen dataclass sets each field through
# object.__setattr__: together that costs more than all the arithmetic below, and a recalculation makes about 60
# amounts (bench/PRICING.md). Every amount made here is an int by construction, so `_money` sets Money's two
# slots directly; the check below makes this module refuse to load if Money ever gains a field.
if tuple(Money.__slots__) != ("minor", "currency"):  # pragma: no cover
    raise ImportError("domain.pricing._money builds Money from exactly (minor, currency)")
_new = object.__new__
_set_minor = Money.minor.__set__  # type: ignore[attr-defined]
_set_currency = Money.currency.__set__  # type: ignore[attr-defined]


def _money(minor: int, currency: str) -> Money:
    money = _new(Money)
    _set_minor(money, minor)
    _set_currency(money, currency)
    return money


_line_id = attrgetter("id")
_promotion_id = attrgetter("id")
_RANK = {Source.PROMOTION: 0, Source.MEMBERSHIP: 1, Source.CODE: 2}


class _Rule:
    """An applicable rule, reduced to what the arithmetic needs."""

    __slots__ = ("amount", "basis_points", "combinable", "indices", "name", "ref", "source")

    def __init__(
        self,
        source: Source,
        ref: str | int,
        name: str,
        combinable: bool,
        indices: list[int],
        basis_points: int = 0,
        amount: int = 0,
    ) -> None:
        self.source = source
        self.ref = ref
        self.name = name
        self.combinable = combinable
        self.indices = indices  # the lines it applies to, by position in id order
        self.basis_points = basis_points  # > 0: a percent rule
        self.amount = amount  # otherwise: a fixed amount, before the cap


class _Cart:
    """The lines in id order and the lookups every rule needs, computed once per recalculation."""

    __slots__ = ("by_event", "by_tariff", "lines", "subtotals")

    def __init__(self, lines: list[TicketLine], currency: str) -> None:
        self.lines = lines
        self.subtotals: list[int] = []
        self.by_event: dict[int, list[int]] = {}
        self.by_tariff: dict[int, list[int]] = {}
        previous = None
        for i, line in enumerate(lines):
            if line.id == previous:
                raise ValueError(f"line {line.id} given twice")
            previous = line.id
            price = line.unit_price
            if price.currency != currency:
                raise ValueError(f"currency mismatch: {price.currency} in a {currency} shop")
            self.subtotals.append(price.minor * line.qty)
            self.by_event.setdefault(line.event_id, []).append(i)
            self.by_tariff.setdefault(line.tariff_id, []).append(i)

    def in_scope(self, scope: Scope) -> list[int]:
        if scope.kind is ScopeKind.CART:
            return list(range(len(self.lines)))
        lookup = self.by_event if scope.kind is ScopeKind.EVENT else self.by_tariff
        return lookup.get(scope.target, [])  # type: ignore[arg-type]


def _window(valid_from: datetime | None, valid_until: datetime | None, now: datetime) -> Reason | None:
    if valid_from is not None and now < valid_from:
        return Reason.NOT_YET_VALID
    if valid_until is not None and now >= valid_until:
        return Reason.EXPIRED
    return None


def _check_currency(amount: Money, currency: str) -> None:
    if amount.currency != currency:
        raise ValueError(f"currency mismatch: {amount.currency} in a {currency} shop")


def _promotion(promo: Promotion, cart: _Cart, now: datetime, currency: str) -> _Rule | NotApplied | None:
    """The promotion as an applicable rule, the reason it gives nothing, or None when the cart has nothing of it."""
    source = Source.PROMOTION
    lines = cart.lines
    if type(promo) is QuantityPromotion:
        indices = cart.by_event.get(promo.event_id)
        if not indices:
            return None
        if reason := _window(promo.valid_from, promo.valid_until, now):
            return NotApplied(source, promo.id, promo.name, reason)
        tickets = sum(lines[i].qty for i in indices)
        if tickets < promo.min_tickets:
            return NotApplied(
                source, promo.id, promo.name, Reason.TOO_FEW_TICKETS, missing_tickets=promo.min_tickets - tickets
            )
        return _Rule(source, promo.id, promo.name, promo.combinable, indices, basis_points=promo.basis_points)
    if type(promo) is BundlePromotion:
        _check_currency(promo.amount, currency)
        of_a = cart.by_tariff.get(promo.tariff_a, [])
        of_b = cart.by_tariff.get(promo.tariff_b, [])
        if not of_a and not of_b:
            return None
        if reason := _window(promo.valid_from, promo.valid_until, now):
            return NotApplied(source, promo.id, promo.name, reason)
        bundles = min(sum(lines[i].qty for i in of_a), sum(lines[i].qty for i in of_b))
        if not bundles:
            return NotApplied(source, promo.id, promo.name, Reason.INCOMPLETE_BUNDLE)
        indices = sorted(of_a + of_b)
        return _Rule(source, promo.id, promo.name, promo.combinable, indices, amount=promo.amount.minor * bundles)
    if type(promo) is not EarlyWeekdayPromotion:
        raise TypeError(f"not a promotion: {promo!r}")
    indices = cart.in_scope(promo.scope)
    if not indices:
        return None
    if reason := _window(promo.valid_from, promo.valid_until, now):
        return NotApplied(source, promo.id, promo.name, reason)
    if now.astimezone(promo.tz).weekday() not in promo.weekdays:
        return NotApplied(source, promo.id, promo.name, Reason.WRONG_WEEKDAY)
    latest = now + timedelta(days=promo.days_before)  # an event starting at or after this is early enough
    indices = [i for i in indices if lines[i].event_start >= latest]
    if not indices:
        return NotApplied(source, promo.id, promo.name, Reason.TOO_CLOSE_TO_EVENT)
    return _Rule(source, promo.id, promo.name, promo.combinable, indices, basis_points=promo.basis_points)


def _code(code: PromoCode, cart: _Cart, now: datetime) -> _Rule | NotApplied:
    """The code as an applicable rule, or the first reason (in the module docstring's order) it gives nothing."""
    reason = _window(code.valid_from, code.valid_until, now)
    if reason is None and code.max_uses is not None and code.uses >= code.max_uses:
        reason = Reason.USED_UP
    if reason is None and code.max_uses_per_person is not None and code.person_uses >= code.max_uses_per_person:
        reason = Reason.USED_UP_FOR_YOU
    if reason is not None:
        return NotApplied(Source.CODE, code.code, code.name, reason)
    indices = cart.in_scope(code.scope)
    if not indices:
        return NotApplied(Source.CODE, code.code, code.name, Reason.NOTHING_IN_SCOPE)
    if code.min_cart is not None:
        in_scope = sum(cart.subtotals[i] for i in indices)
        if in_scope < code.min_cart.minor:
            missing = _money(code.min_cart.minor - in_scope, code.min_cart.currency)
            return NotApplied(Source.CODE, code.code, code.name, Reason.MINIMUM_NOT_MET, missing=missing)
    discount = code.discount
    if type(discount) is PercentOff:
        return _Rule(Source.CODE, code.code, code.name, code.combinable, indices, basis_points=discount.basis_points)
    return _Rule(Source.CODE, code.code, code.name, code.combinable, indices, amount=discount.amount.minor)


def _run(rules: list[_Rule], subtotals: list[int]) -> tuple[list[int], list[list[int]]]:
    """Apply `rules` one after another, each on what the previous ones left: what is left of each line, and
    each rule's discount on each of its lines."""
    left = subtotals.copy()
    taken: list[list[int]] = []
    for rule in rules:
        indices = rule.indices
        amounts = [left[i] for i in indices]
        if rule.basis_points:
            discounts = _percents(amounts, rule.basis_points)
        else:
            discounts = _spread(min(rule.amount, sum(amounts)), amounts)  # never more than is left
        for i, discount in zip(indices, discounts, strict=True):
            left[i] -= discount
        taken.append(discounts)
    return left, taken


def price_cart(
    lines: Iterable[TicketLine],
    *,
    now: datetime,
    currency: str,
    codes: Iterable[PromoCode] = (),
    promotions: Iterable[Promotion] = (),
    membership: Membership | None = None,
) -> PricedCart:
    """Every number of the cart, with the reason for each (see the module docstring for the rules)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    cart = _Cart(sorted(lines, key=_line_id), currency)
    ordered = cart.lines
    subtotals = cart.subtotals
    rules: list[_Rule] = []
    refusals: list[NotApplied] = []

    previous_id = None
    for promo in sorted(promotions, key=_promotion_id):
        if promo.id == previous_id:
            raise ValueError(f"promotion {promo.id} given twice")
        previous_id = promo.id
        outcome = _promotion(promo, cart, now, currency)
        if outcome is not None:
            (rules if type(outcome) is _Rule else refusals).append(outcome)  # type: ignore[arg-type]

    if membership is not None:
        categories = membership.categories
        covered = [i for i, line in enumerate(ordered) if not categories or line.category in categories]
        plan = membership.plan
        if covered:
            rules.append(_Rule(Source.MEMBERSHIP, plan, plan, membership.combinable, covered, membership.basis_points))
        elif ordered:
            refusals.append(NotApplied(Source.MEMBERSHIP, plan, plan, Reason.NOTHING_IN_SCOPE))

    unique: dict[str, PromoCode] = {}
    for code in codes:
        known = unique.setdefault(code.code, code)
        if known is not code and known != code:
            raise ValueError(f"code {code.code} given twice with different definitions")
        if type(code.discount) is AmountOff:
            _check_currency(code.discount.amount, currency)
        if code.min_cart is not None:
            _check_currency(code.min_cart, currency)
    for text in sorted(unique):
        outcome = _code(unique[text], cart, now)
        (rules if type(outcome) is _Rule else refusals).append(outcome)  # type: ignore[arg-type]

    # The options: every combinable rule together, or one non-combinable rule alone. The largest discount wins;
    # a tie goes to the earlier option (the stack first, then the canonical order).
    stack = [rule for rule in rules if rule.combinable]
    options = ([stack] if stack else []) + [[rule] for rule in rules if not rule.combinable]
    chosen: list[_Rule] = []
    left = subtotals
    taken: list[list[int]] = []
    most = -1
    undiscounted = sum(subtotals)
    for option in options:
        option_left, option_taken = _run(option, subtotals)
        discount = undiscounted - sum(option_left)
        if discount > most:
            most, chosen, left, taken = discount, option, option_left, option_taken

    # A rule that took nothing (free tickets, or nothing left after the rules before it) is not applied: it is
    # reported, and a code of it is not counted as used. A rule that lost names the rules that took something;
    # when none did, no option could take anything, and it took nothing either.
    took = [sum(discounts) for discounts in taken]
    winners = tuple(rule.name for rule, amount in zip(chosen, took, strict=True) if amount)
    if len(chosen) < len(rules) or not all(took):
        for rule in rules:
            if rule not in chosen:
                reason = Reason.DOES_NOT_COMBINE if winners else Reason.NOTHING_TO_DISCOUNT
                refusals.append(NotApplied(rule.source, rule.ref, rule.name, reason, conflicts_with=winners))
        for rule, amount in zip(chosen, took, strict=True):
            if not amount:
                refusals.append(NotApplied(rule.source, rule.ref, rule.name, Reason.NOTHING_TO_DISCOUNT))
        refusals.sort(key=lambda entry: (_RANK[entry.source], entry.ref))

    per_line: list[list[LineDiscount]] = [[] for _ in ordered]
    applied: list[AppliedRule] = []
    codes_applied: list[str] = []
    for rule, discounts, amount in zip(chosen, taken, took, strict=True):
        if not amount:
            continue
        source, ref, name = rule.source, rule.ref, rule.name
        for i, discount in zip(rule.indices, discounts, strict=True):
            if discount:
                per_line[i].append(LineDiscount(source, ref, name, _money(discount, currency)))
        applied.append(AppliedRule(source, ref, name, _money(amount, currency)))
        if source is Source.CODE:
            codes_applied.append(ref)  # type: ignore[arg-type]

    priced = tuple(
        [
            PricedLine(
                line.id,
                line.tariff_id,
                line.event_id,
                line.unit_price,
                line.qty,
                _money(subtotal, currency),
                tuple(discounts),
                _money(remaining, currency),
            )
            for line, subtotal, discounts, remaining in zip(ordered, subtotals, per_line, left, strict=True)
        ]
    )
    total = sum(left)
    return PricedCart(
        currency,
        priced,
        tuple(applied),
        tuple(refusals),
        _money(undiscounted, currency),
        _money(undiscounted - total, currency),
        _money(total, currency),
        tuple(codes_applied),
    )
