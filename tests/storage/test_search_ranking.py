"""Search through the databases' trigram indexes, on SQLite and PostgreSQL: exact title matches first,
accents folded, short words, filters by category and by date in the shop's time zone, the index kept
in step with edits and status changes, the total counted up to a cap, typos corrected towards what is on sale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.errors import DateInPast, DateUnreadable, SearchExpired
from domain.models import Event, EventStatus
from domain.policies import HoldPolicy
from domain.search import Query, SearchFilter
from domain.services.catalog import COUNT_CAP, CatalogService
from tests.storage.test_search_rules import Catalog, ids, titles

MOSCOW = ZoneInfo("Europe/Moscow")


class Shop(Catalog):
    def __init__(self, engine, clock) -> None:
        super().__init__(engine, clock)
        self.service = CatalogService(self.uow, clock, HoldPolicy(hold_minutes=15, max_per_order=10), MOSCOW)

    async def at(self, title: str, local: datetime, category: str = "") -> Event:
        """An event starting at a Moscow wall-clock time."""
        days = (local.replace(tzinfo=MOSCOW) - self.clock.now()).total_seconds() / 86400
        return await self.event(title, days=days, category=category)


async def test_exact_title_matches_come_first_then_the_rest_by_date(engine, clock):
    shop = Shop(engine, clock)
    later_exact = await shop.event("Jazz", days=9, venue="Club")
    soon = await shop.event("Jazz night", days=1)
    sooner = await shop.event("Night of jazz", days=0.5)
    exact = await shop.event("JAZZ", days=5)
    anna = await shop.person()
    page = await shop.service.search(anna, "jazz")
    assert ids(page) == [exact.id, later_exact.id, sooner.id, soon.id], titles(page)
    assert page.total == 4


async def test_pages_run_across_the_exact_matches_into_the_rest(engine, clock):
    shop = Shop(engine, clock)
    exact = [await shop.event("Рок", days=30 + n) for n in range(3)]
    rest = [await shop.event(f"Рок-фестиваль {n}", days=1 + n) for n in range(25)]
    anna = await shop.person()
    first = await shop.service.search(anna, "РОК")
    assert (first.total, first.pages) == (28, 2)
    assert ids(first) == [e.id for e in exact] + [e.id for e in rest[:17]]
    second = await shop.service.page(anna, first.search_id, 1)
    assert ids(second) == [e.id for e in rest[17:]]


async def test_accents_case_and_yo_are_folded_but_short_i_is_a_letter_of_its_own(engine, clock):
    shop = Shop(engine, clock)
    cafe = await shop.event("Café Müller", days=1, performers="Björk")
    chaika = await shop.event("Чайка", days=2)
    anna = await shop.person()
    for query in ("cafe muller", "CAFÉ", "bjork", "BJÖRK café"):
        assert ids(await shop.service.search(anna, query)) == [cafe.id], query
    assert ids(await shop.service.search(anna, "ЧАЙКА")) == [chaika.id]
    assert ids(await shop.service.search(anna, "айк")) == [chaika.id]
    assert (await shop.service.search(anna, "чаика")).corrected_from == "чаика", "и is not й: a typo, corrected"


async def test_words_shorter_than_three_letters_match_alone_and_beside_indexed_ones(engine, clock):
    shop = Shop(engine, clock)
    dj = await shop.event("DJ set", days=1, venue="Arena")
    await shop.event("Live set", days=2, venue="Arena")
    anna = await shop.person()
    assert ids(await shop.service.search(anna, "dj")) == [dj.id]
    assert ids(await shop.service.search(anna, "arena dj")) == [dj.id]
    assert ids(await shop.service.search(anna, "j s")) == [dj.id], "'j s' is a substring of 'dj set'"


async def test_the_index_follows_edits_and_status_changes(engine, clock):
    shop = Shop(engine, clock)
    event = await shop.event("Old name", days=3, status=EventStatus.DRAFT)
    anna = await shop.person()
    assert (await shop.service.search(anna, "old name")).total == 0, "a draft is not found"
    async with shop.uow() as u:
        assert await u.events.set_status(event.id, EventStatus.DRAFT, EventStatus.PUBLISHED)
        await u.commit()
    assert ids(await shop.service.search(anna, "old name")) == [event.id], "published: found"
    async with shop.uow() as u:
        event.title = "Brand new"
        await u.events.save_details(event)
        await u.commit()
    assert (await shop.service.search(anna, "old name")).total == 0, "the old title is gone from the index"
    assert ids(await shop.service.search(anna, "brand")) == [event.id]
    async with shop.uow() as u:
        assert await u.events.set_status(event.id, EventStatus.PUBLISHED, EventStatus.CANCELLED)
        await u.commit()
    assert (await shop.service.search(anna, "brand")).total == 0, "cancelled: not found"


async def test_the_category_filter(engine, clock):
    shop = Shop(engine, clock)
    concert = await shop.event("Рахманинов", days=1, category="concert")
    await shop.event("Рахманинов", days=2, category="lecture")
    anna = await shop.person()
    page = await shop.service.search(anna, "рахманинов", SearchFilter(category="concert"))
    assert (ids(page), page.filters) == ([concert.id], SearchFilter(category="concert"))
    everything = await shop.service.search(anna, "", SearchFilter(category="lecture"))
    assert titles(everything) == ["Рахманинов"] and everything.items[0].event.category == "lecture"


async def test_date_filters_begin_and_end_at_moscow_midnights(engine, clock):
    """The clock says Monday 23 November 2026, 15:00 in Moscow (12:00 UTC)."""
    shop = Shop(engine, clock)
    tonight = await shop.at("Show tonight", datetime(2026, 11, 23, 23, 59))
    after_midnight = await shop.at("Show after midnight", datetime(2026, 11, 24, 0, 1))
    friday = await shop.at("Show friday", datetime(2026, 11, 27, 23, 0))
    saturday = await shop.at("Show saturday", datetime(2026, 11, 28, 0, 0))
    sunday = await shop.at("Show sunday", datetime(2026, 11, 29, 23, 59))
    monday = await shop.at("Show next monday", datetime(2026, 11, 30, 0, 0))
    december = await shop.at("Show december", datetime(2026, 12, 1, 0, 0))
    anna = await shop.person()

    async def found(period: str) -> list[int]:
        return ids(await shop.service.search(anna, "show", SearchFilter(period=period)))

    assert await found("today") == [tonight.id]
    assert await found("weekend") == [saturday.id, sunday.id]
    assert await found("month") == [tonight.id, after_midnight.id, friday.id, saturday.id, sunday.id, monday.id]
    assert await found("2026-11-27") == [friday.id]
    assert await found("2026-12-01") == [december.id]
    clock.advance(days=5, hours=6)  # Saturday 28th, 21:00 in Moscow: the weekend is what is left of it
    assert await found("weekend") == [sunday.id]
    assert await found("today") == []


async def test_filters_are_kept_with_the_saved_search_and_its_pages(engine, clock):
    shop = Shop(engine, clock)
    for n in range(22):
        await shop.event(f"Opera {n}", days=1 + n, category="theatre")
    await shop.event("Opera gala", days=2, category="concert")
    anna = await shop.person()
    page = await shop.service.search(anna, "opera", SearchFilter(category="theatre"))
    assert (page.total, page.pages) == (22, 2)
    second = await shop.service.page(anna, page.search_id, 1)
    assert (second.total, second.filters, len(second.items)) == (22, SearchFilter(category="theatre"), 2)
    refined = await shop.service.refine(anna, page.search_id, SearchFilter(category="concert"))
    assert (titles(refined), refined.query, refined.search_id != page.search_id) == (["Opera gala"], "opera", True)
    unfiltered = await shop.service.refine(anna, refined.search_id, SearchFilter())
    assert unfiltered.total == 23 and not unfiltered.filters.active
    assert (await shop.service.page(anna, page.search_id, 0)).total == 22, "the old buttons keep their filter"


async def test_the_total_is_counted_up_to_the_cap(engine, clock):
    shop = Shop(engine, clock)
    await shop.event("Jazz", days=1)
    for n in range(7):
        await shop.event(f"Jazz {n}", days=2 + n)
    now = clock.now()
    async with shop.uow(write=False) as u:
        events, total = await u.events.search_published(Query("jazz"), now, 0, 3, 5)
        assert (len(events), total) == (3, 5), "counted up to 5, the exact match included"
        events, total = await u.events.search_published(Query("jazz"), now, 3, 3, 5)
        assert [e.title for e in events] == ["Jazz 2", "Jazz 3", "Jazz 4"]
        assert (await u.events.search_published(Query("jazz"), now, 0, 3, 100))[1] == 8


async def test_a_typo_is_corrected_towards_a_word_on_sale_rather_than_a_closer_one_off_sale(engine, clock):
    shop = Shop(engine, clock)
    await shop.event("Маузер", days=1, status=EventStatus.DRAFT)
    on_sale = await shop.event("Мауэр", days=2)  # further from "маузр" than маузер, but on sale
    anna = await shop.person()
    page = await shop.service.search(anna, "маузр")
    assert (ids(page), page.query, page.corrected_from) == ([on_sale.id], "мауэр", "маузр")


async def test_typos_are_found_among_many_words(engine, clock):
    """The candidates come from the trigram index, not from a scan of a few thousand events."""
    shop = Shop(engine, clock)
    async with shop.uow() as u:
        for n in range(300):
            start = clock.now() + timedelta(days=1 + n % 50)
            await u.events.add(Event(0, f"Концерт {n} оркестра", start, f"Зал {n}", EventStatus.PUBLISHED))
        await u.commit()
    target = await shop.event("Филармония", days=60)
    anna = await shop.person()
    page = await shop.service.search(anna, "филормания")
    assert (ids(page), page.query) == ([target.id], "филармония")
    assert datetime(2026, 11, 23, 12, tzinfo=UTC) == clock.now()


async def test_the_service_counts_up_to_200_and_says_there_are_more(engine, clock):
    shop = Shop(engine, clock)
    async with shop.uow() as u:
        for n in range(COUNT_CAP + 1):
            start = clock.now() + timedelta(hours=1 + n)
            await u.events.add(Event(0, f"Концерт {n}", start, "Зал", EventStatus.PUBLISHED))
        await u.commit()
    anna = await shop.person()
    page = await shop.service.search(anna, "концерт")
    assert (page.total, page.capped, page.pages) == (COUNT_CAP, True, COUNT_CAP // 20)
    last = await shop.service.page(anna, page.search_id, page.pages - 1)
    assert [i.event.title for i in last.items][-1] == f"Концерт {COUNT_CAP - 1}", "the last page that is counted"
    fewer = await shop.service.search(anna, "концерт 1")  # a 1 anywhere: 1, 10-19, 21...91, 100-199
    assert (fewer.total, fewer.capped) == (1 + 10 + 8 + 100, False)


async def test_a_typed_day_narrows_a_saved_search_and_keeps_its_category(engine, clock):
    shop = Shop(engine, clock)
    on_day = await shop.at("Jazz on the 27th", datetime(2026, 11, 27, 19, 0), category="concert")
    await shop.at("Jazz lecture on the 27th", datetime(2026, 11, 27, 20, 0), category="lecture")
    await shop.at("Jazz on the 28th", datetime(2026, 11, 28, 19, 0), category="concert")
    anna, boris = await shop.person(1), await shop.person(2)
    first = await shop.service.search(anna, "jazz", SearchFilter(category="concert"))
    assert await shop.service.query_of(anna, first.search_id) == ("jazz", SearchFilter(category="concert"))
    page = await shop.service.on_day(anna, first.search_id, "27 ноября")
    assert (ids(page), page.filters) == ([on_day.id], SearchFilter("concert", "2026-11-27"))
    assert page.search_id != first.search_id and page.query == "jazz"
    assert await shop.service.query_of(anna, page.search_id) == ("jazz", SearchFilter("concert", "2026-11-27"))
    assert ids(await shop.service.on_day(anna, first.search_id, "23.11")) == [], "today counts; nothing left today"
    for typed, error in (("31.02", DateUnreadable), ("22.11.2026", DateInPast), ("x" * 500, DateUnreadable)):
        with pytest.raises(error):
            await shop.service.on_day(anna, first.search_id, typed)
    for call in (shop.service.on_day(boris, first.search_id, "27.11"), shop.service.query_of(boris, 999)):
        with pytest.raises(SearchExpired):
            await call
