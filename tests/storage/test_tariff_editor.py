"""Tariff rules at the service level, on SQLite and PostgreSQL: the quantity never below what is taken
(even while customers are adding), a new price leaves carts and orders alone, per-order limits hold in
the cart, and the sales window is checked whichever end changes."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

import pytest

from domain.errors import (
    AlreadyCancelled,
    EventNotEditable,
    EventNotOnSale,
    FieldEmpty,
    InvalidQuantity,
    LimitReached,
    OwnEventNotFound,
    QuantityBelowTaken,
    SalesWindowInvalid,
    SoldOut,
)
from domain.event_fields import EventField
from domain.models import EntryKind, EventStatus, TelegramProfile
from domain.money import Money
from domain.policies import AdminPolicy, HoldPolicy
from domain.services.cart import CartService
from domain.services.checkout import CheckoutService
from domain.services.event_editor import EventEditor
from domain.services.tariff_editor import TariffEditor
from domain.services.users import UserService
from domain.tariff_fields import TariffField
from storage.uow import UnitOfWorkFactory
from tests.paying import pay
from tests.storage.test_guards import assert_books

MSK = ZoneInfo("Europe/Moscow")
POLICY = HoldPolicy(hold_minutes=15, max_per_order=10)


class Box:
    def __init__(self, engine, clock) -> None:
        self.engine, self.clock = engine, clock
        self.uow = UnitOfWorkFactory(engine)
        self.users = UserService(self.uow, clock, AdminPolicy())
        self.editor = EventEditor(self.uow, clock)
        self.tariffs = TariffEditor(self.uow, clock, POLICY, "RUB")
        self.carts = CartService(self.uow, clock, POLICY, "RUB")
        self.checkout = CheckoutService(self.uow, clock, POLICY, "RUB")

    async def person(self, telegram_id: int, organizer: bool = False, money: int = 0):
        user = await self.users.identify(TelegramProfile(telegram_id, f"P{telegram_id}"))
        async with self.uow() as u:
            await u.organizers.set_organizer(user.id, organizer)
            if money:
                await u.wallets.apply(user.id, Money(money, "RUB"), EntryKind.CREDIT, f"s:{user.id}", self.clock.now())
            await u.commit()
        return user

    async def on_sale(self, organizer, quantity: int = 20, limit: int | None = None):
        event = await self.editor.create(organizer, "Маузер")
        await self.editor.set_text(organizer, event.id, EventField.VENUE, "Сатирикон", MSK)
        await self.editor.set_text(organizer, event.id, EventField.STARTS_AT, "25.12.2026 19:00", MSK)
        values = {"name": "Standard", "price": 100_000, "quantity": quantity, "max_per_order": limit}
        tt = await self.tariffs.create(organizer, event.id, values)
        published = await self.editor.publish(organizer, event.id)
        assert published.status is EventStatus.PUBLISHED
        return tt


@pytest.fixture
def box(engine, clock):
    return Box(engine, clock)


async def test_the_quantity_goes_up_any_time_and_down_only_to_what_is_taken(box):
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga, quantity=20)
    anna = await box.person(2, money=1_000_000)
    await box.carts.add_tickets(anna.id, tt.id, 3)
    view = await box.carts.add_tickets((await box.person(3)).id, tt.id, 2)
    assert view.total.minor == 200_000
    paid = await box.carts.view(anna.id)
    await pay(box.checkout, anna.id, paid.version, paid.terms)  # 3 sold, 2 held
    with pytest.raises(QuantityBelowTaken) as info:
        await box.tariffs.set_field(olga, tt.id, TariffField.QUANTITY, "4", MSK)
    assert info.value.params == {"taken": 5}
    await assert_books(box.engine, tt.id, "a refused lowering changes nothing")
    assert (await box.tariffs.set_field(olga, tt.id, TariffField.QUANTITY, "5", MSK)).quantity == 5
    with pytest.raises(SoldOut):
        await box.carts.add_tickets((await box.person(4)).id, tt.id, 1)
    assert (await box.tariffs.set_field(olga, tt.id, TariffField.QUANTITY, "30", MSK)).quantity == 30
    await assert_books(box.engine, tt.id, "raised")


async def test_lowering_while_customers_add_never_oversells(box):
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga, quantity=30)
    buyers = [await box.person(100 + n) for n in range(20)]

    async def add(user_id: int) -> str:
        try:
            await box.carts.add_tickets(user_id, tt.id, 1)
            return "held"
        except SoldOut:
            return "sold out"

    async def lower() -> str:
        try:
            await box.tariffs.set_field(olga, tt.id, TariffField.QUANTITY, "10", MSK)
            return "lowered"
        except QuantityBelowTaken:
            return "refused"

    results = await asyncio.gather(*(add(b.id) for b in buyers[:10]), lower(), *(add(b.id) for b in buyers[10:]))
    await assert_books(box.engine, tt.id, "a quantity lowered while customers add")
    held = results.count("held")
    if "lowered" in results:
        assert held <= 10
    else:
        assert held > 10


async def test_a_new_price_leaves_carts_and_orders_at_the_price_they_were_given(box):
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga)
    anna = await box.person(2, money=1_000_000)
    await box.carts.add_tickets(anna.id, tt.id, 2)
    await box.tariffs.set_field(olga, tt.id, TariffField.PRICE, "2500", MSK)
    view = await box.carts.view(anna.id)
    assert view.total.minor == 200_000
    result = await pay(box.checkout, anna.id, view.version, view.terms)
    assert result.order.total.minor == 200_000
    boris = await box.person(3)
    assert (await box.carts.add_tickets(boris.id, tt.id, 1)).total.minor == 250_000


async def test_the_tariffs_own_order_limit_holds_in_the_cart(box):
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga, limit=3)
    anna = await box.person(2)
    with pytest.raises(InvalidQuantity):
        await box.carts.add_tickets(anna.id, tt.id, 4)
    view = await box.carts.add_tickets(anna.id, tt.id, 2)
    with pytest.raises(LimitReached):
        await box.carts.add_tickets(anna.id, tt.id, 2)
    with pytest.raises(InvalidQuantity):
        await box.carts.change_qty(anna.id, view.ready[0].item_id, 4)
    assert (await box.carts.change_qty(anna.id, view.ready[0].item_id, 3)).ready[0].qty == 3
    await box.tariffs.clear(olga, tt.id, TariffField.MAX_PER_ORDER)  # back to the shop's 10
    assert (await box.carts.change_qty(anna.id, view.ready[0].item_id, 6)).ready[0].qty == 6


async def test_the_sales_window_and_ownership(box):
    olga = await box.person(1, organizer=True)
    tt = await box.on_sale(olga)
    await box.tariffs.set_field(olga, tt.id, TariffField.SALES_END, "20.12.2026 23:00", MSK)
    with pytest.raises(SalesWindowInvalid):
        await box.tariffs.set_field(olga, tt.id, TariffField.SALES_START, "21.12.2026 10:00", MSK)
    await box.tariffs.set_field(olga, tt.id, TariffField.SALES_START, "01.12.2026 10:00", MSK)
    with pytest.raises(SalesWindowInvalid):
        await box.tariffs.set_field(olga, tt.id, TariffField.SALES_END, "30.11.2026 10:00", MSK)
    with pytest.raises(SalesWindowInvalid):
        box.tariffs.check_step(
            TariffField.SALES_END, "30.11.2026 10:00", MSK, {"sales_start": "2026-12-01T07:00:00+00:00"}
        )
    with pytest.raises(FieldEmpty):
        await box.tariffs.clear(olga, tt.id, TariffField.PRICE)
    ivan = await box.person(3, organizer=True)
    with pytest.raises(OwnEventNotFound):
        await box.tariffs.set_field(ivan, tt.id, TariffField.PRICE, "1", MSK)
    with pytest.raises(OwnEventNotFound):
        await box.tariffs.create(ivan, tt.event_id, {"name": "Mine", "price": 100, "quantity": 1})
    with pytest.raises(OwnEventNotFound):
        await box.tariffs.tariff(ivan, tt.id + 1000)
    _, after = await box.tariffs.tariff(olga, tt.id)
    assert after.price.minor == 100_000


async def test_cancel_ends_every_hold_and_the_sweep_gives_the_quota_back_even_amid_presses(box):
    """A hold being taken in the same instant as the cancel is either ended with the others or refused:
    several rounds, since the interleaving differs from one to the next."""
    olga = await box.person(1, organizer=True)
    for round_ in range(5):
        tt = await box.on_sale(olga, quantity=50)
        people = [await box.person(1000 * (round_ + 1) + n) for n in range(10)]
        for person in people[:4]:
            await box.carts.add_tickets(person.id, tt.id, 2)

        async def add(user_id: int, tariff_id: int = tt.id) -> str:
            try:
                await box.carts.add_tickets(user_id, tariff_id, 1)
                return "held"
            except EventNotOnSale:
                return "refused"

        presses = [add(p.id) for p in people[4:8]]
        results = await asyncio.gather(*presses[:2], box.editor.cancel(olga, tt.event_id), *presses[2:])
        await box.carts.release_expired()
        await assert_books(box.engine, tt.id, "cancelled amid adds")
        _, after = await box.tariffs.tariff(olga, tt.id)
        assert after.held == 0, results
    with pytest.raises(EventNotOnSale):
        await box.carts.add_tickets(people[9].id, tt.id, 1)
    with pytest.raises(AlreadyCancelled):
        await box.editor.cancel(olga, tt.event_id)
    with pytest.raises(EventNotEditable):
        await box.tariffs.set_field(olga, tt.id, TariffField.PRICE, "5", MSK)
    view = await box.carts.view(people[0].id)
    assert not view.ready and view.unavailable
