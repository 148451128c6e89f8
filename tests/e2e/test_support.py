"""Support look-ups end to end: /user for admins; /order for admins, and for organizers only through
the tickets of their own events."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.tables import orders
from tests.e2e.test_door_staff import _on_sale
from tests.e2e.test_event_dialog import make_organizer
from tests.e2e.test_reports import _buy


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_admin_looks_up_a_person_and_an_order(sandbox, bot_app, admin, lang):
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Маузер", "25.12.2026 19:00")
    await _buy(sandbox, admin, "Анна", "anna_k", 2)
    admin.lang = lang
    await admin.send("/language")
    await admin.press("Русский" if lang == "ru" else "English")
    async with bot_app.engine.connect() as conn:
        order_id = (await conn.execute(select(orders.c.id))).scalar()

    await admin.send("/user @Anna_K")
    text = admin.last_text().replace("\u00a0", " ")
    if lang == "en":
        assert "Анна @anna_k" in text and "Wallet: 8,000 ₽" in text and "Tickets: 2 tickets" in text
        assert f"#{order_id} — 2,000 ₽, paid" in text and "Roles: customer" in text
    else:
        assert "Кошелёк: 8 000 ₽" in text and "Билеты: 2 билета" in text and f"№{order_id} — 2 000 ₽, оплачен" in text
    await admin.send("/user")
    assert "/user" in admin.last_text()
    await admin.send("/user @@")
    assert "@username" in admin.last_text()
    await admin.send("/user 987654")
    assert "987654" in admin.last_text()

    await admin.send(f"/order {order_id}")
    text = admin.last_text()
    assert "Маузер, Standard: 2 ×" in text and text.count("🎫") == 2
    await admin.send("/order 999999")
    assert ("No such order" if lang == "en" else "Такого заказа нет") in admin.last_text()
    await admin.send("/order abc")
    assert "/order" in admin.last_text()


async def test_an_organizer_sees_only_orders_of_their_events_and_customers_none(sandbox, bot_app, admin):
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Маузер", "25.12.2026 19:00")
    await _buy(sandbox, admin, "Анна", "anna_k", 1)
    async with bot_app.engine.connect() as conn:
        order_id = (await conn.execute(select(orders.c.id))).scalar()
    await olga.send(f"/order {order_id}")
    assert f"Order #{order_id}" in olga.last_text() and "🎫" in olga.last_text()
    await olga.send("/user @anna_k")
    assert "administrators only" in olga.last_text()
    ivan = await make_organizer(sandbox, admin, "Ivan", "en")
    await ivan.send(f"/order {order_id}")
    assert "No such order" in ivan.last_text()
    anna = sandbox.user("Анна")
    await anna.send(f"/order {order_id}")
    assert "This is for organizers" in anna.last_text()
