"""C4 from both sides, as people live it: the organizer asks questions from the console, a buyer answers
them for each ticket while paying, the door sees the attendee and the organizer's attendee CSV holds the
answers (parsed back, Cyrillic intact)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from tests.e2e.conftest import balance, credited, decode_qr, open_tariff
from tests.e2e.test_attendees import screen
from tests.e2e.test_door_staff import _on_sale
from tests.e2e.test_event_dialog import make_organizer
from tests.e2e.test_questions_editor import T, _add


async def test_questions_asked_in_the_console_are_answered_at_checkout_and_land_in_the_csv(
    sandbox, bot_app, admin, clock
):
    clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=UTC))
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Маузер", "25.12.2026 19:00")
    await olga.press(T["en"]["questions"])
    await _add(olga, T["en"], "email", "Ваш e-mail", True, "all")
    await _add(olga, T["en"], "yesno", "Нужна парковка?", True, "all")
    await _add(olga, T["en"], "text", "Team-wear", False, "all")  # shaped like a ticket's short code

    anna = await credited(sandbox, admin, "Anna")
    await open_tariff(anna)
    await anna.press("➕")
    await anna.press("Add to cart (2)")
    await anna.send("/cart")
    await anna.press("Pay from wallet")
    assert "Ticket 1 of 2" in screen(anna)
    await anna.press("Same as me")
    assert "Ваш e-mail" in screen(anna)
    await anna.send("anna@example.com")
    await anna.press("No")
    await anna.send("Team-Blue")  # shaped like a short code too: the dialog takes it, not the door
    assert "Ticket 2 of 2" in screen(anna)
    await anna.send("Boris Ivanov")
    await anna.send("boris@example.com")
    await anna.press("Yes")
    assert await balance(bot_app.engine, anna.id) == 1_000_000, "nothing charged before the last answer"
    await anna.press("Skip")
    assert await balance(bot_app.engine, anna.id) == 1_000_000 - 200_000
    photos = [m for m in anna.messages if m.photo]
    assert "Anna" in photos[0].caption and "Boris Ivanov" in photos[1].caption

    steward = sandbox.user("Steward")
    await steward.send("/start")
    await olga.send("/events")
    await olga.press("1")
    await olga.press("👥 Door staff")
    await olga.press("➕ Add by @username")
    await olga.forward("hi", origin=steward)
    await steward.open(decode_qr(photos[1].photo))
    assert "VALID TICKET" in steward.last_text() and "Boris Ivanov" in steward.last_text()

    await olga.send("/report")
    await olga.press("Маузер")
    await olga.press("📄")
    rows = list(csv.reader(io.StringIO(olga.last_document().document.decode("utf-8-sig"))))
    header = rows[0]
    assert "Ваш e-mail" in header and "Нужна парковка?" in header, header
    email, parking, holder = (header.index(c) for c in ("Ваш e-mail", "Нужна парковка?", "Holder"))
    answers = sorted((r[holder], r[email], r[parking]) for r in rows[1:])
    assert answers == [("Anna", "anna@example.com", "No"), ("Boris Ivanov", "boris@example.com", "Yes")]
    wear = header.index("Team-wear")
    assert sorted(r[wear] for r in rows[1:]) == ["", "Team-Blue"]
