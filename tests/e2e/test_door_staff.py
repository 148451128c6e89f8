"""An organizer assigns door staff (by @username, a forwarded message, a single-use invitation link),
removes them; staff see their events of the day at /door with a counter and check in only their own."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage.tables import staff_assignments, ticket_types
from tests.e2e.conftest import decode_qr, pay_for_myself
from tests.e2e.test_event_dialog import make_organizer


async def _on_sale(olga, title: str, start: str) -> None:
    """An event with one tariff, published, its menu open."""
    await olga.send("/new_event")
    await olga.send(title)
    await olga.press("✖️")
    await olga.send("/events")
    await olga.press("1")
    for field, answer in (("Venue", "Сатирикон"), ("Start", start)):
        await olga.press("✏️ " + field)
        await olga.send(answer)
    await olga.press("🎟 Tariffs")
    await olga.press("➕ Add a tariff")
    for answer in ("Standard", "1000", "10"):
        await olga.send(answer)
    for _ in range(3):
        await olga.press("Skip ⏭")
    await olga.press("◀️ Event")
    await olga.press("🚀 Publish")


async def _assigned(engine) -> list[int]:
    async with engine.connect() as conn:
        return [r.user_id for r in await conn.execute(select(staff_assignments.c.user_id))]


def menu(sandbox, person) -> list[str]:
    return [command for command, _ in sandbox.menu_of(person.id, person.lang)]


async def test_staff_added_three_ways_removed_and_the_door_counter(sandbox, bot_app, admin, clock):
    clock.set(datetime(2026, 12, 25, 9, 0, tzinfo=UTC))  # the morning of the show
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Маузер", "25.12.2026 19:00")
    pavel = sandbox.user("Pavel", username="pavel_door")
    await pavel.send("/start")
    vera = sandbox.user("Vera", lang="ru")
    await vera.send("/start")
    hidden = sandbox.user("Hidden")
    await hidden.send("/start")

    await olga.press("👥 Door staff")
    assert "Nobody yet" in olga.last_text()
    await olga.press("➕ Add by @username")
    await olga.send("@nobody_at_all")
    assert "I do not know this person" in olga.last_text()
    await olga.send("@@@")
    assert "Send the person's @username" in olga.last_text()
    await olga.send("@Pavel_Door")
    assert "Pavel @pavel_door" in olga.last_text() and "1. Pavel" in olga.last_text()
    assert "You check tickets at the door of «Маузер»" in pavel.last_text()
    assert "door" in menu(sandbox, pavel)

    await olga.press("➕ Add by @username")
    await olga.forward("Привет, это Вера", origin=vera)
    assert "2. Vera" in olga.last_text()
    assert "Вы проверяете билеты на входе «Маузер»" in vera.last_text()
    await olga.press("➕ Add by @username")
    await olga.forward("hi", origin="Hidden Person")
    assert "hide their account in forwards" in olga.last_text()

    await olga.press("🔗 Invitation link")
    link = olga.last_text().split()[-1]
    assert link.startswith("https://t.me/") and "?start=staff_" in link
    await hidden.open(link)
    assert "You check tickets at the door of «Маузер»" in hidden.last_text()
    mallory = sandbox.user("Mallory")
    await mallory.open(link)  # the same link a second time
    assert "used already or has expired" in mallory.last_text()
    assert "door" not in menu(sandbox, mallory)
    assert len(await _assigned(bot_app.engine)) == 3

    anna = sandbox.user("Anna")
    await anna.send("/start")
    await admin.send(f"/credit {anna.id} 10000")
    await anna.send("Маузер")
    await anna.press("Маузер")
    await anna.press("Standard")
    await anna.press("➕")
    await anna.press("Add to cart")
    await anna.send("/cart")
    await pay_for_myself(anna)
    link_a = decode_qr(anna.last_photo())

    await pavel.send("/door")
    assert "Маузер" in pavel.last_text() and "checked in 0 of 2" in pavel.last_text()
    await pavel.open(link_a)
    await pavel.press("Check in")
    await pavel.press_data("dr")  # the counter is refreshed on request
    door_text = [m for m in pavel.messages if "checked in" in (m.text or "")][-1].text
    assert "checked in 1 of 2" in door_text

    await olga.send("/events")
    await olga.press("1")
    await olga.press("👥 Door staff")
    await olga.press("❌ 1")  # Pavel goes
    assert "Pavel" not in olga.last_text()
    assert "door" not in menu(sandbox, pavel)
    await pavel.send("/door")
    assert "Only the door staff" in pavel.last_text()
    assert pavel.unanswered_queries() == [] and olga.unanswered_queries() == []


async def test_the_door_shows_only_todays_events_and_names_the_next(sandbox, bot_app, admin, clock):
    clock.set(datetime(2026, 12, 24, 9, 0, tzinfo=UTC))  # the day before
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Весна", "25.12.2026 19:00")
    vera = sandbox.user("Vera", lang="ru")
    await vera.send("/door")
    assert "⛔" in vera.last_text()
    await olga.press("👥 Door staff")
    await olga.press("➕ Add by @username")
    await olga.forward("Привет", origin=vera)
    await vera.send("/door")
    assert "Сегодня ваших мероприятий нет" in vera.last_text() and "Ближайшее: «Весна»" in vera.last_text()
    clock.set(datetime(2026, 12, 25, 20, 30, tzinfo=UTC))  # 23:30 in Moscow on the day: still today
    await vera.press("🔄 Обновить")
    assert "«Весна»" not in vera.last_text() and "Весна" in vera.last_text() and "прошло 0 из 0" in vera.last_text()
    assert vera.unanswered_queries() == []


async def test_invitation_links_for_someone_elses_event_and_forged_removals_change_nothing(sandbox, bot_app, admin):
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Маузер", "25.12.2026 19:00")
    pavel = sandbox.user("Pavel", username="pavel_door")
    await pavel.send("/start")
    await olga.press("👥 Door staff")
    await olga.press("➕ Add by @username")
    await olga.send("@pavel_door")
    async with bot_app.engine.connect() as conn:
        event_id = (await conn.execute(select(ticket_types.c.event_id))).scalar()
    ivan = await make_organizer(sandbox, admin, "Ivan", "en")
    for data in (f"sl:{event_id}", f"sa:{event_id}", f"si:{event_id}"):
        await ivan.press_data(data)
        assert "No such event among yours" in ivan.last_alert(), data
    pavel_id = (await _assigned(bot_app.engine))[0]
    await ivan.press_data(f"sr:{event_id}:{pavel_id}")
    assert "No such event among yours" in ivan.last_alert()
    await pavel.open("https://t.me/ticket_test_bot?start=staff_forgedtoken123")
    assert "used already or has expired" in pavel.last_text()
    assert await _assigned(bot_app.engine) == [pavel_id]
    assert ivan.unanswered_queries() == []
