"""Inline search at the service level (SQLite and PostgreSQL): published and ahead only, nearest first,
pages of INLINE_PAGE with the next offset, a garbage offset read as the start."""

from __future__ import annotations

from datetime import timedelta

from domain.models import Event, EventStatus, TicketType
from domain.money import Money
from domain.policies import HoldPolicy
from domain.services.catalog import INLINE_PAGE, CatalogService
from storage.uow import UnitOfWorkFactory


async def test_inline_pages_and_offsets(engine, clock):
    uow = UnitOfWorkFactory(engine)
    async with uow() as u:
        for n in range(INLINE_PAGE + 3):
            event = await u.events.add(
                Event(0, f"Jazz {n:02d}", clock.now() + timedelta(days=n + 1), "Esse", EventStatus.PUBLISHED)
            )
            await u.events.add_ticket_type(TicketType(0, event.id, "A", Money(100 * (n + 1), "RUB"), n))
            await u.events.add_ticket_type(TicketType(0, event.id, "B", Money(50, "RUB"), 1))
        await u.events.add(Event(0, "Jazz past", clock.now() - timedelta(days=1), "Esse", EventStatus.PUBLISHED))
        await u.events.add(Event(0, "Jazz draft", clock.now() + timedelta(days=1), "Esse"))
        await u.commit()
    catalog = CatalogService(uow, clock, HoldPolicy())
    items, following = await catalog.inline("  JAZZ ", "")
    assert [i.event.title for i in items] == [f"Jazz {n:02d}" for n in range(INLINE_PAGE)]
    assert following == str(INLINE_PAGE)
    assert (items[3].price_from.minor, items[3].price_to.minor, items[3].available) == (50, 400, 4)
    rest, end = await catalog.inline("jazz", following)
    assert [i.event.title for i in rest] == [f"Jazz {n:02d}" for n in range(INLINE_PAGE, INLINE_PAGE + 3)]
    assert end == ""
    for garbage in ("-5", "abc", "9999999", ""):
        again, _ = await catalog.inline("jazz", garbage)
        assert again[0].event.title == "Jazz 00", garbage
    nothing, none = await catalog.inline("jazz", "1000")
    assert (nothing, none) == ([], "")
    assert (await catalog.inline("", ""))[0][0].event.title == "Jazz 00"
