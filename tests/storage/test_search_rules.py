"""Search rules at the service level, on SQLite and PostgreSQL.

What a customer finds: only published events that have not started, every word of the query in the title,
performers, venue or category (case- and ё-insensitive, `%` and `_` taken literally), soonest first,
20 to a page; a page past the end shows the last one. A query that finds nothing is corrected against
the words of what is on sale ("маузр" → "маузер") when that finds something. Page buttons name a saved
search that belongs to the one who searched and lives two days.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import SearchExpired
from domain.models import Event, EventStatus, TelegramProfile, TicketType
from domain.money import Money
from domain.policies import AdminPolicy, HoldPolicy
from domain.search import SearchFilter
from domain.services.catalog import CatalogService
from domain.services.users import UserService
from storage.uow import UnitOfWorkFactory


class Catalog:
    def __init__(self, engine, clock) -> None:
        self.clock = clock
        self.uow = UnitOfWorkFactory(engine)
        self.service = CatalogService(self.uow, clock, HoldPolicy(hold_minutes=15, max_per_order=10))
        self.users = UserService(self.uow, clock, AdminPolicy())

    async def person(self, telegram_id: int = 1) -> int:
        return (await self.users.identify(TelegramProfile(telegram_id, f"P{telegram_id}"))).id

    async def event(
        self,
        title: str,
        *,
        days: float = 10,
        status: EventStatus = EventStatus.PUBLISHED,
        venue: str = "Hall",
        performers: str = "",
        category: str = "",
        tariffs: tuple[tuple[int, int], ...] = (),
    ) -> Event:
        """An event `days` from now with tariffs given as (price in minor units, quantity)."""
        async with self.uow() as u:
            event = await u.events.add(
                Event(
                    0,
                    title,
                    self.clock.now() + timedelta(days=days),
                    venue,
                    status,
                    performers=performers,
                    category=category,
                )
            )
            for n, (price, quantity) in enumerate(tariffs):
                await u.events.add_ticket_type(TicketType(0, event.id, f"T{n}", Money(price, "RUB"), quantity))
            await u.commit()
        return event

    async def events(self, title: str, count: int) -> list[Event]:
        """`count` events with the same title, a day apart, in the order search should list them."""
        return [await self.event(title, days=1 + n) for n in range(count)]


def titles(page) -> list[str]:
    return [item.event.title for item in page.items]


def ids(page) -> list[int]:
    return [item.event.id for item in page.items]


# ---------------------------------------------------------------- pages


async def test_results_come_20_to_a_page_soonest_first_and_a_page_past_the_end_shows_the_last(engine, clock):
    shop = Catalog(engine, clock)
    jazz = await shop.events("Jazz night", 25)
    await shop.event("Rock night")
    anna = await shop.person()

    first = await shop.service.search(anna, "jazz")
    assert (first.total, first.pages, first.page) == (25, 2, 0), "25 results make 2 pages of 20"
    assert ids(first) == [e.id for e in jazz[:20]], "the first page holds the 20 soonest, soonest first"
    assert first.query == "jazz" and first.corrected_from is None

    second = await shop.service.page(anna, first.search_id, 1)
    assert (second.search_id, second.query, second.total, second.pages, second.page) == (
        first.search_id,
        "jazz",
        25,
        2,
        1,
    )
    assert ids(second) == [e.id for e in jazz[20:]], "the second page holds the other 5"

    for past_the_end in (2, 7):
        last = await shop.service.page(anna, first.search_id, past_the_end)
        assert (last.page, last.pages, last.total) == (1, 2, 25), f"page {past_the_end} of 2 shows the last page"
        assert ids(last) == [e.id for e in jazz[20:]], "a page past the end lists the last page's events"

    before = await shop.service.page(anna, first.search_id, -3)
    assert (before.page, ids(before)) == (0, ids(first)), "a negative page is the first page"


async def test_exactly_20_results_are_one_page_and_nothing_found_is_one_empty_page(engine, clock):
    shop = Catalog(engine, clock)
    await shop.events("Jazz night", 20)
    anna = await shop.person()

    full = await shop.service.search(anna, "jazz")
    assert (full.total, full.pages, full.page, len(full.items)) == (20, 1, 0, 20)
    again = await shop.service.page(anna, full.search_id, 1)
    assert (again.page, again.pages, len(again.items)) == (0, 1, 20), "page 2 of 1 is page 1"

    nothing = await shop.service.search(anna, "opera")
    assert (nothing.total, nothing.pages, nothing.page, nothing.items) == (0, 1, 0, [])
    assert (await shop.service.page(anna, nothing.search_id, 4)).page == 0, "no results: page 0 whatever asked"


async def test_events_starting_at_the_same_moment_are_listed_in_the_order_they_were_added(engine, clock):
    shop = Catalog(engine, clock)
    later = await shop.event("Jazz B", days=3)
    same = [await shop.event(f"Jazz {n}", days=2) for n in range(3)]
    page = await shop.service.search(await shop.person(), "jazz")
    assert ids(page) == [e.id for e in same] + [later.id]


# ---------------------------------------------------------------- what is found


async def test_only_published_events_that_have_not_started_are_found(engine, clock):
    shop = Catalog(engine, clock)
    shown = await shop.event("Jazz on sale", days=1)
    await shop.event("Jazz draft", status=EventStatus.DRAFT)
    await shop.event("Jazz cancelled", status=EventStatus.CANCELLED)
    await shop.event("Jazz starting now", days=1 / 24)
    anna = await shop.person()
    clock.advance(hours=1)  # "starting now" starts this very moment

    page = await shop.service.search(anna, "jazz")
    assert ids(page) == [shown.id], f"only the published, not yet started event is found, got {titles(page)}"
    assert page.total == 1


async def test_every_word_must_match_somewhere_in_title_performers_venue_or_category(engine, clock):
    shop = Catalog(engine, clock)
    both = await shop.event("Ёлка", days=1, performers="Маузер", venue="Таганка", category="Concert")
    await shop.event("Маузер solo", days=2, venue="Arena")
    anna = await shop.person()

    assert ids(await shop.service.search(anna, "МАУЗЕР таганка")) == [both.id], "all words must match"
    assert ids(await shop.service.search(anna, "елка")) == [both.id], "ё and е are the same letter"
    assert ids(await shop.service.search(anna, "concert")) == [both.id], "the category is searched"
    assert len((await shop.service.search(anna, "маузер")).items) == 2, "performers and title are searched"
    assert ids(await shop.service.search(anna, "  таганка   ёлка  ")) == [both.id], "word order does not matter"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("100%", ["Sale 100% off"]),
        ("0%", ["Sale 100% off"]),
        ("a_b", ["Code a_b"]),
        ("x\\y", ["Path x\\y"]),
    ],
)
async def test_percent_underscore_and_backslash_are_taken_literally(engine, clock, query, found):
    shop = Catalog(engine, clock)
    await shop.event("Sale 100% off", days=1)
    await shop.event("Sale 1000 off", days=2)
    await shop.event("Code a_b", days=3)
    await shop.event("Code axb", days=4)
    await shop.event("Path x\\y", days=5)
    await shop.event("Path xy", days=6)
    page = await shop.service.search(await shop.person(), query)
    assert titles(page) == found, f"{query!r} is matched literally, not as a LIKE pattern"


async def test_an_empty_query_lists_everything_on_sale(engine, clock):
    shop = Catalog(engine, clock)
    events = await shop.events("Anything", 3)
    page = await shop.service.search(await shop.person(), "   ")
    assert (ids(page), page.total, page.query) == ([e.id for e in events], 3, "")


async def test_each_result_shows_its_price_range_and_what_is_left(engine, clock):
    shop = Catalog(engine, clock)
    tariffs = await shop.event("Jazz tariffs", days=1, tariffs=((300_00, 5), (100_00, 2), (900_00, 1), (500_00, 4)))
    bare = await shop.event("Jazz bare", days=2)
    async with shop.uow() as u:  # some of the 100.00 tickets are held, one 900.00 sold
        _, cheapest, dearest, _ = await u.events.ticket_types(tariffs.id)
        assert await u.inventory.hold(cheapest.id, 2)
        assert await u.inventory.hold(dearest.id, 1) and await u.inventory.sell_held(dearest.id, 1)
        await u.commit()

    page = await shop.service.search(await shop.person(), "jazz")
    with_tariffs, without = page.items
    assert (with_tariffs.price_from, with_tariffs.price_to) == (Money(100_00, "RUB"), Money(900_00, "RUB")), (
        "a result shows the cheapest and the dearest tariff, whatever their order"
    )
    assert with_tariffs.available == 5 + 4, "held and sold tickets are not available"
    assert without.event.id == bare.id
    assert (without.price_from, without.price_to, without.available) == (None, None, 0), "no tariffs: no prices"


# ---------------------------------------------------------------- typos


async def test_a_typo_is_corrected_when_the_corrected_query_finds_something(engine, clock):
    shop = Catalog(engine, clock)
    mauzer = await shop.event("Маузер", days=1, venue="Таганка")
    jazz = await shop.event("Jazz night", days=2, venue="Club")
    anna = await shop.person()

    page = await shop.service.search(anna, "Маузр")
    assert ids(page) == [mauzer.id], "маузр is corrected to маузер"
    assert (page.query, page.corrected_from, page.total) == ("маузер", "Маузр", 1)
    assert ids(await shop.service.page(anna, page.search_id, 0)) == [mauzer.id], "its buttons page the correction"

    page = await shop.service.search(anna, "jaz  nigth")
    assert ids(page) == [jazz.id], "every misspelt word is corrected"
    assert (page.query, page.corrected_from) == ("jazz night", "jaz nigth")

    page = await shop.service.search(anna, "jazz nigth")
    assert (ids(page), page.query) == ([jazz.id], "jazz night"), "a correct word is kept beside a corrected one"


async def test_words_shorter_than_three_letters_are_not_corrected_towards(engine, clock):
    shop = Catalog(engine, clock)
    rock = await shop.event("Рок", days=1, venue="DJ")
    anna = await shop.person()

    page = await shop.service.search(anna, "рокк")
    assert (ids(page), page.query) == ([rock.id], "рок"), "a three-letter word of what is on sale is a correction"
    page = await shop.service.search(anna, "djx")
    assert (page.total, page.corrected_from, page.query) == (0, None, "djx"), "a two-letter word is not"


async def test_a_word_too_far_from_any_word_on_sale_is_not_corrected(engine, clock):
    shop = Catalog(engine, clock)
    await shop.event("Маузер", days=1)
    anna = await shop.person()
    page = await shop.service.search(anna, "малер")  # similarity to маузер 0.73, below 0.75
    assert (page.total, page.corrected_from, page.query, page.items) == (0, None, "малер", [])
    assert (await shop.service.page(anna, page.search_id, 0)).query == "малер", "the buttons page the query as typed"


async def test_a_correction_that_still_finds_nothing_shows_the_query_as_typed(engine, clock):
    shop = Catalog(engine, clock)
    await shop.event("Маузер", days=1, venue="Hall")
    await shop.event("Таганка", days=2, venue="Club")
    anna = await shop.person()
    page = await shop.service.search(anna, "маузр таганк")  # both words exist, never in the same event
    assert (page.total, page.corrected_from, page.query) == (0, None, "маузр таганк")
    assert (await shop.service.page(anna, page.search_id, 0)).query == "маузр таганк"


async def test_corrections_come_only_from_what_is_on_sale(engine, clock):
    shop = Catalog(engine, clock)
    await shop.event("Маузер", status=EventStatus.DRAFT)
    await shop.event("Маузер", days=1 / 24)
    clock.advance(hours=1)
    page = await shop.service.search(await shop.person(), "маузр")
    assert (page.total, page.corrected_from, page.query) == (0, None, "маузр"), (
        "the words of drafts and started events do not correct a query"
    )


async def test_a_closer_word_that_finds_nothing_gives_way_to_the_next_nearest(engine, clock):
    shop = Catalog(engine, clock)
    await shop.event("Мастер", status=EventStatus.DRAFT)
    mauzer = await shop.event("Маузер", days=1)
    page = await shop.service.search(await shop.person(), "маустер")  # мастер 0.92 (a draft), маузер 0.77
    assert (ids(page), page.query, page.corrected_from) == ([mauzer.id], "маузер", "маустер")


async def test_a_correction_the_filters_would_empty_gives_way_to_one_they_keep(engine, clock):
    shop = Catalog(engine, clock)
    await shop.event("Мастер", days=1, category="theatre")
    mauzer = await shop.event("Маузер", days=2, category="concert")
    anna = await shop.person()
    page = await shop.service.search(anna, "маустер", SearchFilter("concert"))
    assert (ids(page), page.query) == ([mauzer.id], "маузер"), "мастер is nearer, but no concert holds it"
    page = await shop.service.search(anna, "маустер")
    assert page.query == "мастер", "without the filter the nearest word wins"


async def test_at_most_three_misspelt_words_are_corrected(engine, clock):
    shop = Catalog(engine, clock)
    final = await shop.event("Маузер Таганка Оркестр Финал", days=1)
    anna = await shop.person()
    page = await shop.service.search(anna, "маузр таганк оркестрр финал")
    assert (ids(page), page.query) == ([final.id], "маузер таганка оркестр финал")
    page = await shop.service.search(anna, "маузр таганк оркестрр финл")
    assert (page.total, page.corrected_from, page.query) == (0, None, "маузр таганк оркестрр финл"), (
        "four unknown words are a line of their own, not typos"
    )


# ---------------------------------------------------------------- saved searches


async def test_the_query_is_kept_as_typed_with_spaces_collapsed_and_at_most_100_characters(engine, clock):
    shop = Catalog(engine, clock)
    anna = await shop.person()
    page = await shop.service.search(anna, "  Jazz \n  Night  ")
    assert page.query == "Jazz Night"
    assert (await shop.service.page(anna, page.search_id, 0)).query == "Jazz Night"

    page = await shop.service.search(anna, "a" * 98 + " bcd")
    assert page.query == "a" * 98 + " b", "the query is cut at 100 characters"
    assert (await shop.service.page(anna, page.search_id, 0)).query == "a" * 98 + " b"


async def test_a_search_pages_only_for_the_one_who_searched(engine, clock):
    shop = Catalog(engine, clock)
    await shop.event("Jazz", days=1)
    anna, bob = await shop.person(1), await shop.person(2)
    page = await shop.service.search(anna, "jazz")
    with pytest.raises(SearchExpired):
        await shop.service.page(bob, page.search_id, 0)
    with pytest.raises(SearchExpired):
        await shop.service.page(anna, page.search_id + 100, 0)
    assert (await shop.service.page(anna, page.search_id, 0)).total == 1


async def test_saved_searches_live_exactly_two_days(engine, clock):
    shop = Catalog(engine, clock)
    anna = await shop.person()
    old = await shop.service.search(anna, "one")
    clock.advance(seconds=1)
    newer = await shop.service.search(anna, "two")
    clock.advance(days=2)  # `old` is 2 days and a second old, `newer` exactly 2 days
    assert await shop.service.prune_searches() == 1
    with pytest.raises(SearchExpired):
        await shop.service.page(anna, old.search_id, 0)
    assert (await shop.service.page(anna, newer.search_id, 0)).query == "two", "exactly two days old is kept"
    assert await shop.service.prune_searches() == 0
    clock.advance(seconds=1)
    assert await shop.service.prune_searches() == 1


async def test_a_saved_query_is_cut_to_the_200_characters_its_column_holds(engine, clock):
    shop = Catalog(engine, clock)
    anna = await shop.person()
    async with shop.uow() as u:
        search_id = await u.searches.save(anna, "q" * 250, SearchFilter("concert", "2026-12-25"), clock.now())
        bare = await u.searches.save(anna, "q", SearchFilter(), clock.now())
        await u.commit()
    async with shop.uow(write=False) as u:
        assert await u.searches.get(search_id) == (anna, "q" * 200, SearchFilter("concert", "2026-12-25"))
        assert await u.searches.get(bare) == (anna, "q", SearchFilter())
