"""Inline mode: `@bot query` in a group lists matching events (the nearest when empty), paged with
next_offset and cached briefly; a result's button opens the event in the bot."""

from __future__ import annotations

from datetime import timedelta

from domain.models import Event, EventStatus, TicketType
from domain.money import Money
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import make_event


async def test_inline_results_their_pages_and_the_deep_link(sandbox, bot_app, clock):
    await make_event(bot_app.engine, clock, title="Маузер", days=3)
    async with UnitOfWorkFactory(bot_app.engine)() as u:
        for n in range(25):
            event = await u.events.add(
                Event(0, f"Jazz night {n}", clock.now() + timedelta(days=5 + n), "Esse", EventStatus.PUBLISHED)
            )
            await u.events.add_ticket_type(
                TicketType(0, event.id, "Standard", Money(200_000, "RUB"), 0 if n == 0 else 5)
            )
        await u.events.add(Event(0, "Jazz draft", clock.now() + timedelta(days=1), "Esse"))
        await u.commit()

    stranger = sandbox.user("Stranger", lang="ru")  # never started the bot
    first = await stranger.inline("jazz")
    assert len(first.results) == 20 and first.next_offset == "20" and first.cache_time == 30
    assert first.titles()[0] == "Jazz night 0" and "Jazz draft" not in first.titles()
    assert "распродано" in first.results[0]["description"]
    assert "от 2 000 ₽" in first.results[1]["description"].replace("\u00a0", " ")
    second = await stranger.inline("jazz", offset=first.next_offset)
    assert second.titles() == [f"Jazz night {n}" for n in range(20, 25)] and second.next_offset == ""
    nearest = await stranger.inline("")
    assert nearest.titles()[0] == "Маузер"
    assert (await stranger.inline("nothing like this")).results == []
    assert (await stranger.inline("jazz", offset="garbage")).titles()[0] == "Jazz night 0"

    button = first.results[1]["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == "🎟 Билеты в боте" and "?start=ev_" in button["url"]
    assert "<b>Jazz night 1</b>" not in first.results[1]["_text"] and "Jazz night 1" in first.results[1]["_text"]
    await stranger.open(button["url"])
    assert "Jazz night 1" in stranger.last_text() and "Standard" in " ".join(stranger.buttons())
    await stranger.open("https://t.me/ticket_test_bot?start=ev_999999")
    assert "не продаётся (или его нет)" in stranger.last_text()
