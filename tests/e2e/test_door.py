"""The door: every verdict a steward can meet reads plainly, with its mark."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.logs import ContextFilter
from domain.codes import short_code
from handlers import formatting as fmt
from storage.tables import tickets
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import decode_qr, make_event, open_tariff, pay_for_myself


async def _ticket_link(sandbox, admin, person) -> str:
    await person.send("/start")
    await admin.send("/start")
    await admin.send(f"/credit {person.id} 10000")
    await open_tariff(person, "Standard")
    await person.press("Add to cart")
    await person.send("/cart")
    await pay_for_myself(person)
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


async def _event_when(engine, event_id: int, lang: str) -> str:
    async with UnitOfWorkFactory(engine)(write=False) as u:
        event = await u.events.get(event_id)
    return fmt.when(event.starts_at, lang, ZoneInfo("Europe/Moscow"))


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_staff_of_another_event_learn_only_which_event_it_is(
    sandbox, bot_app, demo_event, admin, clock, caplog, lang
):
    """Short code, typed full code or scanned QR of a ticket for Маузер, at the door of another event: the
    title and date of Маузер, and nothing about the ticket: no holder, no code, no tariff, no button."""
    caplog.handler.addFilter(ContextFilter())
    caplog.set_level(logging.INFO)
    anna = sandbox.user("Anna Karenina")
    link = await _ticket_link(sandbox, admin, anna)
    secret = link.rsplit("t_", 1)[1]
    code = short_code(secret)
    other = await make_event(bot_app.engine, clock, title="Другой концерт", days=20)
    steward = await _steward(sandbox, admin, other.id, lang=lang)
    starts = await _event_when(bot_app.engine, demo_event.id, lang)
    heading = {"en": "ANOTHER EVENT", "ru": "ДРУГОЕ МЕРОПРИЯТИЕ"}[lang]

    for attempt in (code, code.lower(), secret.upper(), f"t_{secret}"):
        await steward.send(attempt)
        await _assert_only_the_event(steward, heading, starts, secret)
    await steward.open(link)
    await _assert_only_the_event(steward, heading, starts, secret)

    failed = [r for r in caplog.records if r.name == "domain.services.checkin" and r.levelno == logging.WARNING]
    assert [r.code_kind for r in failed] == ["short_code", "short_code", "full_code", "full_code", "full_code"]
    # Structured: the staff account (our id, and Telegram's in the line's context), what kind of code, the result.
    assert all(r.result == "wrong_event" and r.user_id == steward.id for r in failed)
    assert {r.staff_user_id for r in failed} != {None}
    logged = "\n".join(r.getMessage() for r in caplog.records).lower()
    assert secret[:8] not in logged and short_code(secret).lower() not in logged


async def _assert_only_the_event(steward, heading: str, starts: str, secret: str) -> None:
    text = steward.last_text()
    assert heading in text and "Маузер" in text and starts in text, text
    lowered = text.lower()
    for leak in ("anna", "karenina", "standard", secret[:8], short_code(secret).lower(), "👤", "🔑", "🏷"):
        assert leak not in lowered, (leak, text)
    assert steward.buttons() == []


@pytest.mark.parametrize(
    ("lang", "words", "plurals"),
    [
        ("en", "Too many attempts", {60: "60 seconds", 21: "21 seconds", 1: "1 second"}),
        ("ru", "Слишком много попыток", {60: "60 секунд", 21: "21 секунду", 2: "2 секунды"}),
    ],
)
async def test_a_guessing_steward_is_made_to_wait(
    sandbox, bot_app, demo_event, admin, clock, caplog, lang, words, plurals
):
    caplog.handler.addFilter(ContextFilter())
    caplog.set_level(logging.INFO)
    anna = sandbox.user("Anna")
    link = await _ticket_link(sandbox, admin, anna)
    secret = link.rsplit("t_", 1)[1]
    steward = await _steward(sandbox, admin, demo_event.id, lang=lang)
    unknown = {"en": "UNKNOWN CODE", "ru": "НЕИЗВЕСТНЫЙ КОД"}[lang]
    valid = {"en": "VALID TICKET", "ru": "ДЕЙСТВИТЕЛЕН"}[lang]

    # A busy door: good codes never count, however many.
    for _ in range(12):
        await steward.send(short_code(secret))
        assert valid in steward.last_text()
    short_guesses = [f"{a}{a}{a}{a}-{b}{b}{b}{b}" for a in "234" for b in "678"]
    for guess in [*short_guesses, "2" * 32]:  # ten wrong codes (nine short, one full): each is simply unknown
        await steward.send(guess)
        assert unknown in steward.last_text()
    blocked_at = clock.now()
    await steward.send("ZZZZ-ZZZZ")  # the eleventh is refused
    assert words in steward.last_text() and plurals[60] in steward.last_text()
    await steward.open(link)  # and so is the QR: one limiter for every look-up
    assert words in steward.last_text()
    for wait, phrase in plurals.items():  # while blocked even the right code is refused
        clock.set(blocked_at + timedelta(seconds=60 - wait))
        await steward.send(short_code(secret))
        text = steward.last_text()
        assert words in text and phrase in text and valid not in text, text
    clock.set(blocked_at + timedelta(seconds=60))  # the window is over: the door works again
    await steward.send(short_code(secret))
    assert valid in steward.last_text()
    assert steward.buttons()  # and the check-in button is back

    failed = [r for r in caplog.records if r.name == "domain.services.checkin" and r.levelno == logging.WARNING]
    guesses_logged = [r for r in failed if getattr(r, "result", None) == "unknown"]
    assert len(guesses_logged) == 10
    assert {r.code_kind for r in guesses_logged} == {"short_code", "full_code"}
    assert any(getattr(r, "blocked_seconds", None) == 60 for r in failed)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "2222-6666" not in logged and "2" * 32 not in logged
