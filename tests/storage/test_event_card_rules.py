"""The event card and the tariff picker at the service level, and the event storage they read, on SQLite
and PostgreSQL.

Only a published event has a card. A tariff is on sale while its event is published and has not started,
its sales window is open (from sales_start, until before sales_end) and tickets are left; a customer may
pick at most what is left and at most the per-order limit. Tariffs are shown in their set order.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import EventNotFound
from domain.models import Event, EventStatus, TelegramProfile, TicketType
from domain.money import Money
from domain.policies import AdminPolicy, HoldPolicy
from domain.search import search_text
from domain.services.catalog import CatalogService
from domain.services.users import UserService
from storage.uow import UnitOfWorkFactory

POLICY = HoldPolicy(hold_minutes=7, max_per_order=4)


class Shop:
    def __init__(self, engine, clock) -> None:
        self.clock = clock
        self.uow = UnitOfWorkFactory(engine)
        self.catalog = CatalogService(self.uow, clock, POLICY)

    async def event(self, *tariffs: TicketType, days: float = 10, status=EventStatus.PUBLISHED) -> Event:
        async with self.uow() as u:
            event = await u.events.add(Event(0, "Маузер", self.clock.now() + timedelta(days=days), "Hall", status))
            for tt in tariffs:
                tt.event_id = event.id
                await u.events.add_ticket_type(tt)
            await u.commit()
        return event

    async def hold(self, tt: TicketType, qty: int, sell: bool = False) -> None:
        async with self.uow() as u:
            assert await u.inventory.hold(tt.id, qty)
            if sell:
                assert await u.inventory.sell_held(tt.id, qty)
            await u.commit()


def tariff(name: str, price: int = 100_00, quantity: int = 100, **kw) -> TicketType:
    return TicketType(0, 0, name, Money(price, "RUB"), quantity, **kw)


def offers(card) -> dict[str, tuple[bool, int]]:
    return {o.ticket_type.name: (o.on_sale, o.max_qty) for o in card.tariffs}


# ---------------------------------------------------------------- which events have a card


@pytest.mark.parametrize("status", [EventStatus.DRAFT, EventStatus.CANCELLED])
async def test_only_a_published_event_has_a_card_and_tariffs(engine, clock, status):
    shop = Shop(engine, clock)
    hidden_tariff = tariff("Hidden")
    hidden = await shop.event(hidden_tariff, status=status)
    with pytest.raises(EventNotFound):
        await shop.catalog.event_card(hidden.id)
    with pytest.raises(EventNotFound):
        await shop.catalog.tariff(hidden_tariff.id)
    with pytest.raises(EventNotFound):
        await shop.catalog.event_card(hidden.id + 1000)
    with pytest.raises(EventNotFound):
        await shop.catalog.tariff(hidden_tariff.id + 1000)


async def test_the_card_lists_tariffs_in_their_set_order_with_prices_and_what_is_left(engine, clock):
    shop = Shop(engine, clock)
    vip = tariff("VIP", 900_00, 5, position=2)
    balcony = tariff("Balcony", 200_00, 10, position=1)
    floor = tariff("Floor", 500_00, 3, position=1)  # same position as Balcony, added later: after it
    standard = tariff("Standard", 300_00, 20, position=0)
    event = await shop.event(vip, balcony, floor, standard)
    await shop.hold(standard, 4)
    await shop.hold(vip, 5, sell=True)

    card = await shop.catalog.event_card(event.id)
    assert card.event == event
    assert [o.ticket_type.name for o in card.tariffs] == ["Standard", "Balcony", "Floor", "VIP"], (
        "tariffs come by position, then in the order they were added"
    )
    assert (card.price_from, card.price_to) == (Money(200_00, "RUB"), Money(900_00, "RUB"))
    assert card.available == 16 + 10 + 3 + 0, "held and sold tickets are not available"
    assert card.hold_minutes == 7, "the card tells how long a hold lasts"
    assert offers(card) == {
        "Standard": (True, 4),  # 16 left, at most 4 per order
        "Balcony": (True, 4),
        "Floor": (True, 3),  # only 3 left
        "VIP": (False, 0),  # sold out
    }


async def test_an_event_without_tariffs_has_a_card_with_no_prices(engine, clock):
    shop = Shop(engine, clock)
    event = await shop.event()
    card = await shop.catalog.event_card(event.id)
    assert (card.tariffs, card.price_from, card.price_to, card.available) == ([], None, None, 0)


# ---------------------------------------------------------------- what is on sale


async def test_a_tariff_is_on_sale_only_inside_its_sales_window(engine, clock):
    shop = Shop(engine, clock)
    now = clock.now()
    tariffs = [
        tariff("Not yet", sales_start=now + timedelta(seconds=1)),
        tariff("Opens now", sales_start=now),
        tariff("Open", sales_start=now - timedelta(days=1), sales_end=now + timedelta(seconds=1)),
        tariff("Closes now", sales_end=now),
        tariff("Closed", sales_end=now - timedelta(days=1)),
        tariff("Always"),
    ]
    event = await shop.event(*tariffs)
    assert offers(await shop.catalog.event_card(event.id)) == {
        "Not yet": (False, 4),
        "Opens now": (True, 4),
        "Open": (True, 4),
        "Closes now": (False, 4),
        "Closed": (False, 4),
        "Always": (True, 4),
    }, "sales run from sales_start (included) to sales_end (excluded)"
    for tt in tariffs:
        got_event, offer = await shop.catalog.tariff(tt.id)
        assert got_event == event and offer.ticket_type == tt
        assert (tt.name, offer.on_sale) == (tt.name, tt.name in {"Opens now", "Open", "Always"})


async def test_nothing_is_on_sale_once_the_event_starts(engine, clock):
    shop = Shop(engine, clock)
    tt = tariff("Standard")
    event = await shop.event(tt, days=1)
    clock.advance(days=1, seconds=-1)
    assert offers(await shop.catalog.event_card(event.id)) == {"Standard": (True, 4)}, "a second before the start"
    clock.advance(seconds=1)
    assert offers(await shop.catalog.event_card(event.id)) == {"Standard": (False, 4)}, "at the start"
    assert (await shop.catalog.tariff(tt.id))[1].on_sale is False
    clock.advance(days=1)
    assert offers(await shop.catalog.event_card(event.id)) == {"Standard": (False, 4)}, "after the start"


async def test_the_tariff_picker_offers_what_is_left_up_to_the_per_order_limit(engine, clock):
    shop = Shop(engine, clock)
    few, many, last = tariff("Few", quantity=5), tariff("Many"), tariff("Last", quantity=3)
    gone = tariff("Gone", quantity=2)
    event = await shop.event(few, many, last, gone)
    await shop.hold(few, 3)
    await shop.hold(last, 2)
    await shop.hold(gone, 2)
    picked = {tt.name: await shop.catalog.tariff(tt.id) for tt in (few, many, last, gone)}
    assert {name: (e.id, o.on_sale, o.max_qty) for name, (e, o) in picked.items()} == {
        "Few": (event.id, True, 2),
        "Many": (event.id, True, 4),
        "Last": (event.id, True, 1),  # the last ticket is on sale
        "Gone": (event.id, False, 0),
    }
    assert picked["Few"][1].ticket_type.available == 2


# ---------------------------------------------------------------- what storage keeps


async def test_an_event_and_its_tariffs_read_back_exactly_as_stored(engine, clock):
    uow = UnitOfWorkFactory(engine)
    organizer = await UserService(uow, clock, AdminPolicy()).identify(TelegramProfile(4242, "Org"))
    start = datetime(2027, 3, 8, 19, 30, tzinfo=UTC)
    event = Event(
        0,
        "Маузер",
        start,
        "Таганка",
        EventStatus.PUBLISHED,
        performers="Группа",
        description="Описание",
        category="Rock",
        ends_at=start + timedelta(hours=3),
        age_limit=16,
        conditions="Без животных",
        organizer_id=organizer.id,
    )
    tt = TicketType(
        0,
        0,
        "VIP",
        Money(250_050, "RUB"),
        40,
        sold=3,
        held=2,
        sales_start=start - timedelta(days=30),
        sales_end=start - timedelta(hours=1),
        position=5,
    )
    async with uow() as u:
        await u.events.add(event)
        tt.event_id = event.id
        await u.events.add_ticket_type(tt)
        other = await u.events.add(Event(0, "Other", start + timedelta(days=1), "Hall", EventStatus.PUBLISHED))
        await u.commit()

    async with uow(write=False) as u:
        assert await u.events.get(event.id) == event
        assert await u.events.get(other.id + 1) is None
        assert await u.events.ticket_type(tt.id) == tt
        assert await u.events.ticket_type(tt.id + 1) is None
        assert await u.events.ticket_types(event.id) == [tt]
        assert await u.events.ticket_types(other.id) == []
        assert await u.events.ticket_types_for([event.id, other.id]) == {event.id: [tt]}
        assert await u.events.ticket_types_for([]) == {}
        assert await u.events.offers([tt.id, tt.id]) == {tt.id: (tt, event)}
        assert await u.events.offers([]) == {}
        assert await u.events.known_words(["маузер", "группа", "таганка", "rock", "other", "hall", "nope"]) == {
            "маузер", "группа", "таганка", "rock", "other", "hall"
        }  # fmt: skip
    folded = search_text(event.title, event.performers, event.venue, event.category)
    assert folded == "маузер группа таганка rock", "title, performers, venue and category, folded"


async def test_the_vocabulary_learns_every_word_of_three_letters_or_more_of_what_is_saved(engine, clock):
    """Drafts and edits included: whether a word is on sale is asked when a typo is corrected, not here."""
    shop = Shop(engine, clock)
    async with shop.uow() as u:
        event = await u.events.add(
            Event(0, "Ёлка at Café", clock.now() + timedelta(days=2), "Зал №1", EventStatus.DRAFT)
        )
        event.performers = "Quartet Иванов"
        await u.events.save_details(event)
        await u.events.add(Event(0, "Ёлка", clock.now() + timedelta(days=3), "Зал", EventStatus.PUBLISHED))
        await u.commit()
    async with shop.uow(write=False) as u:
        learned = await u.events.known_words(["елка", "cafe", "зал", "quartet", "иванов", "at", "no1", "ёлка"])
    assert learned == {"елка", "cafe", "зал", "no1", "quartet", "иванов"}, "folded words (№ is No), none shorter than 3"


async def test_the_card_and_the_tariff_picker_do_not_wait_for_a_writer(engine, clock):
    """They only read: on SQLite they must not queue behind the single writer (a checkout in progress)."""
    shop = Shop(engine, clock)
    tt = tariff("Standard")
    event = await shop.event(tt)
    async with shop.uow() as writer:
        await writer.inventory.hold(tt.id, 1)
        card = await asyncio.wait_for(shop.catalog.event_card(event.id), 2)
        picked, offer = await asyncio.wait_for(shop.catalog.tariff(tt.id), 2)
        await writer.commit()
    assert card.event == picked == event and offer.max_qty == 4


async def test_releasing_gives_back_only_what_that_tariff_holds(engine, clock):
    shop = Shop(engine, clock)
    mine, other = tariff("Mine", quantity=10), tariff("Other", quantity=10)
    await shop.event(mine, other)
    await shop.hold(mine, 3)
    await shop.hold(other, 3)
    async with shop.uow() as u:
        assert await u.inventory.release(mine.id, 2) is True
        assert await u.inventory.release(mine.id, 2) is False, "more than is held is refused"
        await u.commit()
    async with shop.uow(write=False) as u:
        assert (await u.events.ticket_type(mine.id)).held == 1
        assert (await u.events.ticket_type(other.id)).held == 3, "another tariff's holds are untouched"


async def test_selling_more_than_is_held_is_refused(engine, clock):
    shop = Shop(engine, clock)
    mine, other = tariff("Mine", quantity=10), tariff("Other", quantity=10)
    await shop.event(mine, other)
    await shop.hold(mine, 2)
    await shop.hold(other, 3)
    async with shop.uow() as u:
        assert await u.inventory.sell_held(mine.id, 3) is False, "only what is held can be sold"
        assert await u.inventory.sell_held(mine.id, 2) is True
        await u.commit()
    async with shop.uow(write=False) as u:
        sold = await u.events.ticket_type(mine.id)
        assert (sold.held, sold.sold) == (0, 2)
        untouched = await u.events.ticket_type(other.id)
        assert (untouched.held, untouched.sold) == (3, 0), "another tariff is untouched"
