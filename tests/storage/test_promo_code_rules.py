"""Promo codes in carts and at payment, on SQLite and PostgreSQL: what a code does to a cart and an order,
every refusal changing nothing, and the last uses of a code raced by many buyers."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, timedelta

import pytest
from sqlalchemy import func, select

from bot.limits import MemoryAttemptLimiter
from domain.errors import (
    CartChanged,
    CodeUsedUp,
    PriceChanged,
    PromoCodeAlreadyInCart,
    PromoCodeExpired,
    PromoCodeNotACode,
    PromoCodeNotInCart,
    PromoCodesFull,
    PromoCodeUnknown,
    PromoCodeUsedUp,
    PromoCodeUsedUpForYou,
    PromoCodeWithdrawn,
    TooManyAttempts,
)
from domain.models import EntryKind, Event, EventStatus, MembershipPlan, TelegramProfile, TicketType
from domain.money import Money
from domain.policies import AdminPolicy, HoldPolicy
from domain.pricing import Reason, Scope, Source
from domain.promotions import CodeRule, PromotionKind, PromotionRule
from domain.services.cart import CartService
from domain.services.cart_codes import CODE_GUESSES, CartCodes
from domain.services.checkout import CheckoutService
from domain.services.memberships import MembershipService
from domain.services.users import UserService
from storage.tables import order_line_discounts, order_lines, orders, promo_code_uses, promo_codes, tickets
from storage.uow import UnitOfWorkFactory
from tests.paying import pay

RUB = "RUB"
PRICE = Money(100_000, RUB)  # 1,000 ₽


class Shop:
    def __init__(self, engine, clock) -> None:
        self.uow = UnitOfWorkFactory(engine)
        self.clock = clock
        policy = HoldPolicy(hold_minutes=15, max_per_order=10)
        self.users = UserService(self.uow, clock, AdminPolicy())
        self.carts = CartService(self.uow, clock, policy, RUB)
        self.codes = CartCodes(self.uow, clock, policy, RUB, MemoryAttemptLimiter(CODE_GUESSES))
        self.checkout = CheckoutService(self.uow, clock, policy, RUB)

    async def event(self, quantity: int = 100, title: str = "Маузер") -> TicketType:
        async with self.uow() as uow:
            event = await uow.events.add(
                Event(0, title, self.clock.now() + timedelta(days=10), "Таганка", EventStatus.PUBLISHED)
            )
            tt = await uow.events.add_ticket_type(TicketType(0, event.id, "Standard", PRICE, quantity))
            await uow.commit()
        return tt

    async def buyer(self, n: int, money: int = 10_000_000):
        user = await self.users.identify(TelegramProfile(5000 + n, f"Buyer {n}"))
        async with self.uow() as uow:
            await uow.wallets.apply(user.id, Money(money, RUB), EntryKind.CREDIT, f"seed:{user.id}", self.clock.now())
            await uow.commit()
        return user

    async def code(self, code: str, event_id: int | None, **options) -> CodeRule:
        scope = options.pop("scope", Scope.event(event_id) if event_id is not None else Scope())
        options.setdefault("basis_points", 1000)
        rule = CodeRule(id=0, code=code, name=options.pop("name", code), event_id=event_id, scope=scope, **options)
        async with self.uow() as uow:
            stored = await uow.promotions.add_code(rule, RUB, None, self.clock.now())
            await uow.commit()
        return stored


async def _count(engine, table, *where) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def test_a_kept_code_applies_once_its_minimum_is_met_and_the_order_keeps_every_discount(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    await shop.code("AUTUMN10", tt.event_id, min_cart=Money(250_000, RUB), name="Autumn 10 %")
    anna = await shop.buyer(1)
    await shop.carts.add_tickets(anna.id, tt.id, 2)

    view, code = await shop.codes.add(anna.id, "  autumn 10 ")
    assert code == "AUTUMN10" and view.codes == ("AUTUMN10",)
    (refusal,) = view.pricing.codes_not_applied
    assert (refusal.reason, refusal.missing) == (Reason.MINIMUM_NOT_MET, Money(50_000, RUB))
    assert view.total == Money(200_000, RUB), "kept, not applied: the list price"

    view = await shop.carts.add_tickets(anna.id, tt.id, 1)
    assert view.total == Money(270_000, RUB) and view.pricing.codes == ("AUTUMN10",)
    (line,) = view.ready
    assert line.discounts[0].name == "Autumn 10 %" and line.discounts[0].amount == Money(30_000, RUB)

    result = await pay(shop.checkout, anna.id, view.version, view.terms, view.total.minor)
    assert result.order.total == Money(270_000, RUB)
    async with engine.connect() as conn:
        stored = (await conn.execute(select(order_lines))).one()
        assert (stored.unit_price_minor, stored.qty, stored.total_minor) == (100_000, 3, 270_000)
        discount = (await conn.execute(select(order_line_discounts))).one()
        assert (discount.source, discount.ref, discount.name, discount.amount_minor) == (
            "code", "AUTUMN10", "Autumn 10 %", 30_000,
        )  # fmt: skip
        prices = [r.price_minor for r in await conn.execute(select(tickets).order_by(tickets.c.id))]
        assert prices == [90_000, 90_000, 90_000], "each ticket's share of its line: what a refund returns"
        assert (await conn.execute(select(promo_codes.c.uses))).scalar_one() == 1
    async with shop.uow(write=False) as uow:
        order = await uow.orders.get(result.order.id)
    assert order.lines[0].paid == Money(270_000, RUB) and order.lines[0].discounts[0].ref == "AUTUMN10"
    assert (await shop.carts.view(anna.id)).codes == (), "a payment uses the cart's codes up"


async def test_a_code_is_used_only_by_a_paid_order(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    await shop.code("ONCE", tt.event_id, max_uses=1)
    anna = await shop.buyer(1)
    await shop.carts.add_tickets(anna.id, tt.id, 1)
    view, _ = await shop.codes.add(anna.id, "once")
    view = await shop.codes.remove(anna.id, "ONCE", view.version)
    assert view.codes == () and view.total == PRICE
    assert await _count(engine, promo_code_uses) == 0
    async with engine.connect() as conn:
        assert (await conn.execute(select(promo_codes.c.uses))).scalar_one() == 0


@pytest.mark.parametrize(
    ("typed", "setup", "error", "params"),
    [
        ("🎟️", {}, PromoCodeNotACode, {}),
        ("x" * 5000, {}, PromoCodeNotACode, {}),
        ("CO\x00DE", {}, PromoCodeNotACode, {}),
        ("NOSUCH", {}, PromoCodeUnknown, {"code": "NOSUCH"}),
        ("gone", {"active": False}, PromoCodeWithdrawn, {"code": "GONE"}),
        ("old", {"valid_until": "past"}, PromoCodeExpired, {"code": "OLD"}),
        ("now", {"valid_until": "now"}, PromoCodeExpired, {"code": "NOW"}),  # the window is half-open
        ("full", {"max_uses": 1, "uses": 1}, PromoCodeUsedUp, {"code": "FULL"}),
    ],
)
async def test_a_code_that_can_never_apply_is_refused_and_changes_nothing(engine, clock, typed, setup, error, params):
    shop = Shop(engine, clock)
    tt = await shop.event()
    setup = dict(setup)  # the parameter is shared by the SQLite and PostgreSQL runs
    if setup:
        if setup.get("valid_until") == "past":
            setup = {"valid_until": clock.now() - timedelta(minutes=1)}
        elif setup.get("valid_until") == "now":
            setup = {"valid_from": clock.now() - timedelta(days=1), "valid_until": clock.now()}
        uses = setup.pop("uses", 0)
        stored = await shop.code(typed.upper(), tt.event_id, **setup)
        if uses:
            async with engine.begin() as conn:
                await conn.execute(promo_codes.update().where(promo_codes.c.id == stored.id).values(uses=uses))
    anna = await shop.buyer(1)
    before = await shop.carts.add_tickets(anna.id, tt.id, 1)
    with pytest.raises(error) as refused:
        await shop.codes.add(anna.id, typed)
    assert refused.value.params == params, "the answer names the code"
    after = await shop.carts.view(anna.id)
    assert (after.version, after.codes, after.total) == (before.version, (), PRICE)


async def test_a_code_used_as_often_as_a_person_may_is_refused_to_them_only(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    await shop.code("MINE", tt.event_id, max_uses_per_person=1)
    anna, boris = await shop.buyer(1), await shop.buyer(2)
    view = await shop.carts.add_tickets(anna.id, tt.id, 1)
    view, _ = await shop.codes.add(anna.id, "MINE")
    await pay(shop.checkout, anna.id, view.version, view.terms, view.total.minor)
    await shop.carts.add_tickets(anna.id, tt.id, 1)
    with pytest.raises(PromoCodeUsedUpForYou) as refused:
        await shop.codes.add(anna.id, "MINE")
    assert refused.value.params == {"code": "MINE", "max": 1}
    await shop.carts.add_tickets(boris.id, tt.id, 1)
    view, _ = await shop.codes.add(boris.id, "MINE")
    assert view.pricing.codes == ("MINE",)


async def test_a_code_typed_twice_and_a_sixth_code_are_refused(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    for n in range(6):
        await shop.code(f"C{n}", tt.event_id)
    anna = await shop.buyer(1)
    await shop.carts.add_tickets(anna.id, tt.id, 1)
    for n in range(5):
        await shop.codes.add(anna.id, f"c{n}")
    with pytest.raises(PromoCodeAlreadyInCart) as refused:
        await shop.codes.add(anna.id, "C0")
    assert refused.value.params == {"code": "C0"}
    with pytest.raises(PromoCodesFull) as refused:
        await shop.codes.add(anna.id, "C5")
    assert refused.value.params == {"max": 5}
    assert (await shop.carts.view(anna.id)).codes == ("C0", "C1", "C2", "C3", "C4")


async def test_ten_wrong_guesses_block_even_a_real_code_for_a_while(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    await shop.code("REAL", tt.event_id)
    anna = await shop.buyer(1)
    await shop.carts.add_tickets(anna.id, tt.id, 1)
    for n in range(10):
        with pytest.raises(PromoCodeUnknown):
            await shop.codes.add(anna.id, f"GUESS{n}")
    with pytest.raises(TooManyAttempts) as refused:
        await shop.codes.add(anna.id, "REAL")
    assert refused.value.params == {"seconds": 600}, "the first wrong guess leaves the window in ten minutes"
    boris = await shop.buyer(2)
    await shop.carts.add_tickets(boris.id, tt.id, 1)
    view, _ = await shop.codes.add(boris.id, "REAL")  # Anna's guesses are hers: Boris is not held up
    assert view.pricing.codes == ("REAL",)
    clock.advance(minutes=11)
    await shop.carts.add_tickets(anna.id, tt.id, 1)  # the hold lapsed meanwhile: a fresh one
    view, _ = await shop.codes.add(anna.id, "REAL")
    assert view.pricing.codes == ("REAL",)


async def test_a_forged_or_stale_remove_changes_nothing(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    await shop.code("KEEP", tt.event_id)
    anna, boris = await shop.buyer(1), await shop.buyer(2)
    await shop.carts.add_tickets(anna.id, tt.id, 1)
    view, _ = await shop.codes.add(anna.id, "KEEP")
    await shop.carts.add_tickets(boris.id, tt.id, 1)
    with pytest.raises(PromoCodeNotInCart):
        await shop.codes.remove(boris.id, "KEEP")  # someone else's code, named in a forged button
    with pytest.raises(CartChanged):
        await shop.codes.remove(anna.id, "KEEP", view.version - 1)
    assert (await shop.carts.view(anna.id)).codes == ("KEEP",)


async def test_a_code_withdrawn_after_it_was_kept_shows_as_withdrawn_and_takes_nothing(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    rule = await shop.code("SOON", tt.event_id)
    anna = await shop.buyer(1)
    await shop.carts.add_tickets(anna.id, tt.id, 1)
    view, _ = await shop.codes.add(anna.id, "SOON")
    assert view.total == Money(90_000, RUB)
    async with engine.begin() as conn:
        await conn.execute(promo_codes.update().where(promo_codes.c.id == rule.id).values(active=False))
    view = await shop.carts.view(anna.id)
    assert view.withdrawn == frozenset({"SOON"}) and view.total == PRICE


async def test_a_pay_button_whose_total_is_no_longer_the_price_charges_nothing(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    rule = await shop.code("LAST", tt.event_id, max_uses=1)
    anna = await shop.buyer(1)
    await shop.carts.add_tickets(anna.id, tt.id, 1)
    shown, _ = await shop.codes.add(anna.id, "LAST")
    assert shown.total == Money(90_000, RUB)
    async with engine.begin() as conn:  # someone else's order took the last use meanwhile
        await conn.execute(promo_codes.update().where(promo_codes.c.id == rule.id).values(uses=1))
    with pytest.raises(PriceChanged) as refused:
        await pay(shop.checkout, anna.id, shown.version, shown.terms, shown.total.minor)
    assert refused.value.params == {"shown": Money(90_000, RUB), "total": PRICE}
    assert await _count(engine, orders) == 0
    assert (await shop.carts.view(anna.id)).pricing.codes_not_applied[0].reason is Reason.USED_UP


async def test_automatic_promotions_price_the_order_with_a_code(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    async with shop.uow() as uow:
        await uow.promotions.add_promotion(
            PromotionRule(
                id=0, event_id=tt.event_id, kind=PromotionKind.QUANTITY, name="4+", min_tickets=4, basis_points=2000
            ),
            RUB,
            clock.now(),
        )
        await uow.commit()
    await shop.code("PLUS", tt.event_id, amount=Money(10_000, RUB), basis_points=None)
    anna = await shop.buyer(1)
    view = await shop.carts.add_tickets(anna.id, tt.id, 3)
    (hint,) = view.pricing.not_applied
    assert (hint.source, hint.reason, hint.missing_tickets) == (Source.PROMOTION, Reason.TOO_FEW_TICKETS, 1)
    await shop.carts.add_tickets(anna.id, tt.id, 1)
    view, _ = await shop.codes.add(anna.id, "PLUS")
    assert view.total == Money(400_000 - 80_000 - 10_000, RUB)
    result = await pay(shop.checkout, anna.id, view.version, view.terms, view.total.minor)
    assert result.order.total == view.total
    assert await _count(engine, order_line_discounts) == 2


async def test_twenty_buyers_race_for_the_last_three_uses_of_a_code(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event(quantity=100)
    rule = await shop.code("LAST3", tt.event_id, max_uses=3, basis_points=5000)
    buyers = [await shop.buyer(n) for n in range(20)]
    shown = {}
    for buyer in buyers:
        await shop.carts.add_tickets(buyer.id, tt.id, 1)
        shown[buyer.id], _ = await shop.codes.add(buyer.id, "LAST3")
        assert shown[buyer.id].total == Money(50_000, RUB), "every one of them sees the code apply"

    async def buy(user_id: int) -> str:
        view = shown[user_id]
        try:
            await pay(shop.checkout, user_id, view.version, view.terms, view.total.minor)
        except (CodeUsedUp, PriceChanged) as error:
            return type(error).__name__
        return "paid"

    outcomes = await asyncio.gather(*(buy(b.id) for b in buyers))
    assert outcomes.count("paid") == 3, outcomes
    assert await _count(engine, orders) == 3
    assert await _count(engine, promo_code_uses, promo_code_uses.c.code_id == rule.id) == 3
    async with engine.connect() as conn:
        assert (await conn.execute(select(promo_codes.c.uses))).scalar_one() == 3
        assert (await conn.execute(select(func.sum(orders.c.total_minor)))).scalar_one() == 3 * 50_000
    async with shop.uow(write=False) as uow:
        balances = [await uow.wallets.balance(b.id, RUB) for b in buyers]
    assert sorted(b.minor for b in balances) == [10_000_000 - 50_000] * 3 + [10_000_000] * 17, "losers pay nothing"


async def test_a_code_typed_beside_a_lapsed_hold_releases_it_and_is_kept(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event(quantity=10)
    await shop.code("LATE", tt.event_id)
    anna = await shop.buyer(1)
    await shop.carts.add_tickets(anna.id, tt.id, 2)
    clock.advance(minutes=15)  # the hold's time is up, and no sweep has run
    view, _ = await shop.codes.add(anna.id, "LATE")
    assert view.codes == ("LATE",) and not view.ready and len(view.unavailable) == 1
    async with shop.uow(write=False) as uow:
        assert (await uow.events.ticket_type(tt.id)).held == 0, "the lapsed hold went back to sale"
    view = await shop.codes.remove(anna.id, "LATE", view.version)  # the view's version is the cart's
    assert view.codes == ()
    view = await shop.carts.renew(anna.id, view.unavailable[0].item_id, view.version)
    assert view.total == Money(200_000, RUB)


async def test_a_code_removed_beside_a_lapsed_hold_releases_it(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event(quantity=10)
    await shop.code("GONE2", tt.event_id)
    anna = await shop.buyer(1)
    await shop.carts.add_tickets(anna.id, tt.id, 3)
    view, _ = await shop.codes.add(anna.id, "GONE2")
    clock.advance(minutes=16)
    view = await shop.codes.remove(anna.id, "GONE2", view.version)
    assert view.codes == () and not view.ready
    async with shop.uow(write=False) as uow:
        assert (await uow.events.ticket_type(tt.id)).held == 0
    assert (await shop.carts.view(anna.id)).version == view.version


async def test_two_codes_typed_at_once_into_a_cart_with_room_for_one_keep_one(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    for n in range(6):
        await shop.code(f"K{n}", tt.event_id)
    anna = await shop.buyer(1)
    await shop.carts.add_tickets(anna.id, tt.id, 1)
    for n in range(4):
        await shop.codes.add(anna.id, f"K{n}")

    async def add(code: str) -> str:
        try:
            await shop.codes.add(anna.id, code)
        except PromoCodesFull:
            return "full"
        return "kept"

    assert sorted(await asyncio.gather(add("K4"), add("K5"))) == ["full", "kept"]
    assert len((await shop.carts.view(anna.id)).codes) == 5


async def test_a_members_cart_with_a_code_is_priced_with_both(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    await shop.code("PLUS5", tt.event_id, basis_points=500)
    anna = await shop.buyer(1)
    async with shop.uow() as uow:
        plan = await uow.memberships.add_plan(
            MembershipPlan(id=0, name="Gold", price=Money(50_000, RUB), basis_points=1000), clock.now()
        )
        await uow.commit()
    await MembershipService(shop.uow, clock, RUB, UTC).buy(anna, plan.id, renew=False, key="buy:1")
    await shop.carts.add_tickets(anna.id, tt.id, 1)
    view, _ = await shop.codes.add(anna.id, "PLUS5")
    assert [rule.name for rule in view.pricing.applied] == ["Gold", "PLUS5"]
    assert view.total == Money(100_000 - 10_000 - 4_500, RUB)


async def test_codes_and_promotions_read_back_exactly_as_written(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    async with shop.uow() as uow:
        other = await uow.events.add_ticket_type(TicketType(0, tt.event_id, "VIP", PRICE * 3, 5, position=1))
        await uow.commit()
    start, end = clock.now() + timedelta(days=1), clock.now() + timedelta(days=2)
    written = [
        PromotionRule(id=0, event_id=tt.event_id, kind=PromotionKind.QUANTITY, name="4+", min_tickets=4,
                      basis_points=1500, valid_from=start, valid_until=end, combinable=False),
        PromotionRule(id=0, event_id=tt.event_id, kind=PromotionKind.BUNDLE, name="Pair", tariff_a=tt.id,
                      tariff_b=other.id, amount=Money(12_345, RUB), active=False),
        PromotionRule(id=0, event_id=tt.event_id, kind=PromotionKind.EARLY, name="Early", basis_points=250,
                      weekdays=frozenset({0, 3, 6}), days_before=14, tariff_id=other.id),
    ]  # fmt: skip
    async with shop.uow() as uow:
        stored = [await uow.promotions.add_promotion(rule, RUB, clock.now()) for rule in written]
        await uow.commit()
    assert [replace(rule, id=0) for rule in stored] == written
    async with shop.uow(write=False) as uow:
        assert await uow.promotions.promotions_of(tt.event_id) == stored
        assert await uow.promotions.for_events([tt.event_id]) == [stored[0], stored[2]], "active ones only"
        assert await uow.promotions.promotion(stored[1].id) == stored[1]

    code = await shop.code("EXACT", tt.event_id, scope=Scope.tariff(other.id), name="Exact", basis_points=None,
                           amount=Money(5_000, RUB), valid_from=start, valid_until=end, max_uses=7,
                           max_uses_per_person=2, min_cart=Money(20_000, RUB), combinable=False)  # fmt: skip
    expected = CodeRule(id=code.id, code="EXACT", name="Exact", event_id=tt.event_id, scope=Scope.tariff(other.id),
                        amount=Money(5_000, RUB), valid_from=start, valid_until=end, max_uses=7,
                        max_uses_per_person=2, min_cart=Money(20_000, RUB), combinable=False)  # fmt: skip
    assert code == expected
    shop_wide = await shop.code("SHOP", None, basis_points=300)
    assert shop_wide.scope == Scope() and shop_wide.event_id is None
    async with shop.uow(write=False) as uow:
        assert await uow.promotions.code("EXACT") == expected
        assert await uow.promotions.codes_of(tt.event_id) == [expected]
        assert await uow.promotions.codes_of(None) == [shop_wide]


async def test_a_code_not_valid_yet_is_kept_with_its_reason_and_applies_from_its_start(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    await shop.code("SOON", tt.event_id, valid_from=clock.now() + timedelta(minutes=5))
    anna = await shop.buyer(1)
    await shop.carts.add_tickets(anna.id, tt.id, 1)
    view, _ = await shop.codes.add(anna.id, "soon")
    assert view.pricing.codes_not_applied[0].reason is Reason.NOT_YET_VALID
    clock.advance(minutes=5)
    assert (await shop.carts.view(anna.id)).pricing.codes == ("SOON",)


async def test_a_use_counts_for_its_own_code_and_person_only(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    first = await shop.code("FIRST", tt.event_id, max_uses_per_person=1)
    second = await shop.code("SECOND", tt.event_id, max_uses_per_person=1, max_uses=5)
    anna = await shop.buyer(1)
    await shop.carts.add_tickets(anna.id, tt.id, 1)
    view, _ = await shop.codes.add(anna.id, "FIRST")
    await pay(shop.checkout, anna.id, view.version, view.terms, view.total.minor)
    async with shop.uow(write=False) as uow:
        uses = [(await uow.promotions.code_by_id(code.id)).uses for code in (first, second)]
    assert uses == [1, 0], "the use is the paid code's"
    await shop.carts.add_tickets(anna.id, tt.id, 1)
    view, _ = await shop.codes.add(anna.id, "SECOND")  # her use of FIRST is not a use of SECOND
    assert view.pricing.codes == ("SECOND",)


async def test_a_member_pays_the_price_the_cart_showed(engine, clock):
    shop = Shop(engine, clock)
    tt = await shop.event()
    anna = await shop.buyer(1)
    async with shop.uow() as uow:
        plan = await uow.memberships.add_plan(
            MembershipPlan(id=0, name="Gold", price=Money(50_000, RUB), basis_points=1000), clock.now()
        )
        await uow.commit()
    await MembershipService(shop.uow, clock, RUB, UTC).buy(anna, plan.id, renew=False, key="buy:1")
    view = await shop.carts.add_tickets(anna.id, tt.id, 2)
    assert view.total == Money(180_000, RUB)
    result = await pay(shop.checkout, anna.id, view.version, view.terms, view.total.minor)
    assert result.order.total == Money(180_000, RUB)
