"""Cart recalculation cost: `domain.pricing.price_cart` on a busy cart, against just summing its list prices.

    python -m bench.pricing [--runs 20000] [--repeats 5] [--profile]

The cart is recalculated on every press of a cart button, so pricing must stay cheap (issue 11: at least
10,000 recalculations per second on one core). The cart: 10 lines over 3 events (4 categories of price),
3 typed codes (a combinable percent off the cart, a combinable fixed amount off one event, a non-combinable
percent off one tariff that loses to the stack), 3 automatic promotions (4+ tickets of an event, a bundle
of two tariffs, an early weekday discount) and a membership covering concerts. Pure CPU, one thread.

Each of --repeats rounds times --runs recalculations; the best round is reported (the machine is shared:
the best round is the one least disturbed), with the median beside it. The baseline, in the same run, is
what the cart did before pricing existed: the sum of the lines' list subtotals as `Money`. --profile
prints cProfile's top functions of one round. Timing is reported, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.money import Money, total
from domain.pricing import (
    AmountOff,
    BundlePromotion,
    EarlyWeekdayPromotion,
    Membership,
    PercentOff,
    PromoCode,
    QuantityPromotion,
    Scope,
    TicketLine,
    price_cart,
)

RUB = "RUB"
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # a Tuesday in Moscow


def rub(minor: int) -> Money:
    return Money(minor, RUB)


def cart() -> dict:
    """The keyword arguments of one recalculation of the benchmark's cart."""
    starts = {1: NOW + timedelta(days=30), 2: NOW + timedelta(days=3), 3: NOW + timedelta(days=60)}
    category = {1: "concert", 2: "theatre", 3: "concert"}
    # (line id, tariff id, event id, unit price in kopecks, qty)
    rows = [
        (101, 11, 1, 350_000, 2),
        (102, 12, 1, 220_000, 3),
        (103, 13, 1, 99_900, 1),
        (104, 21, 2, 180_000, 2),
        (105, 22, 2, 120_050, 1),
        (106, 23, 2, 75_000, 4),
        (107, 31, 3, 500_000, 1),
        (108, 32, 3, 333_333, 2),
        (109, 33, 3, 1, 5),
        (110, 34, 3, 149_999, 3),
    ]
    lines = [
        TicketLine(line, tariff, event, category[event], starts[event], rub(price), qty)
        for line, tariff, event, price, qty in rows
    ]
    codes = [
        PromoCode(code="AUTUMN10", name="Autumn 10 %", discount=PercentOff(1000), min_cart=rub(500_000)),
        PromoCode(code="GALA500", name="Gala 500 off", discount=AmountOff(rub(50_000)), scope=Scope.event(3)),
        PromoCode(
            code="VIP25",
            name="VIP 25 %",
            discount=PercentOff(2500),
            scope=Scope.tariff(31),
            combinable=False,
            max_uses=100,
            uses=40,
            max_uses_per_person=1,
        ),
    ]
    promotions = [
        QuantityPromotion(id=1, name="4+ tickets: 10 %", event_id=1, min_tickets=4, basis_points=1000),
        BundlePromotion(id=2, name="Stalls + balcony", tariff_a=21, tariff_b=23, amount=rub(20_000)),
        EarlyWeekdayPromotion(
            id=3,
            name="Early Tuesday",
            basis_points=333,
            weekdays=frozenset({1}),
            tz=ZoneInfo("Europe/Moscow"),
            days_before=14,
            valid_until=NOW + timedelta(days=7),
        ),
    ]
    membership = Membership(plan="Concert club", basis_points=500, categories=frozenset({"concert"}))
    return {
        "lines": lines,
        "codes": codes,
        "promotions": promotions,
        "membership": membership,
        "now": NOW,
        "currency": RUB,
    }


def _rounds(work: Callable[[], object], runs: int, repeats: int) -> list[float]:
    """Seconds per round of `runs` calls, for each of `repeats` rounds."""
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(runs):
            work()
        seconds.append(time.perf_counter() - started)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    kwargs = cart()
    lines = kwargs["lines"]
    priced = price_cart(**kwargs)
    print(
        f"cart: {len(lines)} lines, {len(kwargs['codes'])} codes, {len(kwargs['promotions'])} promotions, "
        f"a membership; undiscounted {priced.undiscounted.as_decimal()} {RUB}, "
        f"total {priced.total.as_decimal()} {RUB}"
    )
    print("applied: " + "; ".join(f"{rule.name} -{rule.amount.as_decimal()}" for rule in priced.applied))
    print("not applied: " + "; ".join(f"{entry.name} ({entry.reason})" for entry in priced.not_applied))

    def recalculate() -> object:
        return price_cart(**kwargs)

    def list_sum() -> object:
        return total([line.unit_price * line.qty for line in lines], RUB)

    recalculate()
    list_sum()  # warm both
    if hasattr(os, "sched_getaffinity"):
        print(f"cpus available: {len(os.sched_getaffinity(0))}; load average: {os.getloadavg()}")
    pricing = _rounds(recalculate, args.runs, args.repeats)
    baseline = _rounds(list_sum, args.runs, args.repeats)
    best, median = args.runs / min(pricing), args.runs / statistics.median(pricing)
    base_best = args.runs / min(baseline)
    print(f"pricing:  {best:,.0f} recalculations/s best of {args.repeats} (median {median:,.0f})", end="")
    print(f"; {1e6 / best:.1f} µs each")
    print(f"baseline: {base_best:,.0f} list sums/s best of {args.repeats}; {1e6 / base_best:.1f} µs each")
    print(
        f"ratio: a recalculation costs {base_best / best:.1f} list sums; target >= 10,000/s: "
        f"{'met' if best >= 10_000 else 'NOT met'}"
    )
    print(f"load average after: {os.getloadavg()}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.runs):
            recalculate()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
