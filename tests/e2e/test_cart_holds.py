"""Every change of the cart restarts the holds of its live lines, so they lapse together and the cart says
one time; a lapsed line stays apart with its reason and its buttons (English and Russian)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import open_tariff

T = {
    "en": {"add": "Add to cart", "until": "· held until {t}", "all": "Your tickets are held until {t}.",
           "lapsed": "the hold has expired", "again": "Hold again"},
    "ru": {"add": "В корзину", "until": "· бронь до {t}", "all": "Билеты забронированы за вами до {t}.",
           "lapsed": "бронь истекла", "again": "Забронировать снова"},
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_holds_restart_together_and_a_lapsed_line_stays_apart(sandbox, bot_app, demo_event, clock, lang):
    t = T[lang]
    anna = sandbox.user("Anna", lang=lang)
    await anna.send("/start")
    await open_tariff(anna)
    await anna.press(t["add"] + " (1)")
    clock.advance(minutes=10)  # 15:10 in Moscow
    await open_tariff(anna, tariff="VIP")
    await anna.press(t["add"] + " (1)")
    await anna.send("/cart")
    text = anna.last_text()
    assert text.count(t["until"].format(t="15:25")) == 2, "both lines restarted with the second"
    assert t["all"].format(t="15:25") in text

    clock.advance(minutes=10)  # 15:20: ➖ on one line restarts the other too
    await anna.press("➕ 1")
    assert anna.last_text().count(t["until"].format(t="15:35")) == 2

    clock.advance(minutes=16)  # 15:36: everything lapsed
    await anna.send("/cart")
    assert anna.last_text().count(t["lapsed"]) == 2
    await anna.press(t["again"] + " 1")
    text = anna.last_text()
    assert t["until"].format(t="15:51") in text and text.count(t["lapsed"]) == 1, "the other line stays lapsed"
