"""Search rules a mutation pass found unpinned, on SQLite and PostgreSQL: what a customer types is taken
as typed (quotes included, several words in inline mode), typo candidates are the words nearest by
trigrams (not the first ones that share one), a typed day is read in the shop's time zone from at most
its first 40 characters, and an inline offset we never hand out starts over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import DateInPast, DateUnreadable
from domain.models import Event, EventStatus
from domain.search import Query, SearchFilter
from tests.storage.test_search_ranking import Shop
from tests.storage.test_search_rules import ids


async def test_quotes_in_a_query_are_looked_for_as_typed_and_a_typo_with_one_is_corrected(engine, clock):
    shop = Shop(engine, clock)
    quoted = await shop.event('Концерт "Маузер"', days=1)
    await shop.event("Маузер solo", days=2)
    anna = await shop.person()

    for typed in ('"маузер"', 'маузер"', '"маузер'):
        page = await shop.service.search(anna, typed)
        assert (ids(page), page.corrected_from) == ([quoted.id], None), f"{typed}: the quotes are looked for too"

    page = await shop.service.search(anna, 'мау"зр')  # nothing has it: corrected towards a word on sale
    assert (page.query, page.corrected_from, page.total) == ("маузер", 'мау"зр', 2)


async def test_typo_candidates_are_the_words_nearest_by_trigrams_not_the_first_that_share_one(engine, clock):
    """60 words share two trigrams with the typo and were learnt first; the intended word shares four."""
    shop = Shop(engine, clock)
    async with shop.uow() as u:
        for n in range(60):
            start = clock.now() + timedelta(days=1 + n)
            await u.events.add(Event(0, f"фил{n:03d}", start, "Зал", EventStatus.PUBLISHED))
        await u.commit()
    target = await shop.event("Филармония", days=70)
    page = await shop.service.search(await shop.person(), "филормания")
    assert (ids(page), page.query, page.corrected_from) == ([target.id], "филармония", "филормания")


async def test_inline_mode_finds_every_word_of_a_query_of_several(engine, clock):
    shop = Shop(engine, clock)
    both = await shop.event("Jazz night", days=1)
    await shop.event("Jazz morning", days=2)
    items, following = await shop.service.inline("jazz   NIGHT", "")
    assert ([i.event.id for i in items], following) == ([both.id], "")


async def test_an_inline_offset_of_six_digits_or_more_starts_over(engine, clock):
    """We hand out offsets below the 200 counted; a longer one is forged or garbage: the first page."""
    shop = Shop(engine, clock)
    first = await shop.event("Jazz", days=1)
    for offset in ("100000", "999999", "1234567"):
        items, _ = await shop.service.inline("jazz", offset)
        assert [i.event.id for i in items] == [first.id], offset
    assert (await shop.service.inline("jazz", "99999")) == ([], ""), "five digits are an offset: past the end"


async def test_a_typed_day_is_read_in_the_shops_time_zone(engine, clock):
    """At 22:00 UTC on the 23rd it is already 01:00 on the 24th in Moscow: the 23rd is over there."""
    shop = Shop(engine, clock)
    clock.set(datetime(2026, 11, 23, 22, 0, tzinfo=UTC))
    late = await shop.event("Jazz late", days=0.5)  # 24 November, 10:00 UTC
    anna = await shop.person()
    first = await shop.service.search(anna, "jazz")
    with pytest.raises(DateInPast):
        await shop.service.on_day(anna, first.search_id, "23.11.2026")
    page = await shop.service.on_day(anna, first.search_id, "24.11")
    assert (ids(page), page.filters) == ([late.id], SearchFilter(None, "2026-11-24"))


async def test_a_typed_day_is_read_from_its_first_40_characters(engine, clock):
    shop = Shop(engine, clock)
    await shop.event("Jazz", days=5)
    anna = await shop.person()
    first = await shop.service.search(anna, "jazz")
    fits = "27" + " " * 35 + "ноя"  # 40 characters: the 27th of November
    page = await shop.service.on_day(anna, first.search_id, fits)
    assert page.filters == SearchFilter(None, "2026-11-27")
    page = await shop.service.on_day(anna, first.search_id, fits + "брь 2026 г., вечером")
    assert page.filters == SearchFilter(None, "2026-11-27"), "what follows the 40th character is not read"
    cut = "27" + " " * 36 + "ноя"  # 41 characters: the month is cut to "но"
    with pytest.raises(DateUnreadable):
        await shop.service.on_day(anna, first.search_id, cut)


async def test_events_starting_together_keep_the_order_they_were_added_after_an_edit(engine, clock):
    """A retitled event gets a new row on PostgreSQL's disk (and new index entries): the order of events
    starting together is still the order they were added in."""
    shop = Shop(engine, clock)
    exact = [await shop.event("Jazz", days=3) for _ in range(3)]
    rest = [await shop.event(f"Jazz night {n}", days=2) for n in range(3)]
    for event in (exact[0], rest[0]):
        title = event.title
        for retitled in (f"{title} (moved)", title):
            async with shop.uow() as u:
                event.title = retitled
                await u.events.save_details(event)
                await u.commit()
    page = await shop.service.search(await shop.person(), "jazz")
    assert ids(page) == [e.id for e in exact] + [e.id for e in rest]


async def test_the_exact_matches_count_towards_the_cap_and_a_page_past_the_total_is_empty(engine, clock):
    """The repository is asked for a page and a total counted up to a cap (the service's 200, here 5)."""
    shop = Shop(engine, clock)
    for n in range(6):
        await shop.event("Jazz", days=1 + n)
    for n in range(6):
        await shop.event(f"Jazz night {n}", days=10 + n)
    now = clock.now()
    async with shop.uow(write=False) as u:
        events, total = await u.events.search_published(Query("jazz"), now, 0, 3, 5)
        assert (len(events), total) == (3, 5), "six exact matches are counted as the cap"
        for offset in (5, 10):
            assert await u.events.search_published(Query("jazz"), now, offset, 3, 5) == ([], 5), (
                f"offset {offset}: a page past the counted total is empty"
            )
