"""The door: every verdict a steward can meet reads plainly, with its mark."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from storage.tables import tickets
from tests.e2e.conftest import decode_qr, open_tariff


async def _ticket_link(sandbox, admin, person) -> str:
    await person.send("/start")
    await admin.send("/start")
    await admin.send(f"/credit {person.id} 10000")
    await open_tariff(person, "Standard")
    await person.press("Add to cart")
    await person.send("/cart")
    await person.press("Pay from wallet")
    return decode_qr(person.last_photo())


async def _steward(sandbox, admin, event_id, lang="en"):
    steward = sandbox.user("Pavel", lang=lang)
    await steward.send("/start")
    await admin.send(f"/staff {steward.id} {event_id}")
    return steward


@pytest.mark.parametrize(
    ("status", "mark", "words"),
    [("refunded", "↩️", "REFUNDED"), ("cancelled", "🚫", "CANCELLED"), ("pending", "⏳", "NOT PAID")],
)
async def test_invalid_tickets_are_refused_with_reason(sandbox, bot_app, demo_event, admin, status, mark, words):
    anna = sandbox.user("Anna")
    link = await _ticket_link(sandbox, admin, anna)
    async with bot_app.engine.begin() as conn:
        await conn.execute(update(tickets).values(status=status))
    steward = await _steward(sandbox, admin, demo_event.id)
    await steward.open(link)
    text = steward.last_text()
    assert mark in text and words in text and "do not let in" in text
    assert steward.buttons() == []


async def test_steward_can_type_the_code_and_two_taps_check_in_once(sandbox, bot_app, demo_event, admin):
    anna = sandbox.user("Anna")
    link = await _ticket_link(sandbox, admin, anna)
    secret = link.rsplit("t_", 1)[1]
    steward = await _steward(sandbox, admin, demo_event.id, lang="ru")
    await steward.send(secret.upper())  # typed by hand, in capitals
    assert "ДЕЙСТВИТЕЛЕН" in steward.last_text()
    card = steward.last_message()
    data = next(b.callback_data for row in card.buttons for b in row if "Пропустить" in b.text)
    await steward.press("Пропустить")
    assert "ПРОХОД ОТМЕЧЕН" in steward.last_text()
    await steward.press_data(data, message=card)
    assert "уже использован" in steward.last_text()
    async with bot_app.engine.connect() as conn:
        rows = (await conn.execute(tickets.select())).all()
    assert [r.status for r in rows] == ["used"]
    assert steward.unanswered_queries() == []


async def test_steward_types_the_short_code_printed_under_the_qr(sandbox, bot_app, demo_event, admin):
    anna = sandbox.user("Anna")
    await _ticket_link(sandbox, admin, anna)
    caption = anna.last_message().caption
    code = next(word for word in caption.split() if len(word) == 9 and word[4] == "-")
    customer = sandbox.user("Curious", lang="en")
    await customer.send("/start")
    await customer.send(code)
    assert "Only the door staff" in customer.last_text()
    steward = await _steward(sandbox, admin, demo_event.id)
    await steward.send(code.lower())
    assert "VALID TICKET" in steward.last_text() and "Anna" in steward.last_text()
    await steward.press("Check in")
    assert "CHECKED IN" in steward.last_text()
    await steward.send("ZZZZ-ZZZZ")
    assert "UNKNOWN CODE" in steward.last_text()
