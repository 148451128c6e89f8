"""The organizer's promo codes and promotions at the service level, on SQLite and PostgreSQL: a code is
written whole for one's own event (the whole event or one of its tariffs) or, by an admin, for the whole
shop; its text is unique across all events; each option changes alone and a limit never goes below the
uses counted; another organizer, a customer and forged ids change nothing; the three kinds of promotion
are written with their tariffs checked to be the event's; withdrawing keeps the row."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from domain.errors import (
    BundleSameTariff,
    DateInPast,
    DiscountInvalid,
    EventNotEditable,
    NotAdmin,
    NotOrganizer,
    OwnEventNotFound,
    PercentInvalid,
    PromoAmountInvalid,
    PromoCodeInvalid,
    PromoCodeTaken,
    PromoLimitBelowUses,
    PromoNameInvalid,
    PromoNotFound,
    PromoNumberInvalid,
    PromoWindowInvalid,
    WeekdaysEmpty,
)
from domain.money import Money
from domain.policies import AdminPolicy
from domain.pricing import WHOLE_CART, Scope
from domain.promo_fields import CodeOption, Flag, PromotionOption
from domain.promotions import PromotionKind
from domain.services.promo_editor import PromoEditor
from storage.tables import promo_codes, promotions
from tests.storage.test_tariff_editor import MSK, Box

ADMIN = 999


class Shop(Box):
    def __init__(self, engine, clock) -> None:
        super().__init__(engine, clock)
        self.promos = PromoEditor(self.uow, clock, AdminPolicy(frozenset({ADMIN})), "RUB", MSK)

    async def codes(self):
        async with self.engine.connect() as conn:
            return list(await conn.execute(select(promo_codes).order_by(promo_codes.c.id)))

    async def promotions(self):
        async with self.engine.connect() as conn:
            return list(await conn.execute(select(promotions).order_by(promotions.c.id)))

    async def count_uses(self, code_id: int, uses: int) -> None:
        """As if `uses` paid orders carried the code (checkout counts them; this is not its test)."""
        async with self.engine.begin() as conn:
            await conn.execute(update(promo_codes).where(promo_codes.c.id == code_id).values(uses=uses))


@pytest.fixture
def shop(engine, clock) -> Shop:
    return Shop(engine, clock)


async def _olga(shop):
    olga = await shop.person(1, organizer=True)
    standard = await shop.on_sale(olga)
    vip = await shop.tariffs.create(olga, standard.event_id, {"name": "VIP", "price": 300_000, "quantity": 5})
    return olga, standard, vip


async def test_a_code_is_written_whole_for_the_event_or_one_of_its_tariffs(shop):
    olga, standard, vip = await _olga(shop)
    event_id = standard.event_id
    assert await shop.promos.check_code(" summer 26 ") == "SUMMER26"
    assert shop.promos.check_discount(" 10  % ") == "10 %"
    vip_code = await shop.promos.add_code(olga, event_id, "summer 26", "10 %", vip.id)
    whole = await shop.promos.add_code(olga, event_id, "friends", "1 500,50", None)
    assert (vip_code.code, vip_code.name, vip_code.event_id) == ("SUMMER26", "SUMMER26", event_id)
    assert (vip_code.scope, vip_code.basis_points, vip_code.amount) == (Scope.tariff(vip.id), 1000, None)
    assert (whole.scope, whole.basis_points, whole.amount) == (Scope.event(event_id), None, Money(150_050, "RUB"))
    assert (whole.max_uses, whole.valid_until, whole.min_cart, whole.combinable, whole.active) == (
        None,
        None,
        None,
        True,
        True,
    )
    listed = await shop.promos.codes(olga, event_id)
    assert [c.code for c in listed.codes] == ["FRIENDS", "SUMMER26"] and listed.editable
    assert [t.id for t in listed.tariffs] == [standard.id, vip.id]
    rows = await shop.codes()
    assert [(r.code, r.created_by, r.currency) for r in rows] == [
        ("SUMMER26", olga.id, "RUB"),
        ("FRIENDS", olga.id, "RUB"),
    ]


async def test_a_code_text_is_taken_across_events_and_refusals_write_nothing(shop):
    olga, standard, _vip = await _olga(shop)
    ivan = await shop.person(2, organizer=True)
    his = await shop.on_sale(ivan)
    await shop.promos.add_code(olga, standard.event_id, "SUMMER", "10%", None)
    for text in ("summer", " Sum mer "):
        with pytest.raises(PromoCodeTaken) as info:
            await shop.promos.check_code(text)
        assert info.value.params == {"code": "SUMMER"}
    with pytest.raises(PromoCodeTaken):
        await shop.promos.add_code(ivan, his.event_id, "summer", "20 %", None)  # typed at the same time
    for text in ("😀", "a\x00b", "Ж" * 5000, "летний", "", "x" * 33):
        with pytest.raises(PromoCodeInvalid):
            await shop.promos.check_code(text)
        with pytest.raises(PromoCodeInvalid):
            await shop.promos.add_code(olga, standard.event_id, text, "10 %", None)
    for discount in ("0 %", "101 %", "-5", "0", "abc", "😀", "Ж" * 5000, "10\x00%", "1e3", "2000000"):
        with pytest.raises(DiscountInvalid):
            shop.promos.check_discount(discount)
        with pytest.raises(DiscountInvalid):
            await shop.promos.add_code(olga, standard.event_id, "OTHER", discount, None)
    assert [r.code for r in await shop.codes()] == ["SUMMER"]


async def test_only_ones_own_events_and_only_admins_for_the_shop(shop):
    olga, standard, vip = await _olga(shop)
    ivan = await shop.person(2, organizer=True)
    his = await shop.on_sale(ivan)
    anna = await shop.person(3)
    admin = await shop.person(ADMIN)
    code = await shop.promos.add_code(olga, standard.event_id, "OLGA", "10 %", None)
    with pytest.raises(OwnEventNotFound):
        await shop.promos.add_code(ivan, standard.event_id, "IVAN", "10 %", None)
    with pytest.raises(OwnEventNotFound):  # his event, her tariff
        await shop.promos.add_code(ivan, his.event_id, "IVAN", "10 %", vip.id)
    with pytest.raises(OwnEventNotFound):
        await shop.promos.codes(ivan, standard.event_id)
    with pytest.raises(NotOrganizer):
        await shop.promos.codes(anna, standard.event_id)
    for call in (
        shop.promos.code(ivan, code.id),
        shop.promos.set_code(ivan, code.id, CodeOption.MAX_USES, "1"),
        shop.promos.switch_code(ivan, code.id, Flag.ACTIVE, False),
        shop.promos.code(ivan, code.id + 1000),
    ):
        with pytest.raises(PromoNotFound):
            await call
    with pytest.raises(NotOrganizer):
        await shop.promos.switch_code(anna, code.id, Flag.ACTIVE, False)
    for person in (olga, anna):
        with pytest.raises(NotAdmin):
            await shop.promos.codes(person, None)
        with pytest.raises(NotAdmin):
            await shop.promos.add_code(person, None, "SHOP", "5 %", None)

    shop_code = await shop.promos.add_code(admin, None, "shop-wide", "5 %", None)
    assert (shop_code.code, shop_code.event_id, shop_code.scope) == ("SHOP-WIDE", None, WHOLE_CART)
    with pytest.raises(OwnEventNotFound):  # the shop's codes name no tariff
        await shop.promos.add_code(admin, None, "SHOP2", "5 %", vip.id)
    with pytest.raises(PromoNotFound):
        await shop.promos.switch_code(olga, shop_code.id, Flag.ACTIVE, False)
    assert [c.code for c in (await shop.promos.codes(admin, None)).codes] == ["SHOP-WIDE"]
    # an admin manages any event's codes too
    await shop.promos.set_code(admin, code.id, CodeOption.MAX_USES, "10")
    rows = await shop.codes()
    assert [(r.code, r.event_id, r.max_uses, r.active) for r in rows] == [
        ("OLGA", standard.event_id, 10, True),
        ("SHOP-WIDE", None, None, True),
    ]


async def test_each_option_changes_alone_and_a_limit_stays_above_the_uses(shop, clock):
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    olga, standard, _vip = await _olga(shop)
    code = await shop.promos.add_code(olga, standard.event_id, "WINTER", "15 %", None)
    card = await shop.promos.set_code(olga, code.id, CodeOption.NAME, "  Winter   sale ")
    assert card.rule.name == "Winter sale"
    card = await shop.promos.set_code(olga, code.id, CodeOption.VALID_FROM, "10.12.2026 10:00")
    assert card.rule.valid_from == datetime(2026, 12, 10, 7, 0, tzinfo=UTC)  # typed in Moscow
    with pytest.raises(PromoWindowInvalid):
        await shop.promos.set_code(olga, code.id, CodeOption.VALID_UNTIL, "10.12.2026 10:00")
    with pytest.raises(DateInPast):
        await shop.promos.set_code(olga, code.id, CodeOption.VALID_UNTIL, "01.11.2026 10:00")
    card = await shop.promos.set_code(olga, code.id, CodeOption.VALID_UNTIL, "20.12.2026 23:59")
    with pytest.raises(PromoWindowInvalid):
        await shop.promos.set_code(olga, code.id, CodeOption.VALID_FROM, "21.12.2026 10:00")
    card = await shop.promos.set_code(olga, code.id, CodeOption.MAX_USES, "50")
    card = await shop.promos.set_code(olga, code.id, CodeOption.PER_PERSON, "2")
    card = await shop.promos.set_code(olga, code.id, CodeOption.MIN_CART, "2000")
    rule = card.rule
    assert (rule.max_uses, rule.max_uses_per_person, rule.min_cart) == (50, 2, Money(200_000, "RUB"))
    assert rule.valid_until == datetime(2026, 12, 20, 20, 59, tzinfo=UTC)

    before = await shop.codes()
    for option, typed, error in (
        (CodeOption.NAME, "😀🎉", PromoNameInvalid),
        (CodeOption.NAME, "Ж" * 5000, PromoNameInvalid),
        (CodeOption.NAME, "x" * 61, PromoNameInvalid),
        (CodeOption.MAX_USES, "0", PromoNumberInvalid),
        (CodeOption.MAX_USES, "ten", PromoNumberInvalid),
        (CodeOption.MAX_USES, "5" * 5000, PromoNumberInvalid),
        (CodeOption.PER_PERSON, "-1", PromoNumberInvalid),
        (CodeOption.MIN_CART, "0", PromoAmountInvalid),
        (CodeOption.MIN_CART, "\x00", PromoAmountInvalid),
    ):
        with pytest.raises(error):
            await shop.promos.set_code(olga, code.id, option, typed)
    await shop.count_uses(code.id, 3)
    with pytest.raises(PromoLimitBelowUses) as info:
        await shop.promos.set_code(olga, code.id, CodeOption.MAX_USES, "2")
    assert info.value.params == {"uses": 3}
    after = await shop.codes()
    assert [{**r._asdict(), "uses": 0} for r in after] == [{**r._asdict(), "uses": 0} for r in before]
    card = await shop.promos.set_code(olga, code.id, CodeOption.MAX_USES, "3")  # used up: allowed
    assert (card.rule.max_uses, card.rule.uses) == (3, 3)

    # removed: the name back to the code, no limits, open window, no minimum
    for option in CodeOption:
        card = await shop.promos.set_code(olga, code.id, option, None)
    rule = card.rule
    assert (rule.name, rule.max_uses, rule.max_uses_per_person, rule.min_cart) == ("WINTER", None, None, None)
    assert (rule.valid_from, rule.valid_until) == (None, None)


async def test_withdrawn_codes_stay_and_switches_set_not_flip(shop):
    olga, standard, _vip = await _olga(shop)
    code = await shop.promos.add_code(olga, standard.event_id, "GONE", "100 %", None)
    card, changed = await shop.promos.switch_code(olga, code.id, Flag.ACTIVE, False)
    assert changed and not card.rule.active
    card, changed = await shop.promos.switch_code(olga, code.id, Flag.ACTIVE, False)  # pressed again
    assert not changed and not card.rule.active
    card, changed = await shop.promos.switch_code(olga, code.id, Flag.COMBINABLE, False)
    assert changed and not card.rule.combinable
    with pytest.raises(PromoNotFound):
        await shop.promos.switch_code(olga, code.id, "delete", True)
    assert [(r.code, r.active, r.combinable) for r in await shop.codes()] == [("GONE", False, False)]
    card, changed = await shop.promos.switch_code(olga, code.id, Flag.ACTIVE, True)
    assert changed and card.rule.active


async def test_a_cancelled_event_keeps_its_codes_as_they_are(shop):
    olga, standard, _vip = await _olga(shop)
    code = await shop.promos.add_code(olga, standard.event_id, "KEEP", "10 %", None)
    await shop.editor.cancel(olga, standard.event_id)
    assert not (await shop.promos.codes(olga, standard.event_id)).editable
    with pytest.raises(EventNotEditable):
        await shop.promos.begin_code(olga, standard.event_id)
    with pytest.raises(EventNotEditable):
        await shop.promos.add_code(olga, standard.event_id, "NEW", "10 %", None)
    with pytest.raises(EventNotEditable):
        await shop.promos.switch_code(olga, code.id, Flag.ACTIVE, False)
    with pytest.raises(EventNotEditable):
        await shop.promos.add_promotion(
            olga, standard.event_id, PromotionKind.QUANTITY, {"name": "3+", "min_tickets": 3, "percent": "10"}
        )
    assert [(r.code, r.active) for r in await shop.codes()] == [("KEEP", True)]


async def test_the_three_kinds_of_promotion(shop):
    olga, standard, vip = await _olga(shop)
    event_id = standard.event_id
    quantity = await shop.promos.add_promotion(
        olga, event_id, PromotionKind.QUANTITY, {"name": "Three or more", "min_tickets": "3", "percent": "10 %"}
    )
    bundle = await shop.promos.add_promotion(
        olga,
        event_id,
        "bundle",
        {"name": "Couple", "tariff_a": standard.id, "tariff_b": vip.id, "amount": "500"},
    )
    early = await shop.promos.add_promotion(
        olga,
        event_id,
        PromotionKind.EARLY,
        {"name": "Early bird", "percent": "12,5", "weekdays": [0, 2, 9, True], "days": "14", "tariff": vip.id},
    )
    assert (quantity.kind, quantity.min_tickets, quantity.basis_points) == (PromotionKind.QUANTITY, 3, 1000)
    assert (bundle.tariff_a, bundle.tariff_b, bundle.amount) == (standard.id, vip.id, Money(50_000, "RUB"))
    assert (early.basis_points, early.weekdays, early.days_before, early.tariff_id) == (1250, {0, 2}, 14, vip.id)
    listed = await shop.promos.promotions(olga, event_id)
    assert [p.name for p in listed.promotions] == ["Three or more", "Couple", "Early bird"]

    ivan = await shop.person(2, organizer=True)
    his = await shop.on_sale(ivan)
    refusals = [
        (PromotionKind.QUANTITY, {"name": "x", "min_tickets": "1", "percent": "10"}, PromoNumberInvalid),
        (PromotionKind.QUANTITY, {"name": "x", "min_tickets": "101", "percent": "10"}, PromoNumberInvalid),
        (PromotionKind.QUANTITY, {"name": "x", "min_tickets": "3", "percent": "0"}, PercentInvalid),
        (PromotionKind.QUANTITY, {"name": "😀", "min_tickets": "3", "percent": "10"}, PromoNameInvalid),
        (PromotionKind.BUNDLE, {"name": "x", "tariff_a": standard.id, "tariff_b": standard.id, "amount": "5"}, None),
        (PromotionKind.BUNDLE, {"name": "x", "tariff_a": standard.id, "tariff_b": his.id, "amount": "5"}, None),
        (PromotionKind.BUNDLE, {"name": "x", "tariff_a": standard.id, "tariff_b": vip.id, "amount": "0"}, None),
        (PromotionKind.EARLY, {"name": "x", "percent": "10", "weekdays": [], "days": "1"}, WeekdaysEmpty),
        (PromotionKind.EARLY, {"name": "x", "percent": "10", "weekdays": [1], "days": "366"}, PromoNumberInvalid),
        (PromotionKind.EARLY, {"name": "x", "percent": "10", "weekdays": [1], "days": "1", "tariff": his.id}, None),
    ]
    expected = [BundleSameTariff, OwnEventNotFound, PromoAmountInvalid, OwnEventNotFound]
    for kind, values, error in refusals:
        with pytest.raises(error or expected.pop(0)):
            await shop.promos.add_promotion(olga, event_id, kind, values)
    with pytest.raises(OwnEventNotFound):
        await shop.promos.add_promotion(
            ivan, event_id, PromotionKind.QUANTITY, {"name": "x", "min_tickets": 3, "percent": "5"}
        )
    with pytest.raises(PromoNotFound):
        await shop.promos.switch_promotion(ivan, quantity.id, Flag.ACTIVE, False)
    with pytest.raises(PromoNotFound):
        await shop.promos.set_promotion(ivan, bundle.id, PromotionOption.NAME, "Mine")
    assert len(await shop.promotions()) == 3

    card = await shop.promos.set_promotion(olga, quantity.id, PromotionOption.NAME, "Groups")
    assert card.rule.name == "Groups"
    with pytest.raises(PromoNameInvalid):
        await shop.promos.set_promotion(olga, quantity.id, PromotionOption.NAME, None)
    card = await shop.promos.set_promotion(olga, quantity.id, PromotionOption.VALID_UNTIL, "24.12.2026 23:00")
    assert card.rule.valid_until == datetime(2026, 12, 24, 20, 0, tzinfo=UTC)
    card, changed = await shop.promos.switch_promotion(olga, quantity.id, Flag.ACTIVE, False)
    assert changed and not card.rule.active
    rows = await shop.promotions()
    assert [(r.name, r.active, r.min_tickets) for r in rows] == [
        ("Groups", False, 3),
        ("Couple", True, None),
        ("Early bird", True, None),
    ]
