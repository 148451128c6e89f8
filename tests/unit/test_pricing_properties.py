"""Pricing invariants for any cart, any codes, any automatic promotions and any membership (hypothesis):
the total lies between zero and the undiscounted sum and is the sum of its lines, no line goes below zero or
above its list subtotal, nothing depends on the order of lines or typed codes, every code typed is either
applied or reported, the best option for the customer wins, and per-ticket amounts add up to the line."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.money import Money
from domain.pricing import (
    WHOLE_CART,
    AmountOff,
    BundlePromotion,
    EarlyWeekdayPromotion,
    Membership,
    PercentOff,
    PricedCart,
    PromoCode,
    QuantityPromotion,
    Reason,
    Scope,
    Source,
    TicketLine,
    price_cart,
)

RUB = "RUB"
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
CATEGORY = {1: "concert", 2: "theatre", 3: "kids"}
# 200 examples of each property: generating a cart costs about 5 ms of CPU here, and the two pricing test files
# must run in under 5 s on the shared 2-core machine (3 properties: about 3 s of CPU).
SETTINGS = settings(max_examples=200, deadline=None)


def rub(minor: int) -> Money:
    return Money(minor, RUB)


def event_of(tariff: int) -> int:
    """Tariffs 1-6 belong to events 1-3, two each, so scopes and bundles meet in small carts."""
    return (tariff + 1) // 2


# Few, coarse choices per example: generating a cart costs far more than pricing it, and these files must run
# in seconds. The weights keep most rules applicable (so that they stack, clash and run out of money to take)
# while every reason still comes up: `now` is mostly within a day and a half of NOW, where most windows are open.
hours = st.integers(-24 * 20, 24 * 20).map(lambda h: NOW + timedelta(hours=h))  # events start within 20 days
moments = st.one_of(st.integers(-36, 36), st.integers(-24 * 6, 24 * 6)).map(lambda h: NOW + timedelta(hours=h))
# one-kopeck lines and free tickets; round prices, so that lines tie and their remainders with them
prices = st.one_of(st.integers(0, 3), st.sampled_from([1_000, 5_000, 150_000]), st.integers(0, 200_000))
percents = st.one_of(st.sampled_from([1, 3333, 5000, 6667, 9999, 10_000]), st.integers(1, 10_000))
amounts = st.integers(1, 500_000).map(rub)  # sometimes more than the whole cart
scopes = st.sampled_from([WHOLE_CART] * 8 + [*map(Scope.event, (1, 2, 3)), *map(Scope.tariff, range(1, 7))])
DAY = timedelta(days=1)
windows = st.sampled_from(
    [
        *[{"valid_from": None, "valid_until": None}] * 10,
        {"valid_from": NOW - DAY, "valid_until": None},
        {"valid_from": None, "valid_until": NOW + DAY},
        {"valid_from": NOW - 3 * DAY, "valid_until": NOW - DAY},
        {"valid_from": NOW + DAY, "valid_until": NOW + 3 * DAY},
        {"valid_from": NOW - 5 * DAY, "valid_until": NOW + 5 * DAY},
    ]
)
# (max_uses, uses, max_uses_per_person, person_uses)
uses = st.sampled_from([(None, 0, None, 0)] * 4 + [(3, 2, None, 0), (3, 3, None, 0), (None, 0, 1, 0), (5, 0, 1, 1)])
minimums = st.sampled_from([None, None, None, rub(0), rub(1), rub(50_000), rub(300_000), rub(5_000_000)])
combinable = st.sampled_from([True, True, True, False])  # mostly stacking, sometimes clashing
zones = st.sampled_from([UTC, ZoneInfo("Europe/Moscow"), ZoneInfo("America/New_York")])
discounts = percents.map(PercentOff) | amounts.map(AmountOff)
row = st.tuples(st.integers(1, 6), prices, st.integers(1, 6))  # (tariff, price, qty)
line_counts = st.sampled_from([0, 1, 2, 3, 4, 5, 6, 3, 4, 5])  # uniform, unlike a list's size: carts are full
up_to_three = st.sampled_from([0, 1, 2, 3, 2, 3])
starts = st.tuples(hours, hours, hours)  # of events 1, 2, 3
events = st.integers(1, 3)
thresholds = st.integers(1, 8)
kinds = st.sampled_from(["quantity", "bundle", "weekday"])
pairs = st.sampled_from([(1, 2), (1, 3), (2, 5), (4, 6), (3, 4)])
weekdays = st.sampled_from([frozenset({1}), frozenset({0, 1, 2}), frozenset(range(7))])
days = st.integers(0, 20)
# Strategies are built once, here: building them inside the composites below made generating a cart cost
# several times more (hypothesis validates every new strategy object).


@st.composite
def ticket_lines(draw) -> list[TicketLine]:
    """Up to 6 lines; ids rise with gaps (the order test shuffles them)."""
    begins = draw(starts)
    lines = []
    for k in range(draw(line_counts)):
        tariff, price, qty = draw(row)
        event = event_of(tariff)
        lines.append(TicketLine(3 * k + 1, tariff, event, CATEGORY[event], begins[event - 1], rub(price), qty))
    return lines


@st.composite
def promo_codes(draw) -> list[PromoCode]:
    """Up to 3 codes of every kind, scope, window, use count and minimum."""
    codes = []
    for text in ["AAA", "B-2", "C_3"][: draw(up_to_three)]:
        max_uses, used, per_person, person_used = draw(uses)
        codes.append(
            PromoCode(
                code=text,
                name=f"Code {text}",
                discount=draw(discounts),
                scope=draw(scopes),
                max_uses=max_uses,
                uses=used,
                max_uses_per_person=per_person,
                person_uses=person_used,
                min_cart=draw(minimums),
                combinable=draw(combinable),
                **draw(windows),
            )
        )
    return codes


@st.composite
def promotions(draw) -> list:
    """Up to 3 automatic promotions of the three kinds."""
    made = []
    for promo_id in [7, 2, 5][: draw(up_to_three)]:
        common = {"id": promo_id, "name": f"Promotion {promo_id}", "combinable": draw(combinable), **draw(windows)}
        kind = draw(kinds)
        if kind == "quantity":
            made.append(
                QuantityPromotion(
                    event_id=draw(events),
                    min_tickets=draw(thresholds),
                    basis_points=draw(percents),
                    **common,
                )
            )
        elif kind == "bundle":
            a, b = draw(pairs)
            made.append(BundlePromotion(tariff_a=a, tariff_b=b, amount=draw(amounts), **common))
        else:
            made.append(
                EarlyWeekdayPromotion(
                    basis_points=draw(percents),
                    weekdays=draw(weekdays),
                    tz=draw(zones),
                    days_before=draw(days),
                    scope=draw(scopes),
                    **common,
                )
            )
    return made


memberships = st.none() | st.builds(
    Membership,
    plan=st.just("Club"),
    basis_points=percents,
    categories=st.sampled_from(
        [frozenset(), frozenset({"concert"}), frozenset({"theatre", "kids"}), frozenset({"sport"})]
    ),
    combinable=combinable,
)


@st.composite
def carts(draw) -> dict:
    return {
        "lines": draw(ticket_lines()),
        "codes": draw(promo_codes()),
        "promotions": draw(promotions()),
        "membership": draw(memberships),
        "now": draw(moments),
        "currency": RUB,
    }


@SETTINGS
@given(cart=carts())
def test_totals_lie_between_zero_and_the_list_prices_and_add_up_to_the_lines_and_tickets(cart):
    priced = price_cart(**cart)
    assert 0 <= priced.total.minor <= priced.undiscounted.minor
    assert priced.total.minor == sum(line.total.minor for line in priced.lines)
    assert priced.undiscounted.minor == sum(line.subtotal.minor for line in priced.lines)
    assert priced.discount.minor == priced.undiscounted.minor - priced.total.minor
    assert priced.discount.minor == sum(rule.amount.minor for rule in priced.applied)
    for given_line, line in zip(sorted(cart["lines"], key=lambda ln: ln.id), priced.lines, strict=True):
        assert (line.id, line.qty, line.unit_price) == (given_line.id, given_line.qty, given_line.unit_price)
        assert line.subtotal == line.unit_price * line.qty
        assert 0 <= line.total.minor <= line.subtotal.minor
        assert all(discount.amount.minor > 0 for discount in line.discounts)
        assert line.total.minor == line.subtotal.minor - sum(discount.amount.minor for discount in line.discounts)
    for money in (priced.total, priced.undiscounted, priced.discount, *(line.total for line in priced.lines)):
        assert money.currency == RUB and type(money.minor) is int
    for line in priced.lines:  # what a refund of each ticket returns adds up to what the line cost
        tickets = line.per_ticket()
        assert len(tickets) == line.qty
        assert sum(ticket.minor for ticket in tickets) == line.total.minor
        assert 0 <= max(tickets).minor - min(tickets).minor <= 1 and min(tickets).minor >= 0
    _codes_accounted_for_and_combination_respected(cart, priced)


def _codes_accounted_for_and_combination_respected(cart: dict, priced: PricedCart) -> None:
    """Every code typed is applied or reported, once; a rule that does not combine is applied alone; a rule
    reported as not combining names exactly the rules applied instead."""
    typed = sorted(code.code for code in cart["codes"])
    assert sorted(priced.codes + tuple(entry.ref for entry in priced.codes_not_applied)) == typed
    assert priced.codes == tuple(rule.ref for rule in priced.applied if rule.source is Source.CODE)
    combinable = {(Source.CODE, code.code): code.combinable for code in cart["codes"]}
    combinable |= {(Source.PROMOTION, promo.id): promo.combinable for promo in cart["promotions"]}
    if cart["membership"] is not None:
        combinable[(Source.MEMBERSHIP, cart["membership"].plan)] = cart["membership"].combinable
    applied = [(rule.source, rule.ref) for rule in priced.applied]
    if len(applied) > 1:
        assert all(combinable[key] for key in applied), "a non-combinable rule applied beside another"
    winners = tuple(rule.name for rule in priced.applied)
    for entry in priced.not_applied:
        assert (entry.source, entry.ref) not in applied
        if entry.reason is Reason.DOES_NOT_COMBINE:
            assert entry.conflicts_with == winners and winners
            assert not combinable[(entry.source, entry.ref)] or not all(combinable[key] for key in applied)
        else:
            assert entry.conflicts_with == ()
        assert (entry.missing is not None) == (entry.reason is Reason.MINIMUM_NOT_MET)
        if entry.missing is not None:  # what the lines in the code's scope lack, at list prices
            code = next(code for code in cart["codes"] if code.code == entry.ref)
            in_scope = sum(line.subtotal.minor for line in priced.lines if code.scope.covers(line))  # type: ignore[arg-type]
            assert entry.missing.minor == code.min_cart.minor - in_scope > 0


@SETTINGS
@given(cart=carts(), seed=st.integers(0, 2**32 - 1))
def test_the_order_of_lines_codes_and_promotions_does_not_matter(cart, seed):
    shuffle = random.Random(seed).shuffle  # one choice instead of one per item: generation is the cost here
    shuffled = {key: list(value) if isinstance(value, list) else value for key, value in cart.items()}
    for key in ("lines", "codes", "promotions"):
        shuffle(shuffled[key])
    if cart["codes"]:  # a code typed again changes nothing
        shuffled["codes"].append(cart["codes"][seed % len(cart["codes"])])
    assert price_cart(**shuffled) == price_cart(**cart)


def _only(cart: dict, keep) -> dict:
    """The cart with only the rules `keep` accepts (by their combinable flag and identity)."""
    membership = cart["membership"]
    return dict(
        cart,
        codes=[code for code in cart["codes"] if keep(code)],
        promotions=[promo for promo in cart["promotions"] if keep(promo)],
        membership=membership if membership is not None and keep(membership) else None,
    )


@SETTINGS
@given(cart=carts())
def test_the_customer_gets_the_best_option_and_each_code_alone_takes_what_its_kind_says(cart):
    best = price_cart(**cart).discount
    assert price_cart(**_only(cart, lambda rule: rule.combinable)).discount <= best
    rules = [*cart["codes"], *cart["promotions"], *([cart["membership"]] if cart["membership"] else [])]
    for alone in rules:
        if not alone.combinable:
            assert price_cart(**_only(cart, lambda rule, alone=alone: rule is alone)).discount <= best
    for code in cart["codes"]:
        priced = price_cart(**dict(cart, codes=[code], promotions=[], membership=None))
        if priced.codes:
            _takes_what_its_kind_says(code, priced)


def _takes_what_its_kind_says(code: PromoCode, priced: PricedCart) -> None:
    """A code alone on a cart: a percentage takes each line's share rounded half up (Decimal, the textbook way);
    a fixed amount takes itself, or all there is in scope, spread by the largest remainder, ties to the lower id."""
    in_scope = [line for line in priced.lines if code.scope.covers(line)]  # type: ignore[arg-type]
    taken = {line.id: line.subtotal.minor - line.total.minor for line in priced.lines}
    assert all(taken[line.id] == 0 for line in priced.lines if line not in in_scope)
    if isinstance(code.discount, PercentOff):
        for line in in_scope:
            exact = Decimal(line.subtotal.minor) * code.discount.basis_points / 10_000
            assert taken[line.id] == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return
    whole = sum(line.subtotal.minor for line in in_scope)
    amount = min(code.discount.amount.minor, whole)
    assert priced.discount.minor == amount
    if not whole:
        return
    shares = {line.id: Fraction(amount * line.subtotal.minor, whole) for line in in_scope}
    assert all(taken[i] in (math.floor(share), math.ceil(share)) for i, share in shares.items())
    rounded_up = [(share - math.floor(share), -i) for i, share in shares.items() if taken[i] > share]
    kept_down = [(share - math.floor(share), -i) for i, share in shares.items() if taken[i] < share]
    assert not rounded_up or not kept_down or min(rounded_up) > max(kept_down), "not the largest remainders first"
