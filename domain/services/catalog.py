"""Finding events and showing what is on sale."""

from __future__ import annotations

import difflib
import math
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from domain.clock import Clock
from domain.errors import EventNotFound, SearchExpired
from domain.models import Event, EventStatus, TicketType
from domain.money import Money
from domain.policies import HoldPolicy
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.search import Query, SearchFilter, normalize, parse_day, period_range
from domain.views import EventCard, EventSummary, SearchPage, TariffOffer

PAGE_SIZE = 20
MAX_QUERY = 100
COUNT_CAP = 200  # "more than 200 events": ten pages is more than anyone turns in a chat; filters narrow it
CANDIDATES = 50
CLOSE_WORDS = 3  # corrections tried per word, nearest first
MAX_TYPOS = 3
SEARCH_TTL = timedelta(days=2)  # page buttons of an older search say it expired


def price_range(types: list[TicketType]) -> tuple[Money | None, Money | None]:
    prices = [t.price for t in types]
    if not prices:
        return None, None
    return min(prices, key=lambda m: m.minor), max(prices, key=lambda m: m.minor)


INLINE_PAGE = 20  # Telegram shows up to 50 per answer; 20 keeps each answer quick


class CatalogService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, policy: HoldPolicy, tz: ZoneInfo = ZoneInfo("UTC")
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy
        self._tz = tz  # where "today" and "this weekend" begin and end

    async def search(self, user_id: int, query: str, filters: SearchFilter = SearchFilter()) -> SearchPage:
        """Save the query so page buttons can carry a short id instead of the text (64-byte limit)."""
        typed = " ".join(query.split())[:MAX_QUERY]
        page = await self._first_page(0, typed, filters)  # saved once it is known which query is shown
        if not page.total:
            for suggestion in await self._corrections(normalize(typed)):
                corrected = await self._first_page(0, suggestion, filters)
                if corrected.total:
                    page = replace(corrected, corrected_from=typed)
                    break
        return replace(page, search_id=await self._save(user_id, page.query, filters))

    async def refine(self, user_id: int, search_id: int, filters: SearchFilter) -> SearchPage:
        """The same query with other filters, saved anew: the old message's buttons keep meaning what they said."""
        saved = await self._saved(user_id, search_id)
        return await self._first_page(await self._save(user_id, saved[1], filters), saved[1], filters)

    async def on_day(self, user_id: int, search_id: int, typed: str) -> SearchPage:
        """The search narrowed to a day the customer typed (DateUnreadable, DateInPast), its category kept."""
        day = parse_day(typed[:40], self._tz, self._clock.now())
        _, query, filters = await self._saved(user_id, search_id)
        filters = SearchFilter(filters.category, day.isoformat())
        return await self._first_page(await self._save(user_id, query, filters), query, filters)

    async def query_of(self, user_id: int, search_id: int) -> tuple[str, SearchFilter]:
        _, query, filters = await self._saved(user_id, search_id)
        return query, filters

    async def _saved(self, user_id: int, search_id: int) -> tuple[int, str, SearchFilter]:
        async with self._uow(write=False) as uow:
            saved = await uow.searches.get(search_id)
        if saved is None or saved[0] != user_id:
            raise SearchExpired()
        return saved

    async def _save(self, user_id: int, query: str, filters: SearchFilter) -> int:
        async with self._uow() as uow:
            search_id = await uow.searches.save(user_id, query, filters, self._clock.now())
            await uow.commit()
        return search_id

    async def _corrections(self, needle: str) -> list[str]:
        """Small typos ("маузр", "jaz nigth") corrected towards indexed words, best first; a known word is
        kept. The caller shows the first that finds something: a draft's closer word is passed over, and a
        correction is never offered that the customer's filters would empty anyway."""
        words = needle.split()
        async with self._uow(write=False) as uow:
            known = await uow.events.known_words(words)
            unknown = [i for i, word in enumerate(words) if word not in known]
            if not unknown or len(unknown) > MAX_TYPOS:  # a line of unknown words is not a typo
                return []
            options = {}
            for i in unknown:
                candidates = await uow.events.word_candidates(words[i], CANDIDATES)
                options[i] = difflib.get_close_matches(words[i], candidates, n=CLOSE_WORDS, cutoff=0.75)
        best = [options[i][0] if options.get(i) else word for i, word in enumerate(words)]
        suggestions = [best]  # each word's nearest; then one word at a time its next nearest
        for i, close in options.items():
            suggestions += [[*best[:i], other, *best[i + 1 :]] for other in close[1:]]
        return [" ".join(s) for s in suggestions[: CLOSE_WORDS + 1] if s != words]

    async def _first_page(self, search_id: int, shown: str, filters: SearchFilter) -> SearchPage:
        async with self._uow(write=False) as uow:
            return await self._page(uow, search_id, shown, filters, 0)

    async def page(self, user_id: int, search_id: int, page: int) -> SearchPage:
        _, shown, filters = await self._saved(user_id, search_id)
        async with self._uow(write=False) as uow:
            return await self._page(uow, search_id, shown, filters, page)

    def _query(self, shown: str, filters: SearchFilter) -> Query:
        since, until = period_range(filters.period, self._clock.now(), self._tz)
        return Query(normalize(shown), filters.category, since, until)

    async def _page(self, uow: UnitOfWork, search_id: int, shown: str, filters: SearchFilter, page: int) -> SearchPage:
        now = self._clock.now()
        query = self._query(shown, filters)
        page = max(page, 0)
        events, total = await uow.events.search_published(query, now, page * PAGE_SIZE, PAGE_SIZE, COUNT_CAP)
        pages = max(math.ceil(total / PAGE_SIZE), 1)
        if page >= pages:  # a button of a page that is gone (fewer results now): the last page there is
            page = pages - 1
            events, total = await uow.events.search_published(query, now, page * PAGE_SIZE, PAGE_SIZE, COUNT_CAP)
        items = await self._summaries(uow, events)
        return SearchPage(search_id, shown, items, page, pages, total, filters=filters, capped=total >= COUNT_CAP)

    async def _summaries(self, uow: UnitOfWork, events: list[Event]) -> list[EventSummary]:
        types = await uow.events.ticket_types_for([e.id for e in events])
        items = []
        for event in events:
            tts = types.get(event.id, [])
            low, high = price_range(tts)
            items.append(EventSummary(event, low, high, sum(t.available for t in tts)))
        return items

    async def inline(self, query: str, offset: str) -> tuple[list[EventSummary], str]:
        """Inline mode: events matching `query` (the nearest first when empty), a page at a time; the next
        page's offset, or "" at the end. No search is saved: inline results carry no buttons to page."""
        position = int(offset) if offset.isdigit() and len(offset) < 6 else 0
        needle = normalize(" ".join(query.split())[:MAX_QUERY])
        async with self._uow(write=False) as uow:
            events, total = await uow.events.search_published(
                Query(needle), self._clock.now(), position, INLINE_PAGE, COUNT_CAP
            )
            items = await self._summaries(uow, events)
        following = position + len(events)
        return items, str(following) if following < total else ""

    async def prune_searches(self) -> int:
        """Saved searches live as long as the buttons that name them are worth pressing."""
        async with self._uow() as uow:
            pruned = await uow.searches.prune(self._clock.now() - SEARCH_TTL)
            await uow.commit()
        return pruned

    async def event_card(self, event_id: int) -> EventCard:
        now = self._clock.now()
        async with self._uow(write=False) as uow:
            event = await uow.events.get(event_id)
            if event is None or event.status is not EventStatus.PUBLISHED:
                raise EventNotFound()
            types = await uow.events.ticket_types(event_id)
        offers = [self._offer(event, t, now) for t in types]
        low, high = price_range(types)
        return EventCard(event, offers, low, high, sum(t.available for t in types), self._policy.hold_minutes)

    async def tariff(self, ticket_type_id: int) -> tuple[Event, TariffOffer]:
        now = self._clock.now()
        async with self._uow(write=False) as uow:
            tt = await uow.events.ticket_type(ticket_type_id)
            if tt is None:
                raise EventNotFound()
            event = await uow.events.get(tt.event_id)  # a tariff's event always exists (foreign key)
        if event.status is not EventStatus.PUBLISHED:
            raise EventNotFound()
        return event, self._offer(event, tt, now)

    def _offer(self, event: Event, tt: TicketType, now) -> TariffOffer:
        """For a published event (both callers refuse any other)."""
        if tt.sales_start is not None and now < tt.sales_start:
            reason = "not_yet"
        elif event.starts_at is None or event.starts_at <= now or not tt.sales_open(now):
            reason = "closed"
        elif tt.available <= 0:
            reason = "sold_out"
        else:
            reason = None
        limit = min(tt.available, tt.order_limit(self._policy.max_per_order))
        return TariffOffer(tt, reason is None, limit, reason)
