"""C4's buyer data, as people live it, in English and Russian: the organizer adds an e-mail asked once per
order; a buyer of 3 tickets is asked it once (a bad e-mail refused with its message, then a good one), names
the 3 attendees, changes the e-mail from the 👤 screen before paying, and pays; the attendee CSV has the
e-mail on all 3 rows and /order shows it. The next order asks again (nothing prefilled): a Pay press asks the
e-mail first, then the ticket's name, and pays after the last answer."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage.tables import orders, tickets
from tests.e2e.conftest import balance, credited, open_tariff
from tests.e2e.test_attendees import screen
from tests.e2e.test_door_staff import _on_sale
from tests.e2e.test_event_dialog import make_organizer
from tests.e2e.test_questions_editor import T as EDITOR
from tests.e2e.test_stale_buttons import plain

T = {
    "en": {
        "buyer_scope": "🧾 The buyer, once per order",
        "listed": "asked once of the buyer",
        "to_ticket": "🎟 1: ask every attendee",
        "to_buyer": "🧾 1: ask the buyer once",
        "switched": "is now asked of every attendee",
        "add_3": "Add to cart (3)",
        "add_1": "Add to cart (1)",
        "cart_missing": "Still to fill in: about you, the buyer.",
        "fill": "Who are the tickets for? (4 to fill in)",
        "buyer_head": "About you, the buyer",
        "bad_email": "That does not look like an e-mail address",
        "ticket_1": "Ticket 1 of 3",
        "ticket_2": "Ticket 2 of 3",
        "ticket_3": "Ticket 3 of 3",
        "me": "Same as me",
        "all_done": "Every ticket has its attendee",
        "attendees": "👤 Attendees",
        "edit_buyer": "✏️ About you, the buyer",
        "keep": "Keep: anna@example.com",
        "pay": "Pay from wallet",
        "nothing_charged": "Nothing was charged",
        "holder": "Holder",
        "column": "E-mail для чека (buyer)",
    },
    "ru": {
        "buyer_scope": "🧾 Покупателя, один раз за заказ",
        "listed": "спрашивается один раз у покупателя",
        "to_ticket": "🎟 1: спрашивать каждого зрителя",
        "to_buyer": "🧾 1: спрашивать покупателя",
        "switched": "теперь спрашивается у каждого зрителя",
        "add_3": "В корзину (3)",
        "add_1": "В корзину (1)",
        "cart_missing": "Осталось заполнить: данные о вас, покупателе.",
        "fill": "Для кого билеты? (осталось 4)",
        "buyer_head": "О вас, покупателе",
        "bad_email": "Это не похоже на адрес электронной почты",
        "ticket_1": "Билет 1 из 3",
        "ticket_2": "Билет 2 из 3",
        "ticket_3": "Билет 3 из 3",
        "me": "Это я",
        "all_done": "У каждого билета есть посетитель",
        "attendees": "👤 Посетители",
        "edit_buyer": "✏️ О вас, покупателе",
        "keep": "Оставить: anna@example.com",
        "pay": "оплатить с кошелька",
        "nothing_charged": "Деньги не списаны",
        "holder": "Владелец",
        "column": "E-mail для чека (покупатель)",
    },
}
LABEL = "E-mail для чека"


async def _emails_of_orders(engine) -> list[str]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(orders.c.buyer_answers).order_by(orders.c.id))).scalars())


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_the_buyer_is_asked_the_email_once_for_three_tickets(sandbox, bot_app, admin, clock, lang):
    t, e = T[lang], EDITOR[lang]
    clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=UTC))
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Маузер", "25.12.2026 19:00")
    olga.lang = lang
    await olga.send("/language")
    await olga.press(e["language"])
    await olga.send("/events")
    await olga.press("1")
    await olga.press(e["questions"])
    await olga.press(e["add"])
    await olga.press(e["email"])
    await olga.send(LABEL)
    await olga.press(e["required"])
    assert t["buyer_scope"] in olga.buttons()
    await olga.press(t["buyer_scope"])
    assert e["added"].format(LABEL) in olga.messages[-2].text
    assert LABEL in olga.last_text() and t["listed"] in olga.last_text()
    assert t["to_ticket"] in olga.buttons()

    anna = await credited(sandbox, admin, "Anna", lang=lang)
    await open_tariff(anna)
    await anna.press("➕")
    await anna.press("➕")
    await anna.press(t["add_3"])
    await anna.send("/cart")
    assert t["cart_missing"] in plain(screen(anna))
    await anna.press(t["fill"])
    assert t["buyer_head"] in screen(anna) and LABEL in screen(anna)
    await anna.send("anna@")
    assert t["bad_email"] in anna.last_text(), "refused with its message"
    assert t["buyer_head"] in screen(anna), "and asked again"
    await anna.send("anna@Example.COM")
    assert t["ticket_1"] in screen(anna), "asked once, then the tickets"
    await anna.press(t["me"])
    assert t["ticket_2"] in screen(anna), "the e-mail is not asked of each attendee"
    await anna.send("Boris Ivanov")
    assert t["ticket_3"] in screen(anna)
    await anna.send("Vera Petrova")
    assert any(t["all_done"] in (m.text or "") for m in anna.messages[-3:])

    await anna.press(t["attendees"])  # changed before paying, from the 👤 screen
    assert "anna@example.com" in screen(anna)
    await anna.press(t["edit_buyer"])
    assert t["keep"] in " ".join(anna.buttons())
    await anna.send("not an e-mail")
    assert t["bad_email"] in anna.last_text()
    await anna.send("anna.k@example.org")
    assert await balance(bot_app.engine, anna.id) == 1_000_000, "nothing charged yet"
    await anna.send("/cart")
    assert t["cart_missing"] not in plain(screen(anna))
    await anna.press(t["pay"])
    assert await balance(bot_app.engine, anna.id) == 1_000_000 - 300_000
    assert [m for m in anna.messages if m.photo][-1]

    await olga.send("/report")
    await olga.press("Маузер")
    await olga.press("📄")
    rows = list(csv.reader(io.StringIO(olga.last_document().document.decode("utf-8-sig"))))
    header = rows[0]
    assert LABEL not in header, "no column of its own among the attendees' questions"
    column, holder = header.index(t["column"]), header.index(t["holder"])
    assert sorted((r[holder], r[column]) for r in rows[1:]) == [
        ("Anna", "anna.k@example.org"),
        ("Boris Ivanov", "anna.k@example.org"),
        ("Vera Petrova", "anna.k@example.org"),
    ], "the buyer's e-mail on every ticket row of the order"
    async with bot_app.engine.connect() as conn:
        order_id = (await conn.execute(select(tickets.c.order_id))).scalars().first()
    await olga.send(f"/order {order_id}")
    assert f"{LABEL}: anna.k@example.org" in olga.last_text()

    # The next order asks again (nothing prefilled); Pay with only the e-mail missing pays after the answer.
    await open_tariff(anna)
    await anna.press(t["add_1"])
    await anna.send("/cart")
    await anna.press(t["pay"])
    assert t["nothing_charged"] in anna.last_alert()
    assert t["buyer_head"] in screen(anna) and t["keep"] not in " ".join(anna.buttons())
    await anna.send("anna@example.com")
    assert t["ticket_1"].replace("3", "1") in screen(anna)
    assert await balance(bot_app.engine, anna.id) == 1_000_000 - 300_000
    await anna.press(t["me"])
    assert await balance(bot_app.engine, anna.id) == 1_000_000 - 400_000, "paid after the last answer"
    emails = await _emails_of_orders(bot_app.engine)
    assert [text.split(":")[1] for text in emails] == ['"anna.k@example.org"}', '"anna@example.com"}']

    # The organizer switches it to every attendee from the list: a button that names what it sets.
    await olga.send("/events")
    await olga.press("1")
    await olga.press(e["questions"])
    await olga.press(t["to_ticket"])
    assert t["switched"] in olga.last_alert() and t["to_buyer"] in olga.buttons()
    assert t["listed"] not in olga.last_text()
