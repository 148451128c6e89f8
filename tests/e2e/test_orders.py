"""/orders (D7): the person's own orders, newest first, 10 a page: number, date, status, total, how it was
paid, its lines with what each cost after discounts, and what became of its tickets."""

from __future__ import annotations

import pytest

from domain.pricing import Scope
from domain.promotions import CodeRule
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import credited, make_event, open_tariff, pay_for_myself
from tests.e2e.test_stale_buttons import plain

T = {
    "en": {"empty": "No orders yet.", "add": "Add to cart", "pay": "Accept and pay from wallet",
           "header": "Your orders: 12 orders (page 1 of 2)", "next": "▶️", "page2": "(page 2 of 2)",
           "first": "No. 1 · ", "paid": "paid · 1,350 ₽ from the wallet",
           "line": "Маузер — Standard × 1: 1,350 ₽ (saved 150 ₽)", "tickets": "🎟 1 ticket: ✅ valid × 1"},
    "ru": {"empty": "Заказов пока нет.", "add": "В корзину", "pay": "Принимаю условия, оплатить с кошелька",
           "header": "Ваши заказы: 12 заказов (страница 1 из 2)", "next": "▶️", "page2": "(страница 2 из 2)",
           "first": "№ 1 · ", "paid": "оплачен · 1 350 ₽ из кошелька",
           "line": "Маузер — Standard × 1: 1 350 ₽ (скидка 150 ₽)", "tickets": "🎟 1 билет: ✅ действителен × 1"},
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_orders_newest_first_ten_a_page_with_what_each_cost(sandbox, bot_app, admin, clock, lang):
    t = T[lang]
    event = await make_event(bot_app.engine, clock)
    async with UnitOfWorkFactory(bot_app.engine)() as uow:
        rule = CodeRule(id=0, code="TEN", name="Ten", event_id=event.id, scope=Scope.event(event.id),
                        basis_points=1000, max_uses=1)  # fmt: skip
        await uow.promotions.add_code(rule, "RUB", None, clock.now())
        await uow.commit()
    anna = await credited(sandbox, admin, "Anna", lang, amount="100000")
    boris = await credited(sandbox, admin, "Boris", lang)
    await anna.send("/orders")
    assert t["empty"] in plain(anna.last_text())
    for n in range(12):
        await open_tariff(anna)
        await anna.press(t["add"])
        await anna.send("/cart")
        if n == 0:
            await anna.press("🏷")
            await anna.send("ten")
        await pay_for_myself(anna, t["pay"])
    await anna.send("/orders")
    text = plain(anna.last_text())
    assert t["header"] in text and "No. 12 · " in text.replace("№", "No.") and t["first"] not in text
    await anna.press(t["next"])
    text = plain(anna.last_text())
    assert t["page2"] in text and t["first"] in text
    assert t["paid"] in text and t["line"] in text and t["tickets"] in text, text
    await boris.send("/orders")
    assert t["empty"] in plain(boris.last_text()), "only one's own orders"
    await boris.press_data("ol:1")  # a forged page button: always the presser's own orders
    assert "1,350" not in plain(boris.last_text()) and "1 350" not in plain(boris.last_text())
