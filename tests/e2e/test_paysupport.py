"""/terms and /paysupport, which Telegram asks every bot that takes payments to answer: the sale terms with
how refunds and payments work, and a payment question delivered to the shop's administrators."""

from __future__ import annotations

import pytest

from tests.e2e.test_stale_buttons import plain

T = {
    "en": {
        "terms": ["Sale terms", "a ticket admits one person once", "Refunds:", "the shop never sees your card"],
        "ask": "Describe your payment question in one message",
        "sent": "Sent to the shop's administrators",
        "long": "That is 1001 characters: please keep the question within 1000 characters.",
    },
    "ru": {
        "terms": ["Условия продажи", "Возвраты:", "магазин не видит вашу карту"],
        "ask": "Опишите вопрос об оплате одним сообщением",
        "sent": "Отправлено администраторам магазина",
        "long": "Это 1001 символ: пожалуйста, уложитесь в 1000 символов.",  # 1001: the plural of 1
    },
}


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_terms_and_a_payment_question_reaching_the_administrators(sandbox, bot_app, admin, lang):
    t = T[lang]
    await admin.send("/start")
    anna = sandbox.user("Anna", lang=lang, username="anna_k")
    await anna.send("/start")
    await anna.send("/terms")
    for part in t["terms"]:
        assert part in plain(anna.last_text()), part

    await anna.send("/paysupport")
    assert t["ask"] in plain(anna.last_text())
    await anna.send("Order 12: charged <b>twice</b> & no ticket?")
    assert t["sent"] in plain(anna.last_text())
    card = plain(admin.last_text())
    assert "Payment question from Anna (@anna_k), id " + str(anna.id) in card
    assert "Order 12: charged <b>twice</b> & no ticket?" in card, "shown as typed, not as markup"

    await anna.send("/paysupport " + "x" * 1001)
    assert plain(anna.last_text()) == t["long"]
    assert "x" * 50 not in plain(admin.last_text()), "nothing sent"
    await anna.send("/paysupport Where is my refund?")
    assert "Where is my refund?" in plain(admin.last_text())
