"""An organizer's report on an event and the attendee list as a CSV file (parsed back, Cyrillic intact)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from tests.e2e.conftest import decode_qr, pay_for_myself
from tests.e2e.test_door_staff import _on_sale
from tests.e2e.test_event_dialog import make_organizer


async def _buy(sandbox, admin, name: str, username: str | None, qty: int) -> str:
    person = sandbox.user(name, username=username)
    await person.send("/start")
    await admin.send(f"/credit {person.id} 10000")
    await person.send("Маузер")
    await person.press("Маузер")
    await person.press("Standard")
    for _ in range(qty - 1):
        await person.press("➕")
    await person.press("Add to cart")
    await person.send("/cart")
    await pay_for_myself(person)
    return decode_qr(person.last_photo())


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_the_report_and_the_attendee_csv(sandbox, bot_app, admin, clock, lang):
    clock.set(datetime(2026, 12, 25, 9, 0, tzinfo=UTC))
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Маузер", "25.12.2026 19:00")
    link = await _buy(sandbox, admin, "Анна Каренина", "anna_k", 2)
    await _buy(sandbox, admin, "=HYPERLINK(1)", None, 1)
    steward = sandbox.user("Steward")
    await steward.send("/start")
    await olga.press("👥 Door staff")
    await olga.press("➕ Add by @username")
    await olga.forward("hi", origin=steward)
    await steward.open(link)
    await steward.press("Check in")

    olga.lang = lang
    await olga.send("/language")
    await olga.press("Русский" if lang == "ru" else "English")
    await olga.send("/report")
    await olga.press("Маузер")
    text = olga.last_text().replace("\u00a0", " ")
    if lang == "en":
        assert "Standard: sold 3, held 0 of 10; 3,000 ₽" in text and "Revenue: 3,000 ₽" in text
        assert "Checked in: 1 of 3\n" in text and "Refunded: 0 tickets" in text
    else:
        assert "Standard: продано 3, в корзинах 0 из 10; 3 000 ₽" in text and "Выручка: 3 000 ₽" in text
        assert "Прошли: 1 из 3\n" in text and "Возвращено: 0 билетов" in text

    await olga.press("📄")
    document = olga.last_document()
    assert document.document_name.endswith(".csv")
    raw = document.document
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == ("Ticket code" if lang == "en" else "Код билета")
    assert len(rows) == 4
    holders = [r[2] for r in rows[1:]]
    assert holders.count("Анна Каренина") == 2 and "'=HYPERLINK(1)" in holders  # no formula runs in Excel
    buyers = {r[3] for r in rows[1:]}
    assert buyers == {"@anna_k", ""}
    checked = [r for r in rows[1:] if r[6]]
    assert len(checked) == 1 and checked[0][4] == ("checked in" if lang == "en" else "прошёл")
    assert all(r[5].startswith("2026-12-25 12:00") for r in rows[1:])  # paid at 09:00 UTC, in Moscow time
    assert olga.unanswered_queries() == []


async def test_someone_elses_report_is_refused(sandbox, bot_app, admin):
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Маузер", "25.12.2026 19:00")
    ivan = await make_organizer(sandbox, admin, "Ivan", "en")
    await ivan.send("/report")
    assert "You have no events yet" in ivan.last_text()
    for data in ("rp:1", "at:1"):
        await ivan.press_data(data)
        assert "No such event among yours" in ivan.last_alert()
    customer = sandbox.user("Customer")
    await customer.send("/report")
    assert "This is for organizers" in customer.last_text()
    assert all(m.document is None for m in ivan.messages)
