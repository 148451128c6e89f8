"""Promo console rules a mutation pass found unpinned, on SQLite and PostgreSQL: every card and list the
console draws carries its event and the event's tariffs; a code or promotion of a cancelled event is still
shown (only editing is refused), the shop's codes are edited whatever the state of any event; the typed
steps of a promotion answer with the text the dialog keeps and refuse what is out of range; a missing or
forged tariff of a promotion means the whole event; a refusal names what it refuses."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from domain.errors import (
    EventNotEditable,
    NotOrganizer,
    OwnEventNotFound,
    PercentInvalid,
    PromoAmountInvalid,
    PromoCodeTaken,
    PromoLimitBelowUses,
    PromoNameInvalid,
    PromoNotFound,
    PromoNumberInvalid,
)
from domain.promo_fields import MAX_DAYS_BEFORE, MAX_TICKETS, MIN_TICKETS, CodeOption, Flag, PromotionOption
from domain.promotions import MAX_NAME, PromotionKind
from storage.tables import promo_codes
from tests.storage.test_promo_editor import ADMIN, Shop, _olga


@pytest.fixture
def shop(engine, clock) -> Shop:
    return Shop(engine, clock)


def _ids(tariffs) -> list[int]:
    return [t.id for t in tariffs]


async def test_every_card_and_list_carries_its_event_and_the_events_tariffs(shop):
    olga, standard, vip = await _olga(shop)
    event_id = standard.event_id
    tariffs = [standard.id, vip.id]
    code = await shop.promos.add_code(olga, event_id, "CARD", "10 %", None)
    promotion = await shop.promos.add_promotion(
        olga, event_id, PromotionKind.QUANTITY, {"name": "Groups", "min_tickets": "3", "percent": "10"}
    )

    card = await shop.promos.code(olga, code.id, editing=True)
    assert (card.event.id, card.rule, _ids(card.tariffs)) == (event_id, code, tariffs)
    card = await shop.promos.set_code(olga, code.id, CodeOption.MAX_USES, "1")  # a limit of one use
    assert (card.event.id, card.rule.max_uses, _ids(card.tariffs)) == (event_id, 1, tariffs)
    card = await shop.promos.set_code(olga, code.id, CodeOption.PER_PERSON, "1")
    assert card.rule.max_uses_per_person == 1
    card, changed = await shop.promos.switch_code(olga, code.id, Flag.COMBINABLE, False)
    assert changed and (card.event.id, _ids(card.tariffs)) == (event_id, tariffs)

    listed = await shop.promos.begin_promotion(olga, event_id)
    assert (listed.event.id, [p.id for p in listed.promotions], _ids(listed.tariffs)) == (
        event_id,
        [promotion.id],
        tariffs,
    )
    shown = await shop.promos.promotion(olga, promotion.id, editing=True)
    assert (shown.event.id, shown.rule, _ids(shown.tariffs)) == (event_id, promotion, tariffs)
    shown = await shop.promos.set_promotion(olga, promotion.id, PromotionOption.NAME, "Big groups")
    assert (shown.event.id, shown.rule.name, _ids(shown.tariffs)) == (event_id, "Big groups", tariffs)
    shown, changed = await shop.promos.switch_promotion(olga, promotion.id, Flag.ACTIVE, False)
    assert changed and not shown.rule.active
    assert (shown.event.id, _ids(shown.tariffs)) == (event_id, tariffs)
    shown, changed = await shop.promos.switch_promotion(olga, promotion.id, Flag.ACTIVE, True)
    assert changed and shown.rule.active, "switched back on"
    assert [r.active for r in await shop.promotions()] == [True]

    ivan = await shop.person(2, organizer=True)
    anna = await shop.person(3)
    with pytest.raises(PromoNotFound):
        await shop.promos.promotion(ivan, promotion.id)
    with pytest.raises(NotOrganizer):
        await shop.promos.promotion(anna, promotion.id)
    with pytest.raises(PromoNotFound):
        await shop.promos.promotion(olga, promotion.id + 1000)


async def test_a_cancelled_events_codes_and_promotions_are_shown_but_not_edited(shop):
    olga, standard, _vip = await _olga(shop)
    event_id = standard.event_id
    code = await shop.promos.add_code(olga, event_id, "KEEP", "10 %", None)
    promotion = await shop.promos.add_promotion(
        olga, event_id, PromotionKind.QUANTITY, {"name": "Groups", "min_tickets": "3", "percent": "10"}
    )
    await shop.editor.cancel(olga, event_id)

    assert (await shop.promos.code(olga, code.id)).rule == code
    assert (await shop.promos.promotion(olga, promotion.id)).rule == promotion
    assert not (await shop.promos.promotions(olga, event_id)).editable
    for attempt in (
        shop.promos.code(olga, code.id, editing=True),
        shop.promos.promotion(olga, promotion.id, editing=True),
        shop.promos.begin_promotion(olga, event_id),
    ):
        with pytest.raises(EventNotEditable):
            await attempt

    admin = await shop.person(ADMIN)
    shop_code = await shop.promos.add_code(admin, None, "SHOP", "5 %", None)
    card = await shop.promos.code(admin, shop_code.id, editing=True)  # the shop's codes: no event to check
    assert (card.event, card.rule, card.tariffs) == (None, shop_code, [])


async def test_the_typed_steps_keep_the_text_and_refuse_what_is_out_of_range(shop):
    promos = shop.promos
    assert promos.check_name("  Winter   sale ") == "Winter sale"
    assert promos.check_percent(" 12,5   % ") == "12,5 %"
    assert promos.check_amount(" 1 500,50 ") == "1 500,50"
    assert [promos.check_min_tickets(str(n)) for n in (MIN_TICKETS, MAX_TICKETS)] == [MIN_TICKETS, MAX_TICKETS]
    assert [promos.check_days(str(n)) for n in (0, MAX_DAYS_BEFORE)] == [0, MAX_DAYS_BEFORE]
    for check, typed, error in (
        (promos.check_name, "😀", PromoNameInvalid),
        (promos.check_percent, "0", PercentInvalid),
        (promos.check_amount, "0", PromoAmountInvalid),
        (promos.check_min_tickets, str(MIN_TICKETS - 1), PromoNumberInvalid),
        (promos.check_min_tickets, str(MAX_TICKETS + 1), PromoNumberInvalid),
        (promos.check_days, "-1", PromoNumberInvalid),
        (promos.check_days, str(MAX_DAYS_BEFORE + 1), PromoNumberInvalid),
    ):
        with pytest.raises(error):
            check(typed)

    olga = await shop.person(1, organizer=True)
    admin = await shop.person(ADMIN)
    assert promos.is_admin(admin) and not promos.is_admin(olga)


async def test_a_promotion_without_a_name_or_with_a_missing_or_forged_tariff(shop):
    olga, standard, vip = await _olga(shop)
    event_id = standard.event_id
    for values in ({"min_tickets": "3", "percent": "10"}, {"name": "", "min_tickets": "3", "percent": "10"}):
        with pytest.raises(PromoNameInvalid):
            await shop.promos.add_promotion(olga, event_id, PromotionKind.QUANTITY, values)
    with pytest.raises(PromoNameInvalid) as refused:
        await shop.promos.set_promotion(
            olga,
            (
                await shop.promos.add_promotion(
                    olga, event_id, PromotionKind.QUANTITY, {"name": "Q", "min_tickets": "3", "percent": "10"}
                )
            ).id,
            PromotionOption.NAME,
            None,
        )
    assert refused.value.params == {"max": MAX_NAME}

    quantity = await shop.promos.add_promotion(
        olga, event_id, PromotionKind.QUANTITY, {"name": "Q2", "min_tickets": "3", "percent": "10", "tariff": vip.id}
    )
    assert quantity.tariff_id is None, "a quantity discount is the whole event's"
    early = []
    for forged in (None, 0, -1, True, "x", str(vip.id)):
        values = {"name": f"E{len(early)}", "percent": "10", "weekdays": [1], "days": "0", "tariff": forged}
        early.append(await shop.promos.add_promotion(olga, event_id, PromotionKind.EARLY, values))
    no_tariff = {"name": "E", "percent": "10", "weekdays": [1], "days": "0"}
    early.append(await shop.promos.add_promotion(olga, event_id, PromotionKind.EARLY, no_tariff))
    assert [(p.tariff_id, p.days_before) for p in early] == [(None, 0)] * 7, "the whole event, from day 0"
    for a, b in ((None, vip.id), (standard.id, None), (True, vip.id)):
        values = {"name": "B", "tariff_a": a, "tariff_b": b, "amount": "100"}
        with pytest.raises(OwnEventNotFound):
            await shop.promos.add_promotion(olga, event_id, PromotionKind.BUNDLE, values)


async def test_a_code_taken_while_typed_is_refused_by_name(shop):
    olga, standard, _vip = await _olga(shop)
    ivan = await shop.person(2, organizer=True)
    his = await shop.on_sale(ivan)
    await shop.promos.add_code(olga, standard.event_id, "SUMMER", "10 %", None)
    with pytest.raises(PromoCodeTaken) as refused:
        await shop.promos.add_code(ivan, his.event_id, "summer", "20 %", None)
    assert refused.value.params == {"code": "SUMMER"}


async def test_a_limit_lowered_while_a_payment_counts_a_use_sees_that_use(shop):
    """The payment holds the code's row (its use counted, not committed yet): the edit waits for it and then
    refuses a limit below the uses, rather than failing on the database's check."""
    olga, standard, _vip = await _olga(shop)
    code = await shop.promos.add_code(olga, standard.event_id, "RACE", "10 %", None)
    await shop.count_uses(code.id, 2)
    async with shop.engine.connect() as conn:
        await conn.execute(update(promo_codes).where(promo_codes.c.id == code.id).values(uses=promo_codes.c.uses + 1))
        edit = asyncio.create_task(shop.promos.set_code(olga, code.id, CodeOption.MAX_USES, "2"))
        await asyncio.sleep(0.3)
        assert not edit.done(), "the edit waits for the payment's row"
        await conn.commit()
    with pytest.raises(PromoLimitBelowUses) as refused:
        await edit
    assert refused.value.params == {"uses": 3}
    (row,) = await shop.codes()
    assert (row.uses, row.max_uses) == (3, None)
