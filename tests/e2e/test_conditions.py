"""C6: before paying, the cart lists each event's attendance conditions (age limit, the organizer's own
text) and the shop's sale terms; the Pay button is the acceptance ("Accept and pay"), and what was
accepted, with when, is kept with the order. A Pay button drawn before the organizer changed the
conditions, or a forged one, charges nothing and shows the conditions as they are now."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from domain.models import Event, EventStatus, TicketType
from domain.money import Money
from storage.tables import orders
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import balance, credited, open_tariff, pay_for_myself, quota
from tests.e2e.test_door_staff import _on_sale
from tests.e2e.test_event_dialog import make_organizer
from tests.e2e.test_stale_buttons import button_data, plain

CAMERAS = "No professional cameras. Bring the ticket on your phone."


async def _orders(engine) -> list:
    async with engine.connect() as conn:
        return list(await conn.execute(select(orders)))


async def _customer(sandbox, admin, name: str, lang: str, event: str):
    person = await credited(sandbox, admin, name, lang)
    await open_tariff(person, event=event)
    await person.press("Add to cart" if lang == "en" else "В корзину")
    await person.send("/cart")
    return person


async def test_conditions_are_shown_accepted_with_pay_and_kept_with_the_order(sandbox, bot_app, admin, clock):
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Квартирник", "25.12.2026 19:00")
    await olga.press("✏️ Age limit")
    await olga.send("18")
    await olga.press("✏️ Conditions")
    await olga.send(CAMERAS)

    anna = await _customer(sandbox, admin, "Anna", "en", "Квартирник")
    cart = anna.last_message()
    text = plain(cart.text)
    assert "Before you pay, please read:" in text
    assert "Квартирник: 🔞 18+, an ID may be asked at the entrance · " + CAMERAS in text
    assert "Sale terms: a ticket admits one person once, by its QR code" in text
    assert "By pressing “Accept and pay” you accept these conditions." in text
    assert "Conditions in full" not in str(cart.button_labels()), "nothing was cut"
    pay = button_data(cart, "✅ Accept and pay from wallet")

    # A forged button naming other conditions, and one without any: nothing charged, nothing sold.
    version, total = pay.split(":")[1], pay.split(":")[3]
    await anna.press_data(f"pay:{version}:{'0' * 16}:{total}")
    assert anna.last_alert().startswith("The conditions of an event in your cart have changed")
    await anna.press_data(f"pay:{version}")
    assert anna.last_alert().startswith("This button is out of date"), "a Pay button without conditions"
    assert await balance(bot_app.engine, anna.id) == 1_000_000
    assert await _orders(bot_app.engine) == []

    # The organizer changes the conditions after Anna's cart was drawn: her Pay button is now stale.
    await olga.press("✏️ Conditions")
    await olga.send("Dress code: black tie.")
    await anna.press("Accept and pay from wallet", message=cart)
    assert anna.last_alert().startswith("The conditions of an event in your cart have changed")
    assert await balance(bot_app.engine, anna.id) == 1_000_000
    assert "Dress code: black tie." in plain(cart.text) and CAMERAS not in plain(cart.text), "redrawn as now"
    fresh = button_data(cart, "✅ Accept and pay from wallet")
    assert fresh != pay

    clock.advance(minutes=1)
    await pay_for_myself(anna, "Accept and pay from wallet", message=cart)
    assert "is paid: 1,000 ₽, 1 ticket" in plain(cart.text)
    assert await balance(bot_app.engine, anna.id) == 1_000_000 - 100_000
    (order,) = await _orders(bot_app.engine)
    accepted = json.loads(order.terms)
    assert accepted["events"] == [
        {
            "id": accepted["events"][0]["id"],
            "title": "Квартирник",
            "age_limit": 18,
            "conditions": "Dress code: black tie.",
        }
    ]
    assert accepted["sale_terms"] == "2026-11"
    assert order.terms_digest == fresh.split(":")[2]
    assert order.terms_accepted_at == clock.now()


async def test_long_conditions_of_several_events_are_cut_in_the_cart_and_shown_whole_on_request_in_russian(
    sandbox, bot_app, admin, clock
):
    uow = UnitOfWorkFactory(bot_app.engine)
    long = "Вход строго по паспорту. " * 30  # 750 characters
    tariffs = []
    async with uow() as u:
        for n in range(4):
            event = await u.events.add(
                Event(
                    0,
                    f"Лекция {n + 1}",
                    clock.now() + timedelta(days=5 + n),
                    "Зал",
                    EventStatus.PUBLISHED,
                    age_limit=16 if n == 0 else None,
                    conditions=f"{n + 1}. {long}".strip(),
                )
            )
            tariffs.append(
                await u.events.add_ticket_type(TicketType(0, event.id, "Standard", Money(50_000, "RUB"), 10))
            )
        await u.commit()

    boris = await credited(sandbox, admin, "Борис", "ru")
    for n in range(4):
        await boris.send(f"Лекция {n + 1}")
        await boris.press(f"Лекция {n + 1}")
        await boris.press("Standard")
        await boris.press("В корзину")
    await boris.send("/cart")
    cart = boris.last_message()
    text = plain(cart.text)
    assert "Перед оплатой прочитайте, пожалуйста:" in text
    assert "Лекция 1: 🔞 16+, на входе могут попросить документ · 1. Вход строго по паспорту." in text
    assert long.strip() not in text and "…" in text, "four events' conditions are cut to fit one message"
    assert len(text) <= 4096

    await boris.press("📋 Условия полностью")
    shown = plain(boris.last_text())
    assert "Условия мероприятий в корзине" in plain(" ".join(m.text or "" for m in boris.messages[-2:]))
    assert f"4. {long}".strip() in shown and "Условия продажи" in shown

    await pay_for_myself(boris, "Принимаю условия, оплатить с кошелька", message=cart)
    assert await balance(bot_app.engine, boris.id) == 1_000_000 - 4 * 50_000
    (order,) = await _orders(bot_app.engine)
    assert [e["title"] for e in json.loads(order.terms)["events"]] == [f"Лекция {n + 1}" for n in range(4)]
    assert [await quota(bot_app.engine, tt.id) for tt in tariffs] == [(1, 0)] * 4
