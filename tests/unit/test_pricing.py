"""The pricing function, rule by rule: each code kind and scope, each automatic promotion applying and then
ceasing to apply with its reason, combination, the membership, rounding, spreading and per-ticket amounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.money import Money
from domain.pricing import (
    WHOLE_CART,
    AmountOff,
    BundlePromotion,
    EarlyWeekdayPromotion,
    Membership,
    NotApplied,
    PercentOff,
    PricedCart,
    PromoCode,
    QuantityPromotion,
    Reason,
    Scope,
    Source,
    TicketLine,
    _money,
    normalize_code,
    price_cart,
    split_per_ticket,
)

RUB = "RUB"
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # Tuesday, 12:30 in Moscow
MOSCOW = ZoneInfo("Europe/Moscow")


def rub(minor: int) -> Money:
    return Money(minor, RUB)


def line(
    id: int,
    price: int,
    qty: int = 1,
    *,
    tariff: int | None = None,
    event: int = 1,
    category: str = "concert",
    starts: datetime | None = None,
) -> TicketLine:
    """A line of `qty` tickets at `price` kopecks; its tariff is 10 * event + id unless named."""
    return TicketLine(
        id=id,
        tariff_id=tariff if tariff is not None else 10 * event + id,
        event_id=event,
        category=category,
        event_start=starts or NOW + timedelta(days=30),
        unit_price=rub(price),
        qty=qty,
    )


def code(text: str, *, percent: int | None = None, off: int | None = None, **kwargs) -> PromoCode:
    """A code of `percent` basis points or `off` kopecks, named after its text."""
    discount = PercentOff(percent) if percent is not None else AmountOff(rub(off or 0))
    return PromoCode(code=text, name=f"Code {text}", discount=discount, **kwargs)


def price(lines, **kwargs) -> PricedCart:
    kwargs.setdefault("now", NOW)
    return price_cart(lines, currency=RUB, **kwargs)


def reasons(priced: PricedCart) -> dict[str | int, Reason]:
    return {entry.ref: entry.reason for entry in priced.not_applied}


def discounts(priced: PricedCart) -> dict[int, list[tuple[str, int]]]:
    """line id -> [(discount name, kopecks)] in the order applied."""
    return {ln.id: [(d.name, d.amount.minor) for d in ln.discounts] for ln in priced.lines}


def totals(priced: PricedCart) -> dict[int, int]:
    return {ln.id: ln.total.minor for ln in priced.lines}


# ----------------------------------------------------------------------------------------- code texts


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("SUMMER26", "SUMMER26"),
        ("  summer26 ", "SUMMER26"),
        ("sum mer 26", "SUMMER26"),  # inner spaces too: people split codes as printed
        ("\tvip-2026_x\n", "VIP-2026_X"),
        ("a\u00a0b\u202fc", "ABC"),  # no-break spaces from copy and paste
        ("A" * 32, "A" * 32),
    ],
)
def test_a_code_typed_with_spaces_or_in_any_case_is_the_same_code(typed, normalized):
    assert normalize_code(typed) == normalized


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "A" * 33,
        "A" * 5000,
        " ".join("A" * 100),  # 100 letters hidden among spaces
        "AB\x00C",
        "AB\x1fC",  # a control character Python also counts as whitespace
        "AB\x7fC",
        "CODE🎉",
        "КОД",  # Cyrillic
        "СODE",  # a Cyrillic С that looks Latin
        "straße",  # "ß".upper() would be "SS"
        "ﬁve",  # "ﬁ".upper() would be "FI"
        "A.B",
        "A+B",
        "ＡＢＣ",  # full-width
    ],
)
def test_anything_else_is_not_a_code(typed):
    assert normalize_code(typed) is None


def test_a_code_is_defined_in_its_normalized_form():
    with pytest.raises(ValueError):
        code("summer", percent=1000)
    with pytest.raises(ValueError):
        code("SUM MER", percent=1000)


# ------------------------------------------------------------------------------------ kinds and scopes


def test_percent_code_on_the_whole_cart():
    priced = price([line(1, 100_000, 2), line(2, 50_000, event=2)], codes=[code("TEN", percent=1000)])
    assert discounts(priced) == {1: [("Code TEN", 20_000)], 2: [("Code TEN", 5_000)]}
    assert priced.total == rub(225_000) and priced.discount == rub(25_000) and priced.undiscounted == rub(250_000)
    assert priced.codes == ("TEN",) and priced.not_applied == ()
    (rule,) = priced.applied
    assert (rule.source, rule.ref, rule.name, rule.amount) == (Source.CODE, "TEN", "Code TEN", rub(25_000))


def test_percent_code_on_one_event():
    lines = [line(1, 100_000, event=1), line(2, 100_000, event=2), line(3, 10_000, event=2)]
    priced = price(lines, codes=[code("EV2", percent=2000, scope=Scope.event(2))])
    assert discounts(priced) == {1: [], 2: [("Code EV2", 20_000)], 3: [("Code EV2", 2_000)]}


def test_fixed_code_on_one_tariff_is_once_per_cart_not_per_ticket():
    lines = [line(1, 30_000, 3, tariff=7), line(2, 10_000, 1, tariff=7), line(3, 50_000, tariff=8)]
    priced = price(lines, codes=[code("T7", off=10_000, scope=Scope.tariff(7))])
    # 100 roubles over 900 + 100 roubles of tariff 7, in proportion: 90 and 10
    assert discounts(priced) == {1: [("Code T7", 9_000)], 2: [("Code T7", 1_000)], 3: []}
    assert priced.total == rub(150_000 - 10_000)


def test_fixed_code_on_the_whole_cart_spreads_with_the_largest_remainder():
    # 100 kopecks over 3 equal lines: 33 each, the one left over to the lowest line id
    lines = [line(7, 1_000), line(3, 1_000), line(5, 1_000)]
    priced = price(lines, codes=[code("HUNDRED", off=100)])
    assert totals(priced) == {3: 1_000 - 34, 5: 1_000 - 33, 7: 1_000 - 33}
    # uneven weights: 10 kopecks over 1 : 2 : 4 are 1.43, 2.86, 5.71: floors 1, 2, 5, and the 2 kopecks left
    # go to the largest remainders, .86 and .71
    priced = price([line(1, 100), line(2, 200), line(3, 400)], codes=[code("TEN", off=10)])
    assert {k: v[0][1] for k, v in discounts(priced).items()} == {1: 1, 2: 3, 3: 6}


def test_a_fixed_amount_never_exceeds_what_it_applies_to():
    lines = [line(1, 300, 2), line(2, 5_000, event=2)]
    priced = price(lines, codes=[code("BIG", off=100_000, scope=Scope.event(1))])
    assert totals(priced) == {1: 0, 2: 5_000}
    assert priced.applied[0].amount == rub(600)  # not 1,000 roubles: only 6 roubles were there to take
    assert priced.total == rub(5_000)
    everything = price(lines, codes=[code("BIG", off=100_000)])
    assert everything.total == rub(0) and totals(everything) == {1: 0, 2: 0}


def test_free_tickets_take_nothing_and_give_nothing():
    priced = price([line(1, 0, 3), line(2, 1_000)], codes=[code("FIX", off=500), code("PCT", percent=5000)])
    assert totals(priced) == {1: 0, 2: 250}
    assert discounts(priced)[1] == []  # a zero discount is not listed on a line


def test_a_rule_that_takes_nothing_is_reported_not_applied():
    everything = code("ALL", percent=10_000)
    fixed = code("FIX", off=500)
    priced = price([line(1, 1_000)], codes=[fixed, everything])  # canonical: ALL first, FIX finds nothing left
    assert priced.total == rub(0) and priced.codes == ("ALL",)
    assert reasons(priced) == {"FIX": Reason.NOTHING_TO_DISCOUNT}
    assert [rule.ref for rule in priced.applied] == ["ALL"]
    free = price([line(1, 0, 2)], codes=[code("PCT", percent=5000)], membership=Membership("Club", 1000))
    assert free.applied == () and free.codes == ()
    assert reasons(free) == {"Club": Reason.NOTHING_TO_DISCOUNT, "PCT": Reason.NOTHING_TO_DISCOUNT}
    # two rules that do not combine, neither taking anything: nothing to discount, not "does not combine with"
    solos = [code("ONE", percent=1000, combinable=False), code("TWO", off=100, combinable=False)]
    assert reasons(price([line(1, 0)], codes=solos)) == {
        "ONE": Reason.NOTHING_TO_DISCOUNT,
        "TWO": Reason.NOTHING_TO_DISCOUNT,
    }


# ---------------------------------------------------------------------------------- codes that stop


def test_code_window_is_half_open():
    opens, closes = NOW + timedelta(hours=1), NOW + timedelta(days=2)
    lines = [line(1, 10_000)]
    timed = code("TIMED", percent=1000, valid_from=opens, valid_until=closes)
    assert reasons(price(lines, codes=[timed], now=opens - timedelta(microseconds=1))) == {
        "TIMED": Reason.NOT_YET_VALID
    }
    assert price(lines, codes=[timed], now=opens).codes == ("TIMED",)
    assert price(lines, codes=[timed], now=closes - timedelta(microseconds=1)).codes == ("TIMED",)
    closed = price(lines, codes=[timed], now=closes)
    assert reasons(closed) == {"TIMED": Reason.EXPIRED} and closed.total == rub(10_000)


def test_code_used_up_and_used_up_for_this_person():
    lines = [line(1, 10_000)]
    assert price(lines, codes=[code("LAST", percent=1000, max_uses=3, uses=2)]).codes == ("LAST",)
    gone = price(lines, codes=[code("LAST", percent=1000, max_uses=3, uses=3)])
    assert reasons(gone) == {"LAST": Reason.USED_UP} and gone.total == rub(10_000)
    assert price(lines, codes=[code("ONCE", percent=1000, max_uses_per_person=1)]).codes == ("ONCE",)
    mine = price(lines, codes=[code("ONCE", percent=1000, max_uses_per_person=1, person_uses=1)])
    assert reasons(mine) == {"ONCE": Reason.USED_UP_FOR_YOU}


def test_minimum_not_met_after_a_line_is_removed_says_what_is_missing():
    big = code("BIG", off=50_000, min_cart=rub(300_000))
    cart = [line(1, 100_000, 2), line(2, 150_000, event=2)]
    assert price(cart, codes=[big]).total == rub(300_000)
    smaller = price(cart[:1], codes=[big])
    (entry,) = smaller.not_applied
    assert (entry.reason, entry.missing, entry.name) == (Reason.MINIMUM_NOT_MET, rub(100_000), "Code BIG")
    assert smaller.total == rub(200_000) and smaller.codes == ()


def test_minimum_is_measured_on_the_scope_before_discounts():
    lines = [line(1, 100_000, event=1), line(2, 90_000, event=2)]
    # event 2 alone is 900 roubles: not the 1,000 of the minimum, though the cart is 1,900
    ev2 = code("EV2", percent=1000, scope=Scope.event(2), min_cart=rub(100_000))
    (entry,) = price(lines, codes=[ev2]).not_applied
    assert (entry.reason, entry.missing) == (Reason.MINIMUM_NOT_MET, rub(10_000))
    # another discount bringing the cart under the minimum does not take the code away
    whole = code("WHOLE", percent=1000, min_cart=rub(190_000))
    half = QuantityPromotion(id=1, name="Half", event_id=1, min_tickets=1, basis_points=5000)
    priced = price(lines, codes=[whole], promotions=[half])
    assert priced.codes == ("WHOLE",) and priced.total < rub(190_000)


def test_nothing_in_scope_once_its_item_is_removed():
    ev2 = code("EV2", percent=1000, scope=Scope.event(2))
    tariff = code("T9", off=100, scope=Scope.tariff(9))
    cart = [line(1, 10_000), line(2, 10_000, event=2, tariff=9)]
    assert price(cart, codes=[ev2, tariff]).codes == ("EV2", "T9")
    removed = price(cart[:1], codes=[ev2, tariff])
    assert reasons(removed) == {"EV2": Reason.NOTHING_IN_SCOPE, "T9": Reason.NOTHING_IN_SCOPE}
    assert reasons(price([], codes=[code("ANY", percent=1000)])) == {"ANY": Reason.NOTHING_IN_SCOPE}


def test_the_first_reason_in_order_is_reported():
    late = NOW - timedelta(days=1)
    everything_wrong = code(
        "BAD",
        percent=1000,
        valid_until=late,
        max_uses=1,
        uses=1,
        max_uses_per_person=1,
        person_uses=1,
        min_cart=rub(10**9),
        scope=Scope.event(99),
    )
    assert reasons(price([line(1, 100)], codes=[everything_wrong])) == {"BAD": Reason.EXPIRED}
    steps = [
        ({"valid_until": None}, Reason.USED_UP),
        ({"uses": 0}, Reason.USED_UP_FOR_YOU),
        ({"person_uses": 0}, Reason.NOTHING_IN_SCOPE),
        ({"scope": WHOLE_CART}, Reason.MINIMUM_NOT_MET),
    ]
    fields = {
        "valid_until": late,
        "max_uses": 1,
        "uses": 1,
        "max_uses_per_person": 1,
        "person_uses": 1,
        "min_cart": rub(10**9),
        "scope": Scope.event(99),
    }
    for change, reason in steps:
        fields |= change
        assert reasons(price([line(1, 100)], codes=[code("BAD", percent=1000, **fields)])) == {"BAD": reason}


def test_the_same_code_typed_twice_counts_once():
    twice = price([line(1, 10_000)], codes=[code("TEN", percent=1000), code("TEN", percent=1000)])
    assert twice == price([line(1, 10_000)], codes=[code("TEN", percent=1000)])
    with pytest.raises(ValueError):
        price([line(1, 10_000)], codes=[code("TEN", percent=1000), code("TEN", percent=2000)])


# -------------------------------------------------------------------------------- automatic promotions


FOUR_PLUS = QuantityPromotion(id=1, name="4+ tickets", event_id=1, min_tickets=4, basis_points=1000)


def test_n_or_more_tickets_of_an_event_and_then_one_fewer():
    cart = [line(1, 10_000, 3), line(2, 5_000, 1), line(3, 7_000, 5, event=2)]
    priced = price(cart, promotions=[FOUR_PLUS])
    assert discounts(priced) == {1: [("4+ tickets", 3_000)], 2: [("4+ tickets", 500)], 3: []}
    fewer = price(cart[:1] + cart[2:], promotions=[FOUR_PLUS])
    assert fewer.applied == () and fewer.total == fewer.undiscounted
    (entry,) = fewer.not_applied
    assert (entry.source, entry.ref, entry.reason, entry.missing_tickets) == (
        Source.PROMOTION,
        1,
        Reason.TOO_FEW_TICKETS,
        1,
    )
    # a cart without the event is none of the promotion's business
    assert price(cart[2:], promotions=[FOUR_PLUS]).not_applied == ()


def test_a_promotion_window_closes_with_a_moved_clock():
    ends = NOW + timedelta(days=1)
    promo = QuantityPromotion(id=1, name="Weekend", event_id=1, min_tickets=1, basis_points=1000, valid_until=ends)
    cart = [line(1, 10_000)]
    assert price(cart, promotions=[promo]).total == rub(9_000)
    closed = price(cart, promotions=[promo], now=ends)
    assert closed.total == rub(10_000) and reasons(closed) == {1: Reason.EXPIRED}
    early = QuantityPromotion(
        id=1, name="Soon", event_id=1, min_tickets=1, basis_points=1000, valid_from=NOW + timedelta(seconds=1)
    )
    assert reasons(price(cart, promotions=[early])) == {1: Reason.NOT_YET_VALID}


COUPLE = BundlePromotion(id=2, name="Stalls + balcony", tariff_a=21, tariff_b=22, amount=rub(1_000))


def test_bundle_is_per_pair_of_tariffs():
    cart = [line(1, 10_000, 2, tariff=21), line(2, 5_000, 3, tariff=22), line(3, 9_999, tariff=23)]
    priced = price(cart, promotions=[COUPLE])
    assert priced.applied[0].amount == rub(2_000)  # min(2, 3) = 2 bundles
    # spread over all tickets of the two tariffs: 20,000 : 15,000
    assert discounts(priced) == {
        1: [("Stalls + balcony", 1_143)],
        2: [("Stalls + balcony", 857)],
        3: [],
    }
    three = price([line(1, 10_000, 3, tariff=21), *cart[1:]], promotions=[COUPLE])
    assert three.applied[0].amount == rub(3_000)


def test_bundle_ceases_when_one_tariff_is_removed():
    cart = [line(1, 10_000, tariff=21), line(2, 5_000, tariff=22)]
    assert price(cart, promotions=[COUPLE]).total == rub(14_000)
    half = price(cart[:1], promotions=[COUPLE])
    assert half.total == rub(10_000) and reasons(half) == {2: Reason.INCOMPLETE_BUNDLE}
    assert price([line(3, 100, tariff=5)], promotions=[COUPLE]).not_applied == ()
    later = BundlePromotion(id=2, name="Later", tariff_a=21, tariff_b=22, amount=rub(1), valid_from=NOW.replace(day=25))
    assert reasons(price(cart, promotions=[later])) == {2: Reason.NOT_YET_VALID}


def test_bundle_never_takes_more_than_its_tickets_cost():
    cart = [line(1, 300, tariff=21), line(2, 200, tariff=22)]
    priced = price(cart, promotions=[COUPLE])
    assert priced.total == rub(0) and priced.applied[0].amount == rub(500)


TUESDAY_EARLY = EarlyWeekdayPromotion(
    id=3, name="Early Tuesday", basis_points=1500, weekdays=frozenset({1}), tz=MOSCOW, days_before=14
)


def test_early_weekday_discount_in_the_organizers_time_zone():
    cart = [line(1, 10_000, starts=NOW + timedelta(days=20)), line(2, 10_000, event=2, starts=NOW + timedelta(days=3))]
    priced = price(cart, promotions=[TUESDAY_EARLY])
    assert discounts(priced) == {1: [("Early Tuesday", 1_500)], 2: []}  # event 2 is too soon
    # 23:30 UTC on Monday is already Tuesday in Moscow
    monday_utc = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    assert price(cart, promotions=[TUESDAY_EARLY], now=monday_utc).total == rub(18_500)
    # 20:30 UTC on Tuesday is Tuesday 23:30 in Moscow; 21:00 UTC is Wednesday there
    assert price(cart, promotions=[TUESDAY_EARLY], now=NOW.replace(hour=20, minute=59)).total == rub(18_500)
    wednesday = price(cart, promotions=[TUESDAY_EARLY], now=NOW.replace(hour=21))
    assert wednesday.total == rub(20_000) and reasons(wednesday) == {3: Reason.WRONG_WEEKDAY}


def test_early_weekday_discount_stops_when_the_event_is_too_close():
    starts = NOW + timedelta(days=14)
    cart = [line(1, 10_000, starts=starts)]
    assert price(cart, promotions=[TUESDAY_EARLY]).total == rub(8_500)  # exactly 14 days: early enough
    late = price(cart, promotions=[TUESDAY_EARLY], now=NOW + timedelta(seconds=1))
    assert reasons(late) == {3: Reason.TOO_CLOSE_TO_EVENT} and late.total == rub(10_000)


def test_early_weekday_discount_has_a_scope_and_a_window():
    scoped = EarlyWeekdayPromotion(
        id=3,
        name="Early",
        basis_points=1000,
        weekdays=frozenset(range(7)),
        tz=UTC,
        days_before=0,
        scope=Scope.event(2),
        valid_until=NOW + timedelta(days=1),
    )
    cart = [line(1, 10_000), line(2, 10_000, event=2)]
    assert totals(price(cart, promotions=[scoped])) == {1: 10_000, 2: 9_000}
    assert price(cart[:1], promotions=[scoped]).not_applied == ()
    assert reasons(price(cart, promotions=[scoped], now=NOW + timedelta(days=1))) == {3: Reason.EXPIRED}


# ------------------------------------------------------------------------------------------ combining


def test_two_codes_combine_in_canonical_order_whatever_the_order_typed():
    cart = [line(1, 100_000)]
    percent, fixed = code("B10", percent=1000), code("A100", off=10_000)
    # canonical: A100 first (100 roubles off), then B10 on what is left: 10 % of 900
    for typed in ([percent, fixed], [fixed, percent]):
        priced = price(cart, codes=typed)
        assert discounts(priced) == {1: [("Code A100", 10_000), ("Code B10", 9_000)]}
        assert priced.codes == ("A100", "B10") and priced.total == rub(81_000)


def test_percentages_compound_on_what_is_left():
    priced = price([line(1, 10_000)], codes=[code("A", percent=1000), code("B", percent=1000)])
    assert priced.total == rub(8_100)  # 19 % off, not 20 %


def test_two_codes_that_do_not_combine_the_larger_wins_and_the_other_names_it():
    cart = [line(1, 100_000)]
    small = code("SMALL", percent=1000, combinable=False)
    large = code("LARGE", off=20_000, combinable=False)
    for typed in ([small, large], [large, small]):
        priced = price(cart, codes=typed)
        assert priced.codes == ("LARGE",) and priced.total == rub(80_000)
        (entry,) = priced.not_applied
        assert (entry.ref, entry.reason, entry.conflicts_with) == ("SMALL", Reason.DOES_NOT_COMBINE, ("Code LARGE",))


def test_a_non_combinable_code_against_the_stack():
    cart = [line(1, 100_000)]
    stack = [code("A", percent=1000), code("B", percent=1000)]  # 19 % together
    solo_small = code("SOLO", percent=1500, combinable=False)
    priced = price(cart, codes=[*stack, solo_small])
    assert priced.codes == ("A", "B") and priced.total == rub(81_000)
    assert reasons(priced) == {"SOLO": Reason.DOES_NOT_COMBINE}
    assert priced.not_applied[0].conflicts_with == ("Code A", "Code B")
    solo_large = code("SOLO", percent=2500, combinable=False)
    priced = price(cart, codes=[*stack, solo_large])
    assert priced.codes == ("SOLO",) and priced.total == rub(75_000)
    assert [(e.ref, e.reason, e.conflicts_with) for e in priced.not_applied] == [
        ("A", Reason.DOES_NOT_COMBINE, ("Code SOLO",)),
        ("B", Reason.DOES_NOT_COMBINE, ("Code SOLO",)),
    ]


def test_ties_go_to_the_stack_then_to_the_canonical_order():
    cart = [line(1, 100_000)]
    priced = price(cart, codes=[code("STACK", percent=1000), code("SOLO", percent=1000, combinable=False)])
    assert priced.codes == ("STACK",)
    priced = price(cart, codes=[code("ZED", percent=1000, combinable=False), code("ALF", off=10_000, combinable=False)])
    assert priced.codes == ("ALF",) and priced.not_applied[0].conflicts_with == ("Code ALF",)


def test_a_non_combinable_promotion_and_a_code():
    cart = [line(1, 10_000, 4)]
    solo = QuantityPromotion(id=1, name="4+ solo", event_id=1, min_tickets=4, basis_points=2000, combinable=False)
    priced = price(cart, codes=[code("TEN", percent=1000)], promotions=[solo])
    assert [r.name for r in priced.applied] == ["4+ solo"] and priced.total == rub(32_000)
    (entry,) = priced.codes_not_applied
    assert (entry.reason, entry.conflicts_with) == (Reason.DOES_NOT_COMBINE, ("4+ solo",))
    # with one ticket fewer the promotion does not apply, and the code does again
    fewer = price([line(1, 10_000, 3)], codes=[code("TEN", percent=1000)], promotions=[solo])
    assert fewer.codes == ("TEN",) and reasons(fewer) == {1: Reason.TOO_FEW_TICKETS}


def test_promotions_then_membership_then_codes():
    cart = [line(1, 10_000, 4)]
    priced = price(
        cart,
        codes=[code("AAA", off=1_000)],
        promotions=[FOUR_PLUS],
        membership=Membership(plan="Club", basis_points=1000),
    )
    assert discounts(priced) == {1: [("4+ tickets", 4_000), ("Club", 3_600), ("Code AAA", 1_000)]}
    assert [r.source for r in priced.applied] == [Source.PROMOTION, Source.MEMBERSHIP, Source.CODE]


# ------------------------------------------------------------------------------------------ membership


def test_membership_covers_its_categories_only():
    club = Membership(plan="Concert club", basis_points=1000, categories=frozenset({"concert"}))
    cart = [line(1, 10_000, category="concert"), line(2, 10_000, event=2, category="theatre")]
    priced = price(cart, membership=club)
    assert discounts(priced) == {1: [("Concert club", 1_000)], 2: []}
    theatre_only = price(cart[1:], membership=club)
    assert theatre_only.total == rub(10_000)
    (entry,) = theatre_only.not_applied
    assert (entry.source, entry.ref, entry.reason) == (Source.MEMBERSHIP, "Concert club", Reason.NOTHING_IN_SCOPE)
    assert price([], membership=club).not_applied == ()


def test_membership_without_categories_covers_everything():
    everything = Membership(plan="All", basis_points=500)
    cart = [line(1, 10_000, category="concert"), line(2, 10_000, event=2, category="kids")]
    assert totals(price(cart, membership=everything)) == {1: 9_500, 2: 9_500}


def test_membership_combines_as_its_plan_says():
    cart = [line(1, 10_000)]
    alone = Membership(plan="Solo plan", basis_points=2000, combinable=False)
    priced = price(cart, codes=[code("TEN", percent=1000)], membership=alone)
    assert priced.total == rub(8_000) and reasons(priced) == {"TEN": Reason.DOES_NOT_COMBINE}
    together = Membership(plan="Friendly plan", basis_points=2000)
    assert price(cart, codes=[code("TEN", percent=1000)], membership=together).total == rub(7_200)


# -------------------------------------------------------------------------------------------- rounding


def test_percent_rounds_half_up_per_line():
    half = code("HALF", percent=5000)
    assert totals(price([line(1, 1), line(2, 3)], codes=[half])) == {1: 0, 2: 1}  # 0.5 -> 1, 1.5 -> 2
    almost = code("ALMOST", percent=4999)
    assert totals(price([line(1, 1)], codes=[almost])) == {1: 1}  # 0.4999 -> 0
    # per line, not per ticket: 5 one-kopeck tickets at 10 % are 0.5 kopeck -> 1 off the line
    assert totals(price([line(1, 1, 5)], codes=[code("TEN", percent=1000)])) == {1: 4}


def test_a_third_in_basis_points():
    third = code("THIRD", percent=3333)
    assert price([line(1, 10_000)], codes=[third]).discount == rub(3_333)  # 33.33 % of 100.00
    assert price([line(1, 3)], codes=[third]).discount == rub(1)  # 0.9999 -> 1
    assert price([line(1, 15)], codes=[third]).discount == rub(5)  # 4.9995 -> 5
    assert price([line(1, 10_000, 3)], codes=[third]).total == rub(20_001)


def test_percentages_are_basis_points_within_one_to_a_hundred_percent():
    for bad in (0, -1, 10_001, True, 10.0):
        with pytest.raises(ValueError):
            PercentOff(bad)
    assert price([line(1, 12_345)], codes=[code("ALL", percent=10_000)]).total == rub(0)


# ----------------------------------------------------------------------------------- per-ticket amounts


def test_per_ticket_amounts_sum_exactly_to_the_line():
    assert split_per_ticket(rub(10_000), 3) == (rub(3_334), rub(3_333), rub(3_333))
    assert split_per_ticket(rub(2), 5) == (rub(1), rub(1), rub(0), rub(0), rub(0))
    priced = price([line(1, 3_333, 7), line(2, 1, 3)], codes=[code("ODD", off=1_001)])
    for priced_line in priced.lines:
        tickets = priced_line.per_ticket()
        assert len(tickets) == priced_line.qty
        assert sum(t.minor for t in tickets) == priced_line.total.minor
        assert max(tickets).minor - min(tickets).minor <= 1


# -------------------------------------------------------------------------------------------- the rest


def test_lines_come_out_by_id_and_the_order_of_inputs_does_not_matter():
    lines = [line(3, 1_000, 2), line(1, 777, 3, event=2), line(2, 5, 1)]
    codes = [code("ZZ", off=333), code("AA", percent=1234), code("MM", percent=999, combinable=False)]
    promotions = [COUPLE, FOUR_PLUS, TUESDAY_EARLY]
    priced = price(lines, codes=codes, promotions=promotions)
    assert [ln.id for ln in priced.lines] == [1, 2, 3]
    again = price(lines[::-1], codes=codes[::-1], promotions=promotions[::-1])
    assert again == priced


def test_inputs_a_shop_would_never_send_are_refused():
    with pytest.raises(ValueError, match="currency"):
        price([line(1, 100), TicketLine(2, 2, 1, "x", NOW, Money(1, "USD"), 1)])
    with pytest.raises(ValueError, match="currency"):
        price([line(1, 100)], codes=[PromoCode(code="USD", name="x", discount=AmountOff(Money(1, "USD")))])
    with pytest.raises(ValueError, match="twice"):
        price([line(1, 100), line(1, 200)])
    with pytest.raises(ValueError, match="twice"):
        price([line(1, 100)], promotions=[FOUR_PLUS, FOUR_PLUS])
    with pytest.raises(ValueError, match="aware"):
        price([line(1, 100)], now=NOW.replace(tzinfo=None))
    with pytest.raises(ValueError):
        line(1, 100, 0)
    with pytest.raises(ValueError):
        line(1, -1)
    with pytest.raises(ValueError):
        Scope(Scope.event(1).kind)
    with pytest.raises(ValueError):
        BundlePromotion(id=1, name="x", tariff_a=1, tariff_b=1, amount=rub(1))
    with pytest.raises(ValueError):
        code("WINDOW", percent=1, valid_from=NOW, valid_until=NOW)


def test_amounts_made_inside_are_ordinary_money():
    assert _money(5, RUB) == Money(5, RUB) and hash(_money(5, RUB)) == hash(Money(5, RUB))
    assert repr(_money(5, RUB)) == repr(Money(5, RUB))


def test_not_applied_is_a_plain_record():
    entry = NotApplied(Source.CODE, "X", "Code X", Reason.USED_UP)
    assert entry.missing is None and entry.missing_tickets is None and entry.conflicts_with == ()
