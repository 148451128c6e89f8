"""The whole story, as people live it: find, hold, pay, receive QR tickets, get checked in at the door."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import BOT_USERNAME, balance, decode_qr, make_event, quota, start_bot, stop_bot

LABELS = {
    "en": dict(
        greeting="Hello",
        welcome_back="Welcome back, Anna",
        add="Add to cart",
        pay="Pay from wallet",
        paid="is paid",
        check_in="Check in",
        valid="VALID TICKET",
        checked="CHECKED IN",
        used="ALREADY USED",
        tickets="Your tickets",
        wallet="Balance",
        used_status="used",
        credited="topped up",
        staff_note="door staff",
        exists="Only the event's door staff",
        total="3,000",
        who="Who is this ticket for?",
        me="Same as me",
        friend="Boris Ivanov",
        missing="First say who the tickets are for: 2 tickets still without",
    ),
    "ru": dict(
        greeting="Здравствуйте",
        welcome_back="С возвращением, Anna",
        add="В корзину",
        pay="Оплатить с кошелька",
        paid="оплачен",
        check_in="Пропустить",
        valid="ДЕЙСТВИТЕЛЕН",
        checked="ПРОХОД ОТМЕЧЕН",
        used="уже использован",
        tickets="Ваши билеты",
        wallet="Баланс",
        used_status="использован",
        credited="пополнен",
        staff_note="контролёр",
        exists="только контролёр",
        total="3 000",
        who="Для кого этот билет?",
        me="Это я",
        friend="Борис Иванов",
        missing="Сначала укажите, для кого билеты: 2 билета пока без",
    ),
}


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_customer_buys_tickets_and_staff_checks_one_in(lang, sandbox, engine, clock, admin):
    app, task = await start_bot(sandbox, engine, clock)
    try:
        await _story(lang, sandbox, app, clock, admin)
    finally:
        await stop_bot(app, task)


async def _story(lang, sandbox, app, clock, admin):
    t = LABELS[lang]
    event = await make_event(app.engine, clock)
    anna = sandbox.user("Anna", lang=lang)

    await anna.send("/start")
    assert t["greeting"] in anna.last_text()
    assert "/tickets" in anna.last_text()
    await anna.send("/start")
    assert t["welcome_back"] in anna.last_text()
    commands = [c for c, _ in sandbox.commands(language_code=lang)]
    assert commands == [
        "search",
        "cart",
        "tickets",
        "orders",
        "wallet",
        "membership",
        "language",
        "terms",
        "paysupport",
        "organizer",
        "help",
    ]

    await anna.send("маузер")
    assert "Маузер" in anna.last_text()
    await anna.press("Маузер")
    card = anna.last_text()
    assert "Константин Райкин" in card and "Сатирикон" in card
    assert re.search(r"1[ ,\u00a0]?500", card) and re.search(r"5[ ,\u00a0]?000", card)

    await anna.press("Standard")
    await anna.press("➕")
    await anna.press(t["add"])
    assert await quota(app.engine, event.standard_id) == (0, 2)

    await admin.send("/start")
    await admin.send(f"/credit {anna.id} 5000")
    assert "5" in admin.last_text() and "Anna" in admin.last_text()
    assert t["credited"] in anna.last_text()

    await anna.send("/cart")
    assert t["total"] in anna.last_text().replace("\xa0", " ")
    await anna.press(t["pay"])
    # Who each ticket is for comes first (nothing charged yet); the payment goes on after the last name.
    assert anna.last_alert().startswith(t["missing"]) and t["who"] in anna.last_text()
    assert await balance(app.engine, anna.id) == 500_000
    await anna.press(t["me"])
    assert t["who"] in anna.last_text() and "2" in anna.last_text()
    await anna.send(t["friend"])
    texts = [m.text or "" for m in anna.messages]
    assert any(t["paid"] in x for x in texts)
    photos = [m for m in anna.messages if m.photo]
    assert len(photos) == 2
    assert all("Standard" in (m.caption or "") for m in photos)
    assert "Anna" in photos[0].caption and t["friend"] in photos[1].caption, "each ticket names its attendee"
    assert await quota(app.engine, event.standard_id) == (2, 0)
    assert await balance(app.engine, anna.id) == 200_000

    link = decode_qr(photos[0].photo)
    assert re.fullmatch(rf"https://t\.me/{BOT_USERNAME}\?start=t_[a-z2-9]{{32}}", link)

    # Someone who is not staff opens the link: they only learn the ticket exists.
    mallory = sandbox.user("Mallory", lang=lang)
    await mallory.send("/start")
    await mallory.open(link)
    assert t["exists"] in mallory.last_text()
    assert mallory.buttons() == [] or t["check_in"] not in " ".join(mallory.buttons())

    steward = sandbox.user("Pavel", lang=lang)
    await steward.send("/start")
    await admin.send(event.title)
    await admin.press(event.title)
    assert f"/staff: {event.id}" in admin.last_text()
    await admin.send(f"/staff {steward.id} {event.id}")
    assert t["staff_note"] in steward.last_text()

    await steward.open(link)
    assert t["valid"] in steward.last_text()
    assert "Anna" in steward.last_text() and "Standard" in steward.last_text()
    await steward.press(t["check_in"])
    assert t["checked"] in steward.last_text()

    await steward.open(link)
    again = steward.last_text()
    assert t["used"] in again and "Pavel" in again
    assert "15:00" in again  # the check-in time (the test clock: 12:00 UTC, shown in Moscow time)

    await anna.send("/tickets")
    listing = anna.last_text()
    assert t["tickets"] in listing and t["used_status"] in listing
    before = len([m for m in anna.messages if m.photo])
    await anna.press("QR 2")
    assert len([m for m in anna.messages if m.photo]) == before + 1
    assert decode_qr(anna.last_photo()).startswith(f"https://t.me/{BOT_USERNAME}?start=t_")

    await anna.send("/wallet")
    assert t["wallet"] in anna.last_text() and re.search(r"2[ ,\u00a0]?000", anna.last_text())

    for person in (anna, steward, mallory, admin):
        assert person.unanswered_queries() == []
