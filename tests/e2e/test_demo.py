"""The sandbox's demo catalogue is made through the organizer services, and a customer can buy from it."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.demo import DEMO, DEMO_ORGANIZER, seed_demo
from storage.tables import events, ticket_types, users
from tests.e2e.conftest import ADMIN_ID, pay_for_myself


async def test_the_demo_is_an_organizers_published_events_and_sells(sandbox, bot_app, admin, clock):
    s = bot_app.services
    assert await seed_demo(s, clock, ADMIN_ID, bot_app.settings.tz) == len(DEMO)
    assert await seed_demo(s, clock, ADMIN_ID, bot_app.settings.tz) == 0  # a restart adds nothing
    async with bot_app.engine.connect() as conn:
        organizer = (await conn.execute(select(users).where(users.c.telegram_id == DEMO_ORGANIZER.telegram_id))).one()
        assert organizer.is_organizer == 1
        rows = (await conn.execute(select(events.c.status, events.c.organizer_id))).all()
        assert rows == [("published", organizer.id)] * len(DEMO)
        swan = (await conn.execute(select(ticket_types).where(ticket_types.c.name == "Стандарт"))).one()
        assert (swan.quantity, swan.sold) == (3, 2)
        assert (await conn.execute(select(func.count()).select_from(ticket_types))).scalar_one() == 9

    anna = sandbox.user("Anna", lang="ru")
    await anna.send("/start")
    await admin.send(f"/credit {anna.id} 5000")
    await anna.send("лебединое")
    await anna.press("Лебединое озеро")
    assert "1 билет" in anna.last_text()
    await anna.press("Стандарт")
    await anna.press("В корзину")
    await anna.send("/cart")
    await pay_for_myself(anna, "Оплатить")
    assert anna.last_photo()
