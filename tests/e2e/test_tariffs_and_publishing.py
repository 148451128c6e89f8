"""An organizer sets up tariffs and publishes; customers meet early-bird windows with their reasons and
buy; the quantity never goes below what is taken; staff check the new event's tickets in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.tables import events, ticket_types
from tests.e2e.conftest import decode_qr, pay_for_myself
from tests.e2e.test_event_dialog import make_organizer

T = {
    "en": {
        "tariffs": "🎟 Tariffs",
        "add": "➕ Add a tariff",
        "publish": "🚀 Publish",
        "skip": "Skip ⏭",
        "back": "◀️ Back",
        "price_bad": "Write a price above zero",
        "qty_bad": "Write a whole number of tickets from 1 to 100000",
        "window_bad": "Sales must close after they open",
        "limit_bad": "Write a whole number from 1 to 10",
        "added": "Tariff «Early bird» added",
        "not_yet": "Not yet: set Venue, Start, at least one tariff first.",
        "not_yet_tariff": "Not yet: set at least one tariff first.",
        "published": "is on sale now",
        "already": "on sale already",
        "below": "tickets are sold or held already",
        "quantity": "✏️ Tickets",
        "price": "✏️ Price",
    },
    "ru": {
        "tariffs": "🎟 Тарифы",
        "add": "➕ Добавить тариф",
        "publish": "🚀 Опубликовать",
        "skip": "Пропустить ⏭",
        "back": "◀️ Назад",
        "price_bad": "Напишите цену больше нуля",
        "qty_bad": "Напишите целое число билетов от 1 до 100000",
        "window_bad": "Конец продаж должен быть позже начала",
        "limit_bad": "Напишите целое число от 1 до 10",
        "added": "Тариф «Early bird» добавлен",
        "not_yet": "Пока нельзя: сначала заполните: Площадка, Начало, хотя бы один тариф.",
        "not_yet_tariff": "Пока нельзя: сначала заполните: хотя бы один тариф.",
        "published": "в продаже",
        "already": "уже в продаже",
        "below": "меньше этого количество не сделать",
        "quantity": "✏️ Билетов",
        "price": "✏️ Цена",
    },
}


async def _draft(olga, title="Маузер"):
    await olga.send("/new_event")
    await olga.send(title)
    await olga.press("✖️")  # cancel: the draft stays
    await olga.send("/events")
    await olga.press("1")


async def _status(engine, title="Маузер") -> str:
    async with engine.connect() as conn:
        return (await conn.execute(select(events.c.status).where(events.c.title == title))).scalar()


async def _tariffs(engine):
    async with engine.connect() as conn:
        return (await conn.execute(select(ticket_types).order_by(ticket_types.c.id))).all()


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_tariffs_with_every_refusal_then_publishing(sandbox, bot_app, admin, clock, lang):
    t = T[lang]
    olga = await make_organizer(sandbox, admin, "Olga", lang)
    await _draft(olga)
    await olga.press(t["publish"])
    assert olga.last_alert() == t["not_yet"]
    assert await _status(bot_app.engine) == "draft"

    await olga.press(t["tariffs"])
    await olga.press(t["add"])
    await olga.send("Early bird")
    for bad in ("-5", "abc", "1e9", "0", "2 000 000", "10.001"):
        await olga.send(bad)
        assert t["price_bad"] in olga.last_text(), bad
    await olga.send("1 200,50")
    for bad in ("0", "10^12", "1000000000000", "-3", "2.5"):
        await olga.send(bad)
        assert t["qty_bad"] in olga.last_text(), bad
    await olga.send("100")
    await olga.send("01.12.2026 10:00")
    await olga.send("30.11.2026 10:00")
    assert t["window_bad"] in olga.last_text()
    await olga.press(t["back"])  # back to the sales start: change it
    await olga.send("25.11.2026 10:00")
    await olga.send("30.11.2026 10:00")
    await olga.send("11")
    assert t["limit_bad"] in olga.last_text()
    await olga.send("4")
    assert t["added"] in olga.messages[-2].text
    listing = olga.last_text().replace("\xa0", " ")
    assert "Early bird" in listing and ("1,200.50" in listing or "1 200,50" in listing)
    (tt,) = await _tariffs(bot_app.engine)
    assert (tt.name, tt.price_minor, tt.quantity, tt.max_per_order) == ("Early bird", 120050, 100, 4)
    assert tt.sales_start.hour == 7 and tt.sales_end.day == 30  # 10:00 in Moscow is 07:00 UTC

    await olga.send("/events")
    await olga.press("1")
    await olga.press("✏️ " + ("Venue" if lang == "en" else "Площадка"))
    await olga.send("Сатирикон")
    await olga.press(t["publish"])
    assert "Start" in olga.last_alert() or "Начало" in olga.last_alert()
    await olga.press("✏️ " + ("Start" if lang == "en" else "Начало"))
    await olga.send("25.12.2026 19:00")
    await olga.press(t["publish"])
    assert t["published"] in olga.last_alert()
    assert await _status(bot_app.engine) == "published"
    assert t["publish"] not in olga.buttons()
    published_menu = olga.last_message()
    await olga.press_data(f"pb:{tt.event_id}", message=published_menu)  # a second tap on Publish
    assert t["already"] in olga.last_alert()
    assert olga.unanswered_queries() == []


async def test_early_bird_before_during_and_after_its_window_then_a_sale_and_the_door(sandbox, bot_app, admin, clock):
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _draft(olga, "Весна")
    for step in ("✏️ Venue", "✏️ Start"):
        await olga.press(step)
        await olga.send("Сатирикон" if step == "✏️ Venue" else "25.12.2026 19:00")
    await olga.press("🎟 Tariffs")
    await olga.press("➕ Add a tariff")
    for answer in ("Early bird", "1000", "2", "25.11.2026 10:00", "30.11.2026 10:00"):
        await olga.send(answer)
    await olga.press("Skip ⏭")
    await olga.press("➕ Add a tariff")
    for answer in ("Standard", "2000", "50"):
        await olga.send(answer)
    for _ in range(3):
        await olga.press("Skip ⏭")
    await olga.press("◀️ Event")
    await olga.press("🚀 Publish")
    assert "is on sale now" in olga.last_alert()

    anna = sandbox.user("Anna")
    await anna.send("Весна")
    await anna.press("Весна")
    assert "Early bird · on sale from 25 Nov" in " ".join(anna.buttons())  # the clock is 23 Nov
    await anna.press("Early bird")
    assert "not on sale now: on sale from 25 Nov" in anna.last_text()

    clock.advance(days=3)  # 26 Nov: the window is open
    await anna.send("Весна")
    await anna.press("Весна")
    await anna.press("Early bird")
    await anna.press("➕")
    await anna.press("Add to cart")
    await admin.send(f"/credit {anna.id} 10000")
    await anna.send("/cart")
    await pay_for_myself(anna)
    link = decode_qr(anna.last_photo())

    (early, _standard) = await _tariffs(bot_app.engine)
    assert (early.sold, early.held) == (2, 0)
    await olga.send("/events")
    await olga.press("1")
    await olga.press("🎟 Tariffs")
    await olga.press("1")
    await olga.press("✏️ Tickets")
    await olga.send("1")
    assert "2 tickets are sold or held already" in olga.last_text()
    await olga.send("5")  # raising, or lowering down to what is taken, is fine
    await olga.press("✏️ Price")
    await olga.send("1500")
    (early, _standard) = await _tariffs(bot_app.engine)
    assert (early.quantity, early.price_minor, early.sold) == (5, 150000, 2)

    clock.advance(days=5)  # 1 Dec: the early bird has closed
    boris = sandbox.user("Boris")
    await boris.send("Весна")
    await boris.press("Весна")
    labels = " ".join(boris.buttons())
    assert "Early bird · sales closed" in labels and "Standard · 2,000" in labels.replace("\u00a0", " ")

    steward = sandbox.user("Steward")
    await steward.send("/start")
    await admin.send(f"/staff {steward.id} {early.event_id}")
    await steward.open(link)
    assert "VALID" in steward.last_text()
    await steward.press("Check in")
    assert "CHECKED IN" in steward.last_text()
    assert olga.unanswered_queries() == [] and anna.unanswered_queries() == [] and boris.unanswered_queries() == []


async def test_another_organizers_tariffs_and_forged_buttons_change_nothing(sandbox, bot_app, admin):
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _draft(olga)
    await olga.press("🎟 Tariffs")
    await olga.press("➕ Add a tariff")
    for answer in ("Standard", "1000", "10"):
        await olga.send(answer)
    for _ in range(3):
        await olga.press("Skip ⏭")
    (tt,) = await _tariffs(bot_app.engine)
    ivan = await make_organizer(sandbox, admin, "Ivan", "en")
    for data in (f"tl:{tt.event_id}", f"nt:{tt.event_id}", f"tm:{tt.id}", f"te:{tt.id}:price", f"pb:{tt.event_id}"):
        await ivan.press_data(data)
        assert "No such event among yours" in ivan.last_alert(), data
    await ivan.press_data(f"tf:skip:{tt.event_id}:{tt.id}:sales_start")
    assert "earlier step" in ivan.last_alert()
    assert await _status(bot_app.engine) == "draft"
    assert (await _tariffs(bot_app.engine))[0].price_minor == 100000
    assert ivan.unanswered_queries() == []


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_cancelling_asks_first_then_stops_sales_and_releases_every_hold(sandbox, bot_app, admin, lang):
    olga = await make_organizer(sandbox, admin, "Olga", lang)
    en = lang == "en"
    await _draft(olga, "Весна")
    for field, answer in (("Venue", "Сатирикон"), ("Start", "25.12.2026 19:00")):
        label = field if en else {"Venue": "Площадка", "Start": "Начало"}[field]
        await olga.press("✏️ " + label)
        await olga.send(answer)
    await olga.press(T[lang]["tariffs"])
    await olga.press(T[lang]["add"])
    for answer in ("Standard", "1000", "10"):
        await olga.send(answer)
    for _ in range(3):
        await olga.press(T[lang]["skip"])
    await olga.press("◀️ Event" if en else "◀️ К мероприятию")
    await olga.press(T[lang]["publish"])

    anna = sandbox.user("Anna")
    await anna.send("Весна")
    await anna.press("Весна")
    await anna.press("Standard")
    await anna.press("➕")
    await anna.press("Add to cart")
    (tt,) = await _tariffs(bot_app.engine)
    assert tt.held == 2

    await olga.send("/events")
    await olga.press("1")
    await olga.press("🚫")
    assert ("Sales stop at once" if en else "Продажи остановятся сразу") in olga.last_text()
    await olga.press("No, keep it" if en else "Нет, оставить")
    assert await _status(bot_app.engine, "Весна") == "published"
    await olga.press("🚫")
    confirm = olga.last_message()
    yes = confirm.buttons[0][0].callback_data
    await olga.press("Yes, cancel it" if en else "Да, отменить")
    assert ("is cancelled" if en else "отменено") in olga.last_alert()
    assert await _status(bot_app.engine, "Весна") == "cancelled"
    (tt,) = await _tariffs(bot_app.engine)
    assert (tt.held, tt.sold) == (0, 0)  # every hold released at once
    assert "✏️" not in " ".join(olga.buttons()) and "🚫" not in " ".join(olga.buttons())
    await olga.press_data(yes, message=confirm)  # Yes, pressed again
    assert ("cancelled already" if en else "уже отменено") in olga.last_alert()

    await anna.send("/cart")
    assert "Pay from wallet" not in " ".join(anna.buttons())
    await anna.send("Весна")
    assert "Весна" not in " ".join(anna.buttons())  # out of search
    assert olga.unanswered_queries() == [] and anna.unanswered_queries() == []
