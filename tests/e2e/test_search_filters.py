"""Search filters as a customer uses them: date buttons (today, this weekend, this month, a typed day),
a category chooser, clearing, nothing found under filters; exact title first; accents folded; forged and
foreign filter buttons. The clock says Monday 23 November 2026, 15:00 in Moscow (the bot's time zone)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.models import Event, EventStatus, TicketType
from domain.money import Money
from storage.uow import UnitOfWorkFactory

MOSCOW = ZoneInfo("Europe/Moscow")


async def _events(engine) -> dict[str, int]:
    plan = [
        ("Jazz tonight", datetime(2026, 11, 23, 20, 0), "concert", "Café Noir"),
        ("Jazz lecture", datetime(2026, 11, 26, 19, 0), "lecture", "Library"),
        ("Jazz saturday", datetime(2026, 11, 28, 19, 0), "concert", "Club"),
        ("Jazz in December", datetime(2026, 12, 10, 19, 0), "concert", "Hall"),
        ("Jazz", datetime(2027, 1, 15, 19, 0), "festival", "Park"),
    ]
    ids = {}
    async with UnitOfWorkFactory(engine)() as u:
        for title, local, category, venue in plan:
            event = Event(0, title, local.replace(tzinfo=MOSCOW), venue, EventStatus.PUBLISHED, category=category)
            event = await u.events.add(event)
            await u.events.add_ticket_type(TicketType(0, event.id, "Standard", Money(100_000, "RUB"), 10))
            ids[title] = event.id
        await u.commit()
    return ids


def listed(person) -> list[str]:
    """The titles of the event buttons, in order."""
    return [b.split(". ", 1)[1].split(" · ")[0] for b in person.buttons() if ". " in b and " · " in b]


async def test_filters_by_date_and_category_in_english(sandbox, bot_app):
    await _events(bot_app.engine)
    anna = sandbox.user("Anna")
    await anna.send("/start")
    await anna.send("jazz")
    assert "«jazz»: 5 events" in anna.last_text()
    assert listed(anna)[0] == "Jazz", "the exact title comes first, although it is the latest"
    assert listed(anna)[1:] == ["Jazz tonight", "Jazz lecture", "Jazz saturday", "Jazz in December"]

    await anna.press("Weekend")
    assert "«jazz» · this weekend: 1 event" in anna.last_text()
    assert listed(anna) == ["Jazz saturday"]
    await anna.press("✅ Weekend")
    assert "5 events" in anna.last_text() and "this weekend" not in anna.last_text()

    await anna.press("Today")
    assert listed(anna) == ["Jazz tonight"] and "· today:" in anna.last_text()
    await anna.press("This month")
    assert listed(anna) == ["Jazz tonight", "Jazz lecture", "Jazz saturday"], "the month ends on the 30th"

    await anna.press("🏷 Any category")
    assert anna.last_text() == "Which category?"
    await anna.press("🎵 Concert")
    assert "«jazz» · 🎵 Concert · this month: 2 events" in anna.last_text()
    assert listed(anna) == ["Jazz tonight", "Jazz saturday"]

    await anna.press("📅 Date…")
    assert "Type a day" in anna.last_text()
    await anna.send("31.02")
    assert "could not read that day" in anna.last_text()
    await anna.send("20.11.2026")
    assert "That day is over" in anna.last_text()
    await anna.send("10 December")
    assert "«jazz» · 🎵 Concert · 10 December: 1 event" in anna.last_text()
    assert listed(anna) == ["Jazz in December"]

    await anna.press("✅ 10 December")
    assert listed(anna) == ["Jazz tonight", "Jazz saturday", "Jazz in December"], "concerts on any day"
    await anna.press("Today")
    await anna.press("🏷 🎵 Concert")
    assert "✅ 🎵 Concert" in anna.buttons()
    await anna.press("🎓 Lecture")
    assert "Nothing found for «jazz»" in anna.last_text() and "today" in anna.last_text()
    assert "✖ Clear filters" in anna.buttons(), "the filters stay to be changed"
    await anna.press("✖ Clear filters")
    assert "5 events" in anna.last_text()


async def test_filters_in_russian_and_a_new_search_instead_of_a_day(sandbox, bot_app):
    await _events(bot_app.engine)
    olga = sandbox.user("Olga", lang="ru")
    await olga.send("/start")
    await olga.send("CAFE")
    assert "1 мероприятие" in olga.last_text() and listed(olga) == ["Jazz tonight"], "Café is found as cafe"
    await olga.send("jazz")
    assert "5 мероприятий" in olga.last_text()
    await olga.press("Выходные")
    assert "«jazz» · в эти выходные: 1 мероприятие" in olga.last_text()
    await olga.press("📅 Дата…")
    assert "Напишите день" in olga.last_text()
    await olga.send("10 декабря")
    assert "«jazz» · 10 декабря: 1 мероприятие" in olga.last_text()
    await olga.press("📅 Дата…")
    await olga.send("лекция")  # no digit: a new search, not a day
    assert "Не понял дату" not in olga.last_text()
    await olga.send("Jazz lecture")
    assert listed(olga) == ["Jazz lecture"]
    await olga.press("📅 Дата…")
    await olga.send("/search Ленинград 2026")
    assert "Не понял дату" not in olga.last_text()
    await olga.send("10.12")
    assert "10.12" in olga.last_text() and "Не понял дату" not in olga.last_text(), "a plain search now"
    await olga.press("📅 Дата…")
    await olga.send("/cancel")
    assert "без фильтра по дате" in olga.last_text()


async def test_forged_and_foreign_filter_buttons_change_nothing(sandbox, bot_app):
    await _events(bot_app.engine)
    anna, boris = sandbox.user("Anna"), sandbox.user("Boris")
    await anna.send("/start")
    await boris.send("/start")
    await anna.send("jazz")
    results = anna.last_message()
    own = next(b.callback_data for row in results.buttons for b in row if b.text == "Weekend")
    search_id = own.split(":")[1]
    for forged in (f"sf:{search_id}:bogus:", f"sf:{search_id}::yesterday", f"sf:{search_id}::2026-13-45"):
        await anna.press_data(forged)
        assert "This search has expired" in anna.last_alert(), forged
        assert anna.last_message().message_id == results.message_id and "5 events" in anna.last_text()
    await boris.press_data(own)
    assert "This search has expired" in boris.last_alert(), "someone else's search is not theirs to filter"
    await boris.press_data(f"sc:{search_id}")
    assert "This search has expired" in boris.last_alert()
    await boris.press_data(f"sd:{search_id}")
    assert "This search has expired" in boris.last_alert()
    await boris.send("10.12")
    assert "Nothing found for «10.12»" in boris.last_text(), "no day was asked of Boris: a plain search"
    assert "5 events" in anna.last_text(), "Anna's results are untouched"
