"""Tariff rules at the service level, on SQLite and PostgreSQL: a tariff is written whole with every value
the dialog kept, and each value is checked again (the dialog state can be tampered with); the sales window
ends strictly after it starts; edits read dates in the organizer's zone and order limits up to the shop's;
a quantity change touches that one tariff only; an organizer sees only the tariffs of their own events; and
creating or editing a tariff waits for a change of its event under way and then sees it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.errors import (
    EventNotEditable,
    FieldEmpty,
    NotOrganizer,
    OrderLimitInvalid,
    OwnEventNotFound,
    PriceInvalid,
    QuantityInvalid,
    SalesWindowInvalid,
)
from domain.models import EventStatus, TelegramProfile
from domain.policies import AdminPolicy, HoldPolicy
from domain.services.event_editor import EventEditor
from domain.services.tariff_editor import TariffEditor
from domain.services.users import UserService
from domain.tariff_fields import TariffField
from storage.uow import UnitOfWorkFactory
from tests.storage.test_tariff_editor import Box

MSK = ZoneInfo("Europe/Moscow")
POLICY = HoldPolicy(hold_minutes=15, max_per_order=10)
DEC_1_10_MSK = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
DEC_20_23_MSK = datetime(2026, 12, 20, 20, 0, tzinfo=UTC)
WHOLE = {"name": "Standard", "price": 150_000, "quantity": 20}


class Shop:
    def __init__(self, engine, clock) -> None:
        self.uow = UnitOfWorkFactory(engine)
        self.users = UserService(self.uow, clock, AdminPolicy())
        self.events = EventEditor(self.uow, clock)
        self.tariffs = TariffEditor(self.uow, clock, POLICY, "RUB")

    async def person(self, telegram_id: int, organizer: bool = True):
        user = await self.users.identify(TelegramProfile(telegram_id, f"P{telegram_id}"))
        async with self.uow() as u:
            await u.organizers.set_organizer(user.id, organizer)
            await u.commit()
        return user

    async def draft(self, organizer) -> int:
        return (await self.events.create(organizer, "Маузер")).id

    async def stored(self, ticket_type_id: int):
        async with self.uow(write=False) as u:
            return await u.events.ticket_type(ticket_type_id)


@pytest.fixture
def shop(engine, clock) -> Shop:
    return Shop(engine, clock)


def _window(tt) -> tuple:
    return tt.sales_start, tt.sales_end


async def test_a_tariff_is_written_whole_with_every_value_the_dialog_kept(shop):
    olga = await shop.person(1)
    event_id = await shop.draft(olga)
    values = {
        "name": "  Early   bird ",
        "price": 150_050,
        "quantity": 25,
        "sales_start": DEC_1_10_MSK.isoformat(),
        "sales_end": DEC_20_23_MSK.isoformat(),
        "max_per_order": 4,
    }
    made = await shop.tariffs.create(olga, event_id, values)
    tt = await shop.stored(made.id)
    assert tt == made
    assert (tt.event_id, tt.name, tt.price.minor, tt.price.currency) == (event_id, "Early bird", 150_050, "RUB")
    assert (tt.quantity, tt.sold, tt.held, tt.position, tt.max_per_order) == (25, 0, 0, 0, 4)
    assert _window(tt) == (DEC_1_10_MSK, DEC_20_23_MSK)


async def test_tariffs_come_back_in_the_order_they_were_made_with_their_event(shop):
    olga = await shop.person(1)
    event_id = await shop.draft(olga)
    first = await shop.tariffs.create(olga, event_id, WHOLE)
    second = await shop.tariffs.create(olga, event_id, {**WHOLE, "name": "VIP", "price": 500_000})
    event, tariffs = await shop.tariffs.tariffs(olga, event_id)
    assert (event.id, event.title, event.organizer_id) == (event_id, "Маузер", olga.id)
    assert [(t.id, t.name, t.position) for t in tariffs] == [(first.id, "Standard", 0), (second.id, "VIP", 1)]
    assert tariffs == [first, second]


async def test_only_the_owner_sees_an_events_tariffs(shop):
    olga, ivan = await shop.person(1), await shop.person(2)
    event_id = await shop.draft(olga)
    await shop.tariffs.create(olga, event_id, WHOLE)
    with pytest.raises(OwnEventNotFound):
        await shop.tariffs.tariffs(ivan, event_id)
    with pytest.raises(OwnEventNotFound):
        await shop.tariffs.tariffs(olga, event_id + 1000)
    await shop.person(1, organizer=False)  # the role revoked: nothing of the old events shows any more
    with pytest.raises(NotOrganizer):
        await shop.tariffs.tariffs(olga, event_id)


async def test_create_refuses_a_tariff_without_a_name_a_price_or_a_quantity(shop):
    olga = await shop.person(1)
    event_id = await shop.draft(olga)
    without = {field: {k: v for k, v in WHOLE.items() if k != field} for field in WHOLE}
    with pytest.raises(FieldEmpty):
        await shop.tariffs.create(olga, event_id, without["name"])
    with pytest.raises(PriceInvalid):
        await shop.tariffs.create(olga, event_id, without["price"])
    with pytest.raises(QuantityInvalid):
        await shop.tariffs.create(olga, event_id, without["quantity"])
    assert (await shop.tariffs.tariffs(olga, event_id))[1] == []


async def test_create_takes_a_sales_window_open_at_either_end(shop):
    olga = await shop.person(1)
    event_id = await shop.draft(olga)
    only_start = await shop.tariffs.create(olga, event_id, {**WHOLE, "sales_start": DEC_1_10_MSK.isoformat()})
    assert _window(await shop.stored(only_start.id)) == (DEC_1_10_MSK, None)
    only_end = await shop.tariffs.create(olga, event_id, {**WHOLE, "sales_end": DEC_20_23_MSK.isoformat()})
    assert _window(await shop.stored(only_end.id)) == (None, DEC_20_23_MSK)
    neither = await shop.tariffs.create(olga, event_id, {**WHOLE, "sales_start": None, "sales_end": ""})
    assert _window(await shop.stored(neither.id)) == (None, None)


async def test_create_refuses_a_sales_window_that_ends_at_or_before_its_start(shop):
    olga = await shop.person(1)
    event_id = await shop.draft(olga)
    for end in (DEC_1_10_MSK, datetime(2026, 12, 1, 6, 59, tzinfo=UTC)):
        window = {"sales_start": DEC_1_10_MSK.isoformat(), "sales_end": end.isoformat()}
        with pytest.raises(SalesWindowInvalid):
            await shop.tariffs.create(olga, event_id, {**WHOLE, **window})
    assert (await shop.tariffs.tariffs(olga, event_id))[1] == []


async def test_edits_store_the_cleaned_name_and_an_order_limit_up_to_the_shops(shop):
    olga = await shop.person(1)
    tt = await shop.tariffs.create(olga, await shop.draft(olga), WHOLE)
    assert (await shop.tariffs.set_field(olga, tt.id, TariffField.NAME, "  Student \n ticket ", MSK)).name == (
        "Student ticket"
    )
    assert (await shop.tariffs.set_field(olga, tt.id, TariffField.MAX_PER_ORDER, "10", MSK)).max_per_order == 10
    assert (await shop.tariffs.set_field(olga, tt.id, TariffField.MAX_PER_ORDER, "4", MSK)).max_per_order == 4
    with pytest.raises(OrderLimitInvalid):
        await shop.tariffs.set_field(olga, tt.id, TariffField.MAX_PER_ORDER, "11", MSK)
    with pytest.raises(FieldEmpty):
        await shop.tariffs.set_field(olga, tt.id, TariffField.NAME, "   ", MSK)
    stored = await shop.stored(tt.id)
    assert (stored.name, stored.max_per_order) == ("Student ticket", 4)


async def test_edited_dates_are_read_in_the_organizers_zone(shop):
    olga = await shop.person(1)
    tt = await shop.tariffs.create(olga, await shop.draft(olga), WHOLE)
    await shop.tariffs.set_field(olga, tt.id, TariffField.SALES_START, "01.12 10:00", MSK)
    await shop.tariffs.set_field(olga, tt.id, TariffField.SALES_END, "21.12.2026 05:00", ZoneInfo("Asia/Tokyo"))
    assert _window(await shop.stored(tt.id)) == (DEC_1_10_MSK, DEC_20_23_MSK)


async def test_an_edited_window_must_end_strictly_after_it_starts(shop):
    olga = await shop.person(1)
    tt = await shop.tariffs.create(olga, await shop.draft(olga), WHOLE)
    await shop.tariffs.set_field(olga, tt.id, TariffField.SALES_START, "01.12.2026 10:00", MSK)
    with pytest.raises(SalesWindowInvalid):
        await shop.tariffs.set_field(olga, tt.id, TariffField.SALES_END, "01.12.2026 10:00", MSK)
    await shop.tariffs.set_field(olga, tt.id, TariffField.SALES_END, "01.12.2026 10:01", MSK)
    with pytest.raises(SalesWindowInvalid):
        await shop.tariffs.set_field(olga, tt.id, TariffField.SALES_START, "01.12.2026 10:01", MSK)
    assert _window(await shop.stored(tt.id)) == (DEC_1_10_MSK, datetime(2026, 12, 1, 7, 1, tzinfo=UTC))


async def test_a_quantity_change_touches_only_that_tariff(shop):
    olga = await shop.person(1)
    event_id = await shop.draft(olga)
    standard = await shop.tariffs.create(olga, event_id, WHOLE)
    vip = await shop.tariffs.create(olga, event_id, {**WHOLE, "name": "VIP", "quantity": 5})
    other = await shop.tariffs.create(olga, await shop.draft(olga), {**WHOLE, "quantity": 7})
    assert (await shop.tariffs.set_field(olga, vip.id, TariffField.QUANTITY, "30", MSK)).quantity == 30
    quantities = [(await shop.stored(t.id)).quantity for t in (standard, vip, other)]
    assert quantities == [20, 30, 7]


async def _while_the_event_is_cancelled(shop: Shop, event_id: int, edit):
    """Start `edit` while another transaction holds the event and cancels it; `edit` must wait for that
    transaction and then see the event cancelled (it is locked before it is checked)."""
    async with shop.uow() as u:
        event = await u.events.get_for_update(event_id)
        assert await u.events.set_status(event_id, event.status, EventStatus.CANCELLED)
        task = asyncio.ensure_future(edit())
        await asyncio.sleep(0.2)
        assert not task.done(), "the edit went ahead while the event was being changed"
        await u.commit()
    with pytest.raises(EventNotEditable):
        await task


async def test_creating_a_tariff_waits_for_a_change_of_its_event_and_sees_it(shop):
    olga = await shop.person(1)
    event_id = await shop.draft(olga)
    await _while_the_event_is_cancelled(shop, event_id, lambda: shop.tariffs.create(olga, event_id, WHOLE))
    async with shop.uow(write=False) as u:
        assert await u.events.ticket_types(event_id) == []


async def test_editing_a_tariff_waits_for_a_change_of_its_event_and_sees_it(shop):
    olga = await shop.person(1)
    event_id = await shop.draft(olga)
    tt = await shop.tariffs.create(olga, event_id, {**WHOLE, "max_per_order": 3})
    await _while_the_event_is_cancelled(
        shop, event_id, lambda: shop.tariffs.set_field(olga, tt.id, TariffField.PRICE, "2500", MSK)
    )
    assert await shop.stored(tt.id) == tt


async def test_clearing_a_tariff_field_waits_for_a_change_of_its_event_and_sees_it(shop):
    olga = await shop.person(1)
    event_id = await shop.draft(olga)
    tt = await shop.tariffs.create(olga, event_id, {**WHOLE, "max_per_order": 3})
    await _while_the_event_is_cancelled(
        shop, event_id, lambda: shop.tariffs.clear(olga, tt.id, TariffField.MAX_PER_ORDER)
    )
    assert (await shop.stored(tt.id)).max_per_order == 3


async def test_two_edits_of_one_tariff_at_once_both_land(engine, clock):
    """Each save writes every editable field back: the second edit must start from what the first wrote
    (the tariff is read again after its event is locked), or it puts the old name back (PostgreSQL)."""
    msk = ZoneInfo("Europe/Moscow")
    box = Box(engine, clock)
    olga = await box.person(1, organizer=True)
    for round_ in range(5):
        tt = await box.on_sale(olga)
        await asyncio.gather(
            box.tariffs.set_field(olga, tt.id, TariffField.NAME, f"Renamed {round_}", msk),
            box.tariffs.set_field(olga, tt.id, TariffField.PRICE, "2500", msk),
        )
        _, after = await box.tariffs.tariff(olga, tt.id)
        assert (after.name, after.price.minor) == (f"Renamed {round_}", 250_000), round_
