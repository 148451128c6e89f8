"""An organizer writes to everyone holding a ticket of an event: stored before sending, sent inside
Telegram's rate, blocked people counted, the author told; a second Send sends nothing more."""

from __future__ import annotations

from sqlalchemy import func, select, update

from domain.models import TelegramProfile
from storage.tables import broadcast_deliveries, broadcasts, ticket_types
from tests.e2e.test_door_staff import _on_sale
from tests.e2e.test_event_dialog import make_organizer
from tests.e2e.test_reports import _buy
from tests.paying import pay


async def _holders(sandbox, bot_app, n: int) -> None:
    """n more people who started the bot, each holding a ticket bought through the services (the buying
    dialog is tested elsewhere)."""
    for i in range(n):
        await sandbox.user(f"Holder {i}", lang="ru", user_id=500_000 + i).send("/start", wait=False)
    s = bot_app.services
    async with bot_app.engine.begin() as conn:
        tariff = (await conn.execute(select(ticket_types.c.id))).scalar()
        await conn.execute(update(ticket_types).values(quantity=1000))
    admin_user = await s.users.identify(TelegramProfile(900_001, "Admin"))
    for i in range(n):
        person = await s.users.identify(TelegramProfile(500_000 + i, f"Holder {i}", language_code="ru"))
        await s.wallet.admin_credit(admin_user, person.telegram_id, "1000", key=f"seed:{i}")
        view = await s.cart.add_tickets(person.id, tariff, 1)
        await pay(s.checkout, person.id, view.version, view.terms)


async def test_a_broadcast_reaches_holders_counts_the_blocked_and_reports(sandbox, bot_app, admin):
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Маузер", "25.12.2026 19:00")
    await olga.press("📣")
    assert "Nobody holds a ticket" in olga.last_alert()
    await _buy(sandbox, admin, "Anna", "anna_k", 2)
    boris = sandbox.user("Boris")
    await _buy(sandbox, admin, "Boris", None, 1)
    boris.block_bot()
    await _holders(sandbox, bot_app, 40)

    await olga.send("/events")
    await olga.press("1")
    await olga.press("📣 Message to ticket holders")
    await olga.send("x" * 3501)
    assert "at most 3500 characters" in olga.last_text()
    await olga.send("Doors open at <b>18:30</b>. Bring your passport!")
    preview = olga.last_message()
    assert "42 ticket holders" in preview.text and "<b>18:30</b>" in preview.text
    send = preview.buttons[0][0].callback_data
    async with bot_app.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(broadcasts))).scalar_one() == 1
        assert (await conn.execute(select(func.count()).select_from(broadcast_deliveries))).scalar_one() == 0
    sandbox.messages_per_second = 30  # Telegram's bulk limit: 41 messages must take more than a second
    await olga.press("📣 Send to 42")
    await bot_app.broadcaster.wait()
    await olga.press_data(send, message=preview)  # a second Send
    assert "sent already" in olga.last_alert()
    await bot_app.broadcaster.wait()

    anna = sandbox.user("Anna")
    assert "From the organizer of «Маузер»" in anna.last_text() and "<b>18:30</b>" in anna.last_text()
    assert "Bring your passport!" in anna.last_text()
    report = [m.text for m in olga.messages if m.text and "has gone out" in m.text]
    assert report == ["📣 Your message about «Маузер» has gone out: reached 41; blocked the bot 1; failed 0."]
    async with bot_app.engine.connect() as conn:
        statuses = dict(
            (
                await conn.execute(
                    select(broadcast_deliveries.c.status, func.count()).group_by(broadcast_deliveries.c.status)
                )
            ).all()
        )
    assert statuses == {"sent": 41, "blocked": 1}
    holder = sandbox.user("Holder 7")
    assert "От организатора «Маузер»" in holder.last_text()  # in each person's own language
    assert sandbox.flood_refusals == 0
    assert olga.unanswered_queries() == []


async def test_an_interrupted_broadcast_is_taken_up_again_and_nobody_gets_it_twice(sandbox, bot_app, admin, clock):
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Маузер", "25.12.2026 19:00")
    people = []
    for name in ("Anna", "Boris", "Vera"):
        await _buy(sandbox, admin, name, None, 1)
        people.append(sandbox.user(name))
    s = bot_app.services
    author = await s.users.identify(TelegramProfile(olga.id, "Olga"))
    async with bot_app.engine.connect() as conn:
        event_id = (await conn.execute(select(ticket_types.c.event_id))).scalar()
    draft = await s.broadcasts.draft(author, event_id, "Changed start: 19:30")
    await s.broadcasts.start(author, draft.broadcast.id)
    claimed = await s.broadcasts.claim(draft.broadcast.id, limit=2)  # a sender took two, then died
    assert len(claimed) == 2
    assert await bot_app.broadcaster.resume() == 1  # the live claims are not taken again yet
    await bot_app.broadcaster.wait()
    assert sum("Changed start" in (m.text or "") for p in people for m in p.messages) == 1
    clock.advance(minutes=6)
    await bot_app.broadcaster.resume()
    await bot_app.broadcaster.wait()
    assert [sum("Changed start" in (m.text or "") for m in p.messages) for p in people] == [1, 1, 1]
    assert any("reached 3" in (m.text or "") for m in olga.messages)
