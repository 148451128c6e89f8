"""Finding events and showing what is on sale."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import replace
from datetime import timedelta

from domain.clock import Clock
from domain.errors import EventNotFound, SearchExpired
from domain.models import Event, EventStatus, TicketType
from domain.money import Money
from domain.policies import HoldPolicy
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.views import EventCard, EventSummary, SearchPage, TariffOffer

PAGE_SIZE = 20
MAX_QUERY = 100
VOCABULARY_LIMIT = 5000
SEARCH_TTL = timedelta(days=2)  # page buttons of an older search say it expired


def normalize(text: str) -> str:
    """Case- and ё-insensitive form used both for indexing and for queries (SQLite's lower() is ASCII-only)."""
    folded = text.casefold().replace("ё", "е")
    return re.sub(r"\s+", " ", folded).strip()


def search_text(event: Event) -> str:
    return normalize(" ".join((event.title, event.performers, event.venue, event.category)))


def price_range(types: list[TicketType]) -> tuple[Money | None, Money | None]:
    prices = [t.price for t in types]
    if not prices:
        return None, None
    return min(prices, key=lambda m: m.minor), max(prices, key=lambda m: m.minor)


INLINE_PAGE = 20  # Telegram shows up to 50 per answer; 20 keeps each answer quick


class CatalogService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, policy: HoldPolicy) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy

    async def search(self, user_id: int, query: str) -> SearchPage:
        """Save the query so page buttons can carry a short id instead of the text (64-byte limit)."""
        typed = " ".join(query.split())[:MAX_QUERY]
        needle = normalize(typed)
        page = await self._first_page(await self._save(user_id, typed), typed)
        if page.total:
            return page
        suggestion = await self._did_you_mean(needle)
        if suggestion is None:
            return page
        corrected = await self._first_page(await self._save(user_id, suggestion), suggestion)
        return replace(corrected, corrected_from=typed) if corrected.total else page

    async def _save(self, user_id: int, needle: str) -> int:
        async with self._uow() as uow:
            search_id = await uow.searches.save(user_id, needle, self._clock.now())
            await uow.commit()
        return search_id

    async def _did_you_mean(self, needle: str) -> str | None:
        """Small typos ("маузр", "jaz nigth") are corrected against the words of what is on sale."""
        async with self._uow(write=False) as uow:
            texts = await uow.events.published_vocabulary(self._clock.now(), VOCABULARY_LIMIT)
        words = {w for text in texts for w in re.findall(r"\w+", text) if len(w) >= 3}
        corrected = []
        for word in needle.split():
            match = [word] if word in words else difflib.get_close_matches(word, words, n=1, cutoff=0.75)
            corrected.append(match[0] if match else word)
        suggestion = " ".join(corrected)
        return suggestion if suggestion != needle else None

    async def _first_page(self, search_id: int, shown: str) -> SearchPage:
        async with self._uow(write=False) as uow:
            return await self._page(uow, search_id, shown, 0)

    async def page(self, user_id: int, search_id: int, page: int) -> SearchPage:
        async with self._uow(write=False) as uow:
            saved = await uow.searches.get(search_id)
            if saved is None or saved[0] != user_id:
                raise SearchExpired()
            return await self._page(uow, search_id, saved[1], page)

    async def _page(self, uow: UnitOfWork, search_id: int, shown: str, page: int) -> SearchPage:
        now = self._clock.now()
        needle = normalize(shown)
        page = max(page, 0)
        events, total = await uow.events.search_published(needle, now, page * PAGE_SIZE, PAGE_SIZE)
        pages = max(math.ceil(total / PAGE_SIZE), 1)
        if page >= pages:  # a button of a page that is gone (fewer results now): the last page there is
            page = pages - 1
            events, total = await uow.events.search_published(needle, now, page * PAGE_SIZE, PAGE_SIZE)
        types = await uow.events.ticket_types_for([e.id for e in events])
        items = []
        for event in events:
            tts = types.get(event.id, [])
            low, high = price_range(tts)
            items.append(EventSummary(event, low, high, sum(t.available for t in tts)))
        return SearchPage(search_id, shown, items, page, pages, total)

    async def inline(self, query: str, offset: str) -> tuple[list[EventSummary], str]:
        """Inline mode: events matching `query` (the nearest first when empty), a page at a time; the next
        page's offset, or "" at the end. No search is saved: inline results carry no buttons to page."""
        position = int(offset) if offset.isdigit() and len(offset) < 6 else 0
        needle = normalize(" ".join(query.split())[:MAX_QUERY])
        async with self._uow(write=False) as uow:
            events, total = await uow.events.search_published(needle, self._clock.now(), position, INLINE_PAGE)
            types = await uow.events.ticket_types_for([e.id for e in events])
        items = []
        for event in events:
            tts = types.get(event.id, [])
            low, high = price_range(tts)
            items.append(EventSummary(event, low, high, sum(t.available for t in tts)))
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
