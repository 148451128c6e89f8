"""Search at 100,000 events: the trigram indexes against a plain LIKE '%q%' scan of the same data.

    python -m bench.search [--events 100000] [--queries 200] [--no-postgres] [--seed 7]

Builds N published events (Russian and English titles, performers and venues, nine categories, starts
spread over a year) in a temporary SQLite file and, when reachable, a temporary PostgreSQL database
(TEST_POSTGRES_DSN or postgres@127.0.0.1:5432), migrated by Alembic. Then, per kind of query, asks
the search service (`CatalogService.search`: what a customer's message costs, saving the search and
correcting a typo included) and a LIKE scan (the search before the trigram indexes: every word as
`search_text LIKE '%w%'`, the same filters, the soonest 20 and the count) the same queries, and prints
p50/p95 in milliseconds and how many times faster the index is. Timing is reported, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import pg
from domain.clock import ManualClock
from domain.event_fields import CATEGORIES
from domain.models import Event, EventStatus, TelegramProfile
from domain.policies import AdminPolicy, HoldPolicy
from domain.search import Query, SearchFilter, normalize, period_range, vocabulary
from domain.services.catalog import COUNT_CAP, PAGE_SIZE, CatalogService
from domain.services.users import UserService
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.repos.catalog import _details, _like_escape
from storage.tables import events, search_words
from storage.uow import UnitOfWorkFactory

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # "this month" is four weeks of the year's events
TZ = ZoneInfo("Europe/Moscow")

GENRES_RU = "концерт вечер спектакль балет опера шоу фестиваль выставка лекция экскурсия мюзикл концерт-лекция".split()
GENRES_EN = "concert night live tour show festival exhibition lecture gala evening session special".split()
WORKS_RU = (
    "лебединое озеро щелкунчик гамлет чайка вишнёвый сад мастер и маргарита ревизор евгений онегин "
    "борис годунов пиковая дама жизель ромео и джульетта кармен травиата тоска богема дон жуан"
).split()
WORKS_EN = "swan lake nutcracker hamlet romeo juliet carmen tosca boheme giselle macbeth othello".split()
FIRST = "иван пётр сергей анна мария ольга дмитрий алексей елена татьяна юлия фёдор".split()
FIRST_EN = "john paul mary kate david mike sarah emma olivia james noah ella".split()
LAST = (
    "иванов петров смирнов кузнецов попов васильев соколов михайлов новиков фёдоров морозов волков "
    "алексеев лебедев семёнов егоров павлов козлов степанов николаев орлов андреев макаров никитин"
).split()
LAST_EN = "smith jones brown taylor wilson davies evans thomas johnson roberts walker wright green hall".split()
BANDS = (
    "ленинград сплин би-2 мумий тролль кино аквариум звери мельница пикник агата кристи нау "
    "radiohead coldplay muse metallica nirvana queen abba depeche mode placebo"
).split()
COMPOSERS = "чайковский рахманинов шостакович прокофьев моцарт бах бетховен шопен вивальди малер".split()
PLACES = "зал театр клуб арена холл сцена дворец центр филармония музей парк лофт".split()
PLACE_ADJ = "большой малый новый старый центральный городской камерный летний зимний северный южный".split()
CITIES = "москва петербург казань екатеринбург новосибирск самара сочи калининград".split()
PLACES_EN = "hall arena club theatre stage gallery park loft".split()
NAMES_EN = "royal grand old new city central crystal golden".split()


def _person(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()}"
    return f"{rng.choice(FIRST_EN).title()} {rng.choice(LAST_EN).title()}"


def _title(rng: random.Random) -> tuple[str, str]:
    """A title and its performers, in one of a dozen shapes seen on ticket sites."""
    shape = rng.randrange(8)
    if shape == 0:
        return f"{rng.choice(GENRES_RU).title()} {rng.choice(BANDS).title()}", rng.choice(BANDS).title()
    if shape == 1:
        work = " ".join(rng.sample(WORKS_RU, rng.randint(1, 3)))
        return f"Спектакль «{work.capitalize()}»", _person(rng)
    if shape == 2:
        composer = rng.choice(COMPOSERS).title()
        return f"{composer}. {rng.choice(GENRES_RU).capitalize()} при свечах", _person(rng)
    if shape == 3:
        return f"{rng.choice(BANDS).title()} — {rng.choice(GENRES_EN)} {rng.randint(2026, 2027)}", ""
    if shape == 4:
        return f"Stand-up: {_person(rng)}", ""
    if shape == 5:
        return f"{' '.join(rng.sample(WORKS_EN, 2)).title()} {rng.choice(GENRES_EN)}", _person(rng)
    if shape == 6:
        return f"Выставка «{rng.choice(PLACE_ADJ).title()} {rng.choice(WORKS_RU)}»", ""
    return f"{rng.choice(GENRES_RU).title()} {rng.choice(WORKS_RU)} и {rng.choice(WORKS_RU)}", _person(rng)


def _venue(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return f"{rng.choice(PLACE_ADJ).title()} {rng.choice(PLACES)}, {rng.choice(CITIES).title()}"
    return f"{rng.choice(NAMES_EN).title()} {rng.choice(PLACES_EN).title()}"


def build(rng: random.Random, count: int) -> list[Event]:
    made = []
    for _ in range(count):
        title, performers = _title(rng)
        start = NOW + timedelta(hours=rng.randint(2, 365 * 24))
        made.append(
            Event(0, title, start, _venue(rng), EventStatus.PUBLISHED, performers, category=rng.choice(CATEGORIES))
        )
    return made


async def load(engine: AsyncEngine, made: list[Event]) -> float:
    started = time.perf_counter()
    words: set[str] = set()
    rows = []
    for event in made:
        values = _details(event) | {"status": event.status.value, "created_at": NOW}
        rows.append(values)
        words |= vocabulary(values["search_text"])
    async with engine.begin() as conn:
        for n in range(0, len(rows), 5000):
            await conn.execute(insert(events), rows[n : n + 5000])
        ordered = sorted(w for w in words if len(w) <= 100)
        for n in range(0, len(ordered), 5000):
            await conn.execute(insert(search_words), [{"word": w} for w in ordered[n : n + 5000]])
    if engine.dialect.name == "postgresql":  # what autovacuum does soon after a load: statistics, visibility
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - started


def _typo(rng: random.Random, word: str) -> str:
    at = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:at] + word[at + 1 :]
    if kind == 1:
        return word[:at] + word[at] + word[at:]
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def queries(rng: random.Random, made: list[Event], n: int) -> dict[str, list[tuple[str, str, SearchFilter]]]:
    """Per kind: (what is typed, what the LIKE scan is asked, filters)."""
    words = [w for e in rng.sample(made, 2000) for w in normalize(e.title).split() if len(w) >= 5 and w.isalpha()]
    kinds: dict[str, list[tuple[str, str, SearchFilter]]] = {}
    kinds["exact word"] = [(w, w, SearchFilter()) for w in rng.sample(words, n)]
    kinds["prefix"] = [(w[:4], w[:4], SearchFilter()) for w in rng.sample(words, n)]
    kinds["two words"] = [
        (f"{normalize(e.title).split()[0]} {normalize(e.venue).split()[-1]}",) * 2 + (SearchFilter(),)
        for e in rng.sample(made, n)
    ]
    kinds["typo"] = [(_typo(rng, w), w, SearchFilter()) for w in rng.sample(words, n)]
    kinds["category"] = [(w, w, SearchFilter(rng.choice(CATEGORIES))) for w in rng.sample(words, n)]
    kinds["category + month"] = [(w, w, SearchFilter(rng.choice(CATEGORIES), "month")) for w in rng.sample(words, n)]
    kinds["title, exact"] = [(e.title, e.title, SearchFilter()) for e in rng.sample(made, n)]
    return kinds


async def like_scan(engine: AsyncEngine, typed: str, filters: SearchFilter) -> int:
    since, until = period_range(filters.period, NOW, TZ)
    where = [events.c.status == EventStatus.PUBLISHED.value, events.c.starts_at > NOW]
    # `|| ''`: the same text, but no trigram index applies (PostgreSQL would use its GIN index for LIKE).
    scanned = events.c.search_text + ""
    where += [scanned.like(f"%{_like_escape(w)}%", escape="\\") for w in normalize(typed).split()]
    if filters.category:
        where.append(events.c.category == filters.category)
    if since:
        where.append(events.c.starts_at >= since)
    if until:
        where.append(events.c.starts_at < until)
    async with engine.connect() as conn:
        total = (await conn.execute(select(func.count()).select_from(events).where(*where))).scalar_one()
        await conn.execute(select(events).where(*where).order_by(events.c.starts_at, events.c.id).limit(20))
    return total


async def timed(calls: list[Callable[[], Awaitable[object]]]) -> list[float]:
    spent = []
    for call in calls:
        started = time.perf_counter()
        await call()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def measure(label: str, engine: AsyncEngine, count: int, per_kind: int, seed: int) -> None:
    rng = random.Random(seed)
    made = build(rng, count)
    seconds = await load(engine, made)
    uow = UnitOfWorkFactory(engine)
    clock = ManualClock(NOW)
    catalog = CatalogService(uow, clock, HoldPolicy(), TZ)
    anna = (await UserService(uow, clock, AdminPolicy()).identify(TelegramProfile(1, "Anna"))).id
    print(f"\n== {label}: {count:,} published events, loaded in {seconds:.0f} s ==")
    print("  milliseconds; query: the repository's search (count + page); service: what a customer's message")
    print("  costs (the search saved, a typo corrected, prices read); scan: LIKE '%w%' per word (count + page)")
    head = f"  {'kind':<16} {'query p50':>9} {'p95':>6} {'service p50':>11} {'p95':>6} {'scan p50':>8} {'p95':>6}"
    print(f"{head} {'scan/query p50':>14} {'p95':>5}  found")
    for kind, asked in queries(rng, made, per_kind).items():
        await catalog.search(anna, asked[0][0], asked[0][2])  # warm the statement caches
        pages: list[int] = []

        async def repo(typed: str, filters: SearchFilter) -> None:
            since, until = period_range(filters.period, NOW, TZ)
            async with uow(write=False) as u:
                query = Query(normalize(typed), filters.category, since, until)
                await u.events.search_published(query, NOW, 0, PAGE_SIZE, COUNT_CAP)

        async def service(typed: str, filters: SearchFilter, found: list[int] = pages) -> None:
            found.append((await catalog.search(anna, typed, filters)).total)

        # The typo kind's query is the corrected one: the repository is asked what the service finally asks.
        query = await timed([lambda s=s, f=f: repo(s, f) for _, s, f in asked])
        served = await timed([lambda t=t, f=f: service(t, f) for t, _, f in asked])
        scan = await timed([lambda s=s, f=f: like_scan(engine, s, f) for _, s, f in asked])
        q50, q95, v50, v95, s50, s95 = (pct(x, p) for x in (query, served, scan) for p in (50, 95))
        print(
            f"  {kind:<16} {q50:>9.1f} {q95:>6.1f} {v50:>11.1f} {v95:>6.1f} {s50:>8.1f} {s95:>6.1f}"
            f" {s50 / q50:>14.1f} {s95 / q95:>5.1f}  median {statistics.median(pages):.0f}"
        )


async def bench_sqlite(count: int, per_kind: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'search.db'}")
        try:
            await upgrade(engine)
            await measure("SQLite (temporary file)", engine, count, per_kind, seed)
        finally:
            await engine.dispose()


async def bench_postgres(count: int, per_kind: int, seed: int) -> None:
    unreachable = await pg.reachable()
    if unreachable is not None:
        print(f"\n== PostgreSQL ==\n  skipped: unreachable ({unreachable})")
        return
    async with pg.temporary_database("ticketbot_search") as (url, engine):
        await measure(pg.describe(url), engine, count, per_kind, seed)


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="per kind of query")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    await bench_sqlite(args.events, args.queries, args.seed)
    if not args.no_postgres:
        await bench_postgres(args.events, args.queries, args.seed)
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
