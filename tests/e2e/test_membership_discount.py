"""D6 with C5: a membership's discount is one more rule of the pricing function. A member sees it in the
cart beside the line it applies to, pays the discounted total, and the order keeps it; once the membership
has lapsed the same cart is at list price."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.tables import order_line_discounts, orders
from tests.e2e.conftest import ADMIN_ID, balance, credited, make_event, open_tariff, pay_for_myself
from tests.e2e.test_memberships import T, create_plan, tick
from tests.e2e.test_stale_buttons import plain

CART = {
    "en": {"add": "Add to cart", "discounts": "🎁 Discounts", "pay": "Accept and pay from wallet",
           "saving": "List price 1,500 ₽, you save 150 ₽", "total": "Total: 1,350 ₽"},
    "ru": {"add": "В корзину", "discounts": "🎁 Скидки", "pay": "Принимаю условия, оплатить с кошелька",
           "saving": "Без скидок 1 500 ₽, вы экономите 150 ₽", "total": "Итого: 1 350 ₽"},
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_a_members_cart_takes_the_plans_discount_until_the_membership_lapses(sandbox, bot_app, clock, lang):
    await make_event(bot_app.engine, clock, days=60)  # a theatre event still on sale after a month
    t, c = T[lang], CART[lang]
    admin = sandbox.user("Admin", lang=lang, user_id=ADMIN_ID)
    await admin.send("/start")
    await create_plan(admin, lang)  # Gold: 500 ₽ a month, 10 % off theatre tickets
    anna = await credited(sandbox, admin, "Anna", lang, amount="2350")
    await anna.send("/membership")
    await anna.press(t["buy_once"])
    assert await balance(bot_app.engine, anna.id) == 185_000

    await open_tariff(anna)  # Маузер, a theatre event: Standard 1,500 ₽
    await anna.press(c["add"])
    await anna.send("/cart")
    text = plain(anna.last_text())
    assert c["discounts"] in text and "✅ Gold: −150 ₽" in text, text
    assert "🏷 −150 ₽ Gold → 1,350 ₽".replace(",", "," if lang == "en" else " ") in text
    assert c["total"] in text and c["saving"] in text
    await pay_for_myself(anna, c["pay"])
    assert await balance(bot_app.engine, anna.id) == 185_000 - 135_000
    async with bot_app.engine.connect() as conn:
        assert [r.total_minor for r in await conn.execute(select(orders))] == [135_000]
        kept = (await conn.execute(select(order_line_discounts))).one()
        assert (kept.source, kept.ref, kept.amount_minor) == ("membership", "Gold", 15_000)

    clock.advance(days=31)  # the month bought once is over
    await tick(bot_app)
    await open_tariff(anna)
    await anna.press(c["add"])
    await anna.send("/cart")
    text = plain(anna.last_text())
    assert "Gold" not in text and c["discounts"] not in text
    assert c["total"].replace("1,350", "1,500").replace("1 350", "1 500") in text, text
