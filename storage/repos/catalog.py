from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    LABEL_STYLE_TABLENAME_PLUS_COL,
    bindparam,
    column,
    exists,
    func,
    insert,
    literal_column,
    select,
    table,
    text,
    update,
)

from domain.models import Event, EventStatus, TicketType
from domain.money import Money
from domain.search import MIN_INDEXED, Query, normalize, search_text, vocabulary
from storage.repos._base import Repo
from storage.tables import events, promotions, questions, search_words, ticket_types

_EVENTS_FTS = table("events_fts", column("rowid"))
_WORDS_FTS = table("search_words_fts", column("word"))


def _event(row) -> Event:
    return Event(
        id=row.id,
        title=row.title,
        starts_at=row.starts_at,
        venue=row.venue,
        status=EventStatus(row.status),
        performers=row.performers,
        description=row.description,
        category=row.category,
        ends_at=row.ends_at,
        age_limit=row.age_limit,
        conditions=row.conditions,
        organizer_id=row.organizer_id,
        poster_file_id=row.poster_file_id,
        max_per_person=row.max_per_person,
        max_per_order=row.max_per_order,
        names_changeable=row.names_changeable,
    )


def _details(event: Event) -> dict:
    """The columns an organizer edits, and the search text made of them."""
    return {
        "title": event.title,
        "performers": event.performers,
        "description": event.description,
        "venue": event.venue,
        "category": event.category,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "age_limit": event.age_limit,
        "conditions": event.conditions,
        "poster_file_id": event.poster_file_id,
        "max_per_person": event.max_per_person,
        "max_per_order": event.max_per_order,
        "names_changeable": event.names_changeable,
        "search_text": search_text(event.title, event.performers, event.venue, event.category),
        "title_key": normalize(event.title)[:200],
    }


def _ticket_type(row) -> TicketType:
    return TicketType(
        id=row.id,
        event_id=row.event_id,
        name=row.name,
        price=Money(row.price_minor, row.currency),
        quantity=row.quantity,
        sold=row.sold,
        held=row.held,
        sales_start=row.sales_start,
        sales_end=row.sales_end,
        position=row.position,
        max_per_order=row.max_per_order,
    )


class _Prefixed:
    """A row of a two-table select seen as one table's row (columns labelled table_column)."""

    __slots__ = ("_mapping", "_prefix")

    def __init__(self, row, prefix: str) -> None:
        self._mapping, self._prefix = row._mapping, prefix

    def __getattr__(self, name: str):
        return self._mapping[self._prefix + name]


_OFFERS = (
    select(ticket_types, events)
    .join(events, events.c.id == ticket_types.c.event_id)
    .where(ticket_types.c.id.in_(bindparam("ids", expanding=True)))
    .set_label_style(LABEL_STYLE_TABLENAME_PLUS_COL)
)
# A cart's offers also say whether each event asks questions or runs promotions: most do neither, and then
# the cart reads neither (two statements fewer on every cart drawn and every payment).
_CART_OFFERS = (
    select(
        ticket_types,
        events,
        exists().where(questions.c.event_id == events.c.id, questions.c.active).label("asks"),
        exists().where(promotions.c.event_id == events.c.id, promotions.c.active).label("promotes"),
    )
    .join(events, events.c.id == ticket_types.c.event_id)
    .where(ticket_types.c.id.in_(bindparam("ids", expanding=True)))
    .set_label_style(LABEL_STYLE_TABLENAME_PLUS_COL)
)
_EVENT = select(events).where(events.c.id == bindparam("id"))
_TICKET_TYPE = select(ticket_types).where(ticket_types.c.id == bindparam("id"))
_TICKET_TYPES_OF = (
    select(ticket_types)
    .where(ticket_types.c.event_id.in_(bindparam("ids", expanding=True)))
    .order_by(ticket_types.c.position, ticket_types.c.id)
)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(word: str):
    return events.c.search_text.like(f"%{_like_escape(word)}%", escape="\\")


def _phrases(words: list[str]) -> str:
    """An FTS5 query: every word as a quoted phrase (a substring for the trigram tokenizer), all of them."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


MATCHES_FIRST_UP_TO = 3000
# A literal, not a parameter: PostgreSQL uses the partial trigram index only when it sees the predicate.
_PUBLISHED = literal_column(f"'{EventStatus.PUBLISHED.value}'")
_FTS_IDS = select(_EVENTS_FTS.c.rowid).where(text("events_fts MATCH :phrases"))
_FTS_COUNT = select(func.count()).select_from(_EVENTS_FTS).where(text("events_fts MATCH :phrases"))


def _column(column):
    return column


def _unindexed(column):
    """SQLite's unary `+`: the same value, but no index on the column is considered for it."""
    return literal_column(f"+{column.table.name}.{column.name}", type_=column.type)


def _filters(query: Query, now: datetime, column) -> list:
    """Published, ahead, in the category and the period asked."""
    status, starts_at = column(events.c.status), column(events.c.starts_at)
    where = [status == _PUBLISHED, starts_at > now]
    if query.category is not None:
        where.append(column(events.c.category) == query.category)
    if query.since is not None:
        where.append(starts_at >= query.since)
    if query.until is not None:
        where.append(starts_at < query.until)
    return where


def _trigrams(word: str) -> str:
    padded = f" {word} "
    grams = {padded[i : i + 3] for i in range(len(padded) - 2)}
    return " OR ".join('"' + g.replace('"', '""') + '"' for g in sorted(grams))


class EventRepo(Repo):
    async def get(self, event_id: int) -> Event | None:
        row = (await self.conn.execute(_EVENT, {"id": event_id})).first()
        return _event(row) if row else None

    async def add(self, event: Event, now: datetime | None = None) -> Event:
        values = {
            **_details(event),
            "status": event.status.value,
            "organizer_id": event.organizer_id,
            "created_at": now or event.starts_at,
        }
        result = await self.conn.execute(insert(events).values(**values).returning(events.c.id))
        event.id = result.scalar_one()
        await self._learn_words(values["search_text"])
        return event

    async def save_details(self, event: Event) -> None:
        values = _details(event)
        await self.conn.execute(update(events).where(events.c.id == event.id).values(**values))
        await self._learn_words(values["search_text"])

    async def _learn_words(self, text_: str) -> None:
        words = sorted(w for w in vocabulary(text_) if len(w) <= 100)
        if words:
            await self.conn.execute(self.insert(search_words).on_conflict_do_nothing(), [{"word": w} for w in words])

    async def set_status(self, event_id: int, old: EventStatus, new: EventStatus) -> bool:
        stmt = update(events).where(events.c.id == event_id, events.c.status == old.value).values(status=new.value)
        return (await self.conn.execute(stmt)).rowcount == 1

    async def status_of(self, event_id: int) -> EventStatus | None:
        row = (await self.conn.execute(select(events.c.status).where(events.c.id == event_id))).first()
        return EventStatus(row.status) if row else None

    async def finish_past(self, now: datetime) -> int:
        """Published events whose end (or, without one, whose start) has passed become finished."""
        stmt = (
            update(events)
            .where(
                events.c.status == EventStatus.PUBLISHED.value,
                func.coalesce(events.c.ends_at, events.c.starts_at) < now,
            )
            .values(status=EventStatus.FINISHED.value)
        )
        return (await self.conn.execute(stmt)).rowcount

    async def get_for_update(self, event_id: int) -> Event | None:
        stmt = select(events).where(events.c.id == event_id)
        if self.conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return _event(row) if row else None

    async def search_published(
        self, query: Query, now: datetime, offset: int, limit: int, cap: int
    ) -> tuple[list[Event], int]:
        """Exact title matches first, then by start; the total counted up to `cap` (counting every match of
        a common word would cost more than the page itself)."""
        sqlite = self.conn.dialect.name == "sqlite"
        exact: list[Event] = []
        key = query.needle[:200]
        if key:  # through the title index (SQLite, without statistics, would walk every event by start)
            stmt = select(events).where(*_filters(query, now, _unindexed if sqlite else _column))
            stmt = stmt.where(events.c.title_key == key).order_by(events.c.starts_at, events.c.id)
            exact = [_event(r) for r in await self.conn.execute(stmt.limit(cap))]
        indexed = [w for w in query.words if len(w) >= MIN_INDEXED]
        contains = [_contains(w) for w in query.words]  # PostgreSQL answers these from its trigram index
        rest = [events.c.title_key != key] if key else []
        if indexed and not sqlite:
            counted = self._pg_counted(query, now, key, contains)
            page_where = [*_filters(query, now, _column), *rest, *contains]
        elif indexed:
            plan = await self._sqlite_plan(query, now, indexed, [*rest, *contains])
            if plan is None:  # no published event holds every word's trigrams: nothing more to count or read
                return exact[offset : offset + limit], len(exact)
            count_where, page_where = plan
            counted = select(events.c.id).where(*count_where)
        else:
            page_where = [*_filters(query, now, _column), *rest, *contains]
            counted = select(events.c.id).where(*page_where)
        counted = counted.limit(max(cap - len(exact), 0)).subquery()
        total = len(exact) + (await self.conn.execute(select(func.count()).select_from(counted))).scalar_one()
        found = exact[offset : offset + limit]
        if len(found) < limit and offset + len(found) < total:
            stmt = select(events).where(*page_where).order_by(events.c.starts_at, events.c.id)
            stmt = stmt.offset(max(offset - len(exact), 0)).limit(limit - len(found))
            found += [_event(r) for r in await self.conn.execute(stmt)]
        return found, total

    async def _sqlite_plan(
        self, query: Query, now: datetime, indexed: list[str], rest: list
    ) -> tuple[list, list] | None:
        """The conditions of the count and of the page. SQLite plans blind: it would walk the events by
        start and look each up in the FTS matches, quick for a common word and a scan of everything for a
        rare one. So the matches are counted first (a fraction of a millisecond), and the events of the
        category and period asked: the smaller set is read, the matches by id (`+column` keeps the planner
        off the start indexes) or those events in start order; a page of few matches is sorted, of many
        walked until full."""
        phrases = _phrases(indexed)
        matched = (await self.conn.execute(_FTS_COUNT, {"phrases": phrases})).scalar_one()
        if not matched:
            return None
        narrowed = matched
        if query.since is not None or query.until is not None or query.category is not None:
            # the events of the category and the period, counted in the (status, category, start) index
            period = select(func.count()).select_from(events).where(*_filters(query, now, _column))
            narrowed = (await self.conn.execute(period)).scalar_one()
        by_id = [*_filters(query, now, _unindexed), events.c.id.in_(_FTS_IDS.params(phrases=phrases)), *rest]
        walked = [*_filters(query, now, _column), *rest]
        count_where = by_id if matched <= narrowed else walked
        return count_where, by_id if matched <= min(MATCHES_FIRST_UP_TO, narrowed) else walked

    @staticmethod
    def _pg_counted(query: Query, now: datetime, key: str, contains: list):
        """Up to the cap, PostgreSQL would rather scan the table hoping to meet enough matches early; a
        materialized CTE of the trigram matches is planned without the LIMIT, through the GIN index."""
        hits = select(events.c.id, events.c.status, events.c.starts_at, events.c.category, events.c.title_key)
        hits = hits.where(events.c.status == _PUBLISHED, *contains).cte("hits").prefix_with("MATERIALIZED")
        where = _filters(query, now, lambda column: hits.c[column.name])
        where += [hits.c.title_key != key] if key else []
        return select(hits.c.id).where(*where)

    async def known_words(self, words: list[str]) -> set[str]:
        rows = await self.conn.execute(select(search_words.c.word).where(search_words.c.word.in_(words)))
        return {r.word for r in rows}

    async def word_candidates(self, word: str, limit: int) -> list[str]:
        """Indexed words sharing the most trigrams with `word` (what a typo may have meant)."""
        if self.conn.dialect.name == "sqlite":
            stmt = (
                select(_WORDS_FTS.c.word)
                .where(text("search_words_fts MATCH :grams"))
                .order_by(text("rank"))
                .limit(limit)
                .params(grams=_trigrams(word))
            )
            return [r.word.strip() for r in await self.conn.execute(stmt)]
        stmt = select(search_words.c.word).order_by(search_words.c.word.op("<->")(word)).limit(limit)
        return [r.word for r in await self.conn.execute(stmt)]

    async def of_organizer(self, organizer_id: int, offset: int, limit: int) -> tuple[list[Event], int]:
        where = events.c.organizer_id == organizer_id
        total = (await self.conn.execute(select(func.count()).select_from(events).where(where))).scalar_one()
        stmt = select(events).where(where).order_by(events.c.starts_at.desc(), events.c.id.desc())
        rows = await self.conn.execute(stmt.offset(offset).limit(limit))
        return [_event(r) for r in rows], total

    async def ticket_types(self, event_id: int) -> list[TicketType]:
        return (await self.ticket_types_for([event_id])).get(event_id, [])

    async def ticket_types_for(self, event_ids: list[int]) -> dict[int, list[TicketType]]:
        if not event_ids:
            return {}
        rows = await self.conn.execute(_TICKET_TYPES_OF, {"ids": list(event_ids)})
        result: dict[int, list[TicketType]] = {}
        for row in rows:
            result.setdefault(row.event_id, []).append(_ticket_type(row))
        return result

    async def ticket_type(self, ticket_type_id: int) -> TicketType | None:
        row = (await self.conn.execute(_TICKET_TYPE, {"id": ticket_type_id})).first()
        return _ticket_type(row) if row else None

    async def offers(self, ticket_type_ids: list[int]) -> dict[int, tuple[TicketType, Event]]:
        """Tariffs with their events, in one statement (a cart or an order names several)."""
        if not ticket_type_ids:
            return {}
        rows = await self.conn.execute(_OFFERS, {"ids": sorted(set(ticket_type_ids))})
        return {
            row.ticket_types_id: (_ticket_type(_Prefixed(row, "ticket_types_")), _event(_Prefixed(row, "events_")))
            for row in rows
        }

    async def cart_offers(
        self, ticket_type_ids: list[int]
    ) -> tuple[dict[int, tuple[TicketType, Event]], set[int], set[int]]:
        """As `offers`, with the events that ask questions and the events that run promotions."""
        if not ticket_type_ids:
            return {}, set(), set()
        rows = (await self.conn.execute(_CART_OFFERS, {"ids": sorted(set(ticket_type_ids))})).all()
        found = {
            row.ticket_types_id: (_ticket_type(_Prefixed(row, "ticket_types_")), _event(_Prefixed(row, "events_")))
            for row in rows
        }
        return found, {row.events_id for row in rows if row.asks}, {row.events_id for row in rows if row.promotes}

    async def add_ticket_type(self, tt: TicketType) -> TicketType:
        result = await self.conn.execute(
            insert(ticket_types)
            .values(
                event_id=tt.event_id,
                name=tt.name,
                price_minor=tt.price.minor,
                currency=tt.price.currency,
                quantity=tt.quantity,
                sold=tt.sold,
                held=tt.held,
                sales_start=tt.sales_start,
                sales_end=tt.sales_end,
                position=tt.position,
                max_per_order=tt.max_per_order,
            )
            .returning(ticket_types.c.id)
        )
        tt.id = result.scalar_one()
        return tt

    async def save_tariff(self, tt: TicketType) -> None:
        """What an organizer edits, except the quantity (set_quantity guards it)."""
        values = {
            "name": tt.name,
            "price_minor": tt.price.minor,
            "sales_start": tt.sales_start,
            "sales_end": tt.sales_end,
            "max_per_order": tt.max_per_order,
        }
        await self.conn.execute(update(ticket_types).where(ticket_types.c.id == tt.id).values(**values))

    async def set_quantity(self, ticket_type_id: int, quantity: int) -> bool:
        """One conditional UPDATE: never below what is sold plus held at that moment."""
        stmt = (
            update(ticket_types)
            .where(ticket_types.c.id == ticket_type_id, ticket_types.c.sold + ticket_types.c.held <= quantity)
            .values(quantity=quantity)
        )
        return (await self.conn.execute(stmt)).rowcount == 1


class InventoryRepo(Repo):
    """Each method is a single conditional UPDATE: safe at READ COMMITTED on PostgreSQL and under
    SQLite's single writer, with no read-then-write in Python."""

    async def hold(self, ticket_type_id: int, qty: int) -> bool:
        t = ticket_types
        result = await self.conn.execute(
            update(t)
            .where(t.c.id == ticket_type_id, t.c.sold + t.c.held + qty <= t.c.quantity)
            .values(held=t.c.held + qty)
        )
        return result.rowcount == 1

    async def release(self, ticket_type_id: int, qty: int) -> bool:
        t = ticket_types
        result = await self.conn.execute(
            update(t).where(t.c.id == ticket_type_id, t.c.held >= qty).values(held=t.c.held - qty)
        )
        return result.rowcount == 1

    async def sell_held(self, ticket_type_id: int, qty: int) -> bool:
        t = ticket_types
        result = await self.conn.execute(
            update(t).where(t.c.id == ticket_type_id, t.c.held >= qty).values(held=t.c.held - qty, sold=t.c.sold + qty)
        )
        return result.rowcount == 1
