"""Cart recalculation cost: `domain.pricing.price_cart` on a busy cart, against just summing its list prices.

    python -m bench.pricing [--runs 2000] [--repeats 30] [--profile]

The cart is recalculated on every press of a cart button, so pricing must stay cheap (issue 11: at least
10,000 recalculations per second on one core). The cart: 10 lines over 3 events (4 categories of price),
3 typed codes (a combinable percent off the cart, a combinable fixed amount off one event, a non-combinable
percent off one tariff that loses to the stack), 3 automatic promotions (4+ tickets of an event, a bundle
of two tariffs, an early weekday discount) and a membership covering concerts. Pure CPU, one thread.

Each of --repeats rounds times --runs recalculations, then as many of the baseline: what the cart did before
pricing existed, the sum of the lines' list subtotals as `Money`. The figure is per second of CPU time of this
process (the target is per core, and the machine is shared: wall-clock time also counts the moments other
processes had the core), the median round, with the best round and the wall-clock rates beside it. --profile
prints cProfile's top functions of one more round. Timing is reported, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
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


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


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


def _rounds(works: dict[str, Callable[[], object]], runs: int, repeats: int) -> dict[str, dict[str, list[float]]]:
    """Seconds per round of `runs` calls of each work, CPU and wall clock, `repeats` rounds each. The works take
    turns round by round, so that whatever else the shared machine does falls on all of them alike."""
    seconds: dict[str, dict[str, list[float]]] = {name: {"cpu": [], "wall": []} for name in works}
    for _ in range(repeats):
        for name, work in works.items():
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(runs):
                work()
            seconds[name]["cpu"].append(time.process_time() - cpu)
            seconds[name]["wall"].append(time.perf_counter() - wall)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=30)
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
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{platform.python_implementation()} {platform.python_version()}, {cpus} cpus; load {_load()}")
    seconds = _rounds({"pricing": recalculate, "list sum": list_sum}, args.runs, args.repeats)
    rate = {}
    for name, clocks in seconds.items():
        cpu_best, cpu_median = args.runs / min(clocks["cpu"]), args.runs / statistics.median(clocks["cpu"])
        wall_best, wall_median = args.runs / min(clocks["wall"]), args.runs / statistics.median(clocks["wall"])
        rate[name] = cpu_median
        print(
            f"{name:>9}: {cpu_median:>9,.0f}/s per CPU second, median of {args.repeats} rounds of {args.runs} "
            f"(best {cpu_best:,.0f}; {1e6 / cpu_median:.1f} µs each); wall clock: median {wall_median:,.0f}/s, "
            f"best {wall_best:,.0f}/s"
        )
    verdict = "met" if rate["pricing"] >= 10_000 else "NOT met"
    ratio = rate["list sum"] / rate["pricing"]
    print(f"ratio: a recalculation costs {ratio:.1f} list sums; target >= 10,000/s on one core: {verdict}")
    print(f"load after: {_load()}")

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
