"""Anti-scalping limits as people meet them: an organizer sets tickets per person and per order from the
event's menu (garbage refused, removal back to the shop's limit); customers are refused with the limit and
what is still allowed, in English and Russian, when adding, with ➕, and after buying."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import make_event, open_tariff, pay_for_myself, start_bot, stop_bot
from tests.e2e.test_door_staff import _on_sale
from tests.e2e.test_event_dialog import make_organizer


async def _limits(olga, per_person: str, per_order: str) -> None:
    await olga.press("✏️ Tickets per person")
    assert "from 1 to 1000" in olga.last_text()
    for garbage in ("abc", "0", "-5", "1e9", "10000", "٣"):
        await olga.send(garbage)
        assert "whole number of tickets from 1 to 1000" in olga.last_text(), garbage
    await olga.send(per_person)
    assert f"Tickets per person: {per_person}" in olga.last_text()
    await olga.press("✏️ Tickets per order")
    await olga.send(per_order)
    assert f"Tickets per order: {per_order}" in olga.last_text()


async def test_an_organizers_limits_refuse_customers_in_english_and_russian(sandbox, bot_app, admin):
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Квартирник", "25.12.2026 19:00")
    assert "Tickets per person: the shop's limit" in olga.last_text()
    await _limits(olga, "3", "2")

    anna = sandbox.user("Anna")
    await anna.send("/start")
    await anna.send("Квартирник")
    await anna.press("Квартирник")
    await anna.press("Standard")
    await anna.press("➕")
    await anna.press("➕")
    await anna.press("Add to cart (3)")
    assert anna.last_alert() == (
        "«Квартирник»: the limit is 2 tickets per order. In your cart: 0 tickets; you can add 2 tickets more at most."
    )
    await anna.press("➖")
    await anna.press("Add to cart (2)")
    assert "Held for you" in anna.last_alert()

    boris = sandbox.user("Борис", lang="ru")
    await boris.send("/start")
    await admin.send(f"/credit {boris.id} 10000")
    await boris.send("Квартирник")
    await boris.press("Квартирник")
    await boris.press("Standard")
    await boris.press("➕")
    await boris.press("В корзину (2)")
    await boris.send("/cart")
    await boris.press("➕")
    assert boris.last_alert() == (
        "«Квартирник»: лимит на один заказ — 2 билета. В корзине: 2 билета; можно добавить ещё: 0 билетов."
    )
    await pay_for_myself(boris, "Оплатить с кошелька")
    await boris.send("Квартирник")
    await boris.press("Квартирник")
    await boris.press("Standard")
    await boris.press("➕")
    await boris.press("В корзину (2)")
    assert boris.last_alert() == (
        "«Квартирник»: лимит в одни руки — 3 билета. Куплено: 2 билета; в корзине: 0 билетов; "
        "можно добавить ещё: 1 билет."
    )
    await boris.press("➖")
    await boris.press("В корзину (1)")
    assert "лимит" not in (boris.last_alert() or "")

    await olga.send("/events")
    await olga.press("1")
    await olga.press("✏️ Tickets per person")
    await olga.press("🗑 Remove")
    assert "Tickets per person: the shop's limit" in olga.last_text()


@pytest.fixture
async def strict_bot(sandbox, sqlite_engine, clock):
    """The shop's own limits set low: 3 tickets held at once, a cool-down after 2 drops within 10 minutes."""
    app, task = await start_bot(sandbox, sqlite_engine, clock, max_tickets_held=3, hold_cooldown_releases=2)
    yield app
    await stop_bot(app, task)


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_held_at_once_and_the_cool_down(sandbox, strict_bot, clock, lang):
    t = {
        "en": {
            "add": "Add to cart",
            "held": "You can hold at most 3 tickets at once, all events together. In your cart: 2 tickets; "
            "you can add 1 ticket more at most. Pay for or remove some first.",
            "wait": "You have taken and dropped tickets many times in a short while. New tickets can be held "
            "again in 15 minutes.",
            "wait_1": "New tickets can be held again in 1 minute.",
            "added": "✅ Added to the cart",
        },
        "ru": {
            "add": "В корзину",
            "held": "Держать в корзине можно не больше: 3 билета, по всем мероприятиям вместе. В корзине: 2 билета; "
            "можно добавить ещё: 1 билет. Сначала оплатите или уберите часть.",
            "wait": "Вы много раз подряд брали и убирали билеты. Новые билеты можно будет отложить через 15 минут.",
            "wait_1": "Новые билеты можно будет отложить через 1 минуту.",
            "added": "✅ Добавлено в корзину",
        },
    }[lang]
    await make_event(strict_bot.engine, clock, title="Маузер")
    await make_event(strict_bot.engine, clock, title="Гамлет")
    anna = sandbox.user("Anna", lang=lang)
    await anna.send("/start")
    await open_tariff(anna, event="Маузер")
    await anna.press("➕")
    await anna.press(t["add"] + " (2)")
    await open_tariff(anna, event="Гамлет")
    await anna.press("➕")
    await anna.press(t["add"] + " (2)")
    assert anna.last_alert() == t["held"]

    await anna.send("/cart")
    await anna.press("🗑 1")  # the first drop
    await open_tariff(anna, event="Гамлет")
    await anna.press(t["add"] + " (1)")
    await anna.send("/cart")
    await anna.press("➖ 1")  # the second drop within ten minutes: new holds wait
    await open_tariff(anna, event="Гамлет")
    await anna.press(t["add"] + " (1)")
    assert anna.last_alert() == t["wait"]
    clock.advance(minutes=14, seconds=1)
    await anna.press(t["add"] + " (1)")
    assert t["wait_1"] in anna.last_alert()
    clock.advance(minutes=1)
    await anna.press(t["add"] + " (1)")
    assert anna.last_alert().startswith(t["added"]), "15 minutes after the last drop"
