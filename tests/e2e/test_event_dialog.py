"""An organizer creates an event from the phone: the guided dialog with every refusal, Back and Cancel,
a draft kept when the dialog is abandoned, and the event's own menu for changing a field later."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlalchemy import select

from storage.tables import events

T = {
    "en": {
        "step1": "step 1 of 10",
        "step2": "step 2 of 10",
        "too_long": "Too long: 201 characters, at most 200",
        "theatre": "🎭 Theatre",
        "unreadable": "I could not read that date",
        "past": "has passed already",
        "end_before": "The end must be after the start",
        "poster_expected": "This step needs a photo",
        "as_photo": "That is a file",
        "age": "Write one of 0+, 6+, 12+, 16+ or 18+",
        "saved": "is saved as a draft",
        "back": "◀️ Back",
        "skip": "Skip ⏭",
        "cancel": "✖️ Cancel",
        "kept": "The draft «Маузер» is kept",
        "nothing": "Nothing was saved",
        "stale": "earlier step",
        "not_organizer": "This is for organizers",
        "venue": "✏️ Venue",
        "missing": "Before it can go on sale, set: Venue, Start",
        "no_date": "date not set",
        "not_found": "not found",
        "text_expected": "This step needs text",
    },
    "ru": {
        "step1": "шаг 1 из 10",
        "step2": "шаг 2 из 10",
        "too_long": "Слишком длинно: 201 символ, можно не больше 200",
        "theatre": "🎭 Театр",
        "unreadable": "Не получилось прочитать дату",
        "past": "уже прошёл",
        "end_before": "Окончание должно быть позже начала",
        "poster_expected": "На этом шаге нужна фотография",
        "as_photo": "Это файл",
        "age": "Напишите одно из: 0+, 6+, 12+, 16+ или 18+",
        "saved": "сохранено как черновик",
        "back": "◀️ Назад",
        "skip": "Пропустить ⏭",
        "cancel": "✖️ Отмена",
        "kept": "Черновик «Маузер» сохранён",
        "nothing": "Ничего не сохранено",
        "stale": "от предыдущего шага",
        "not_organizer": "Это для организаторов",
        "venue": "✏️ Площадка",
        "missing": "Чтобы начать продажи, заполните: Площадка, Начало",
        "no_date": "дата не задана",
        "not_found": "не найдено",
        "text_expected": "На этом шаге нужен текст",
    },
}


def poster_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 90), "purple").save(buffer, "PNG")
    return buffer.getvalue()


async def make_organizer(sandbox, admin, name: str, lang: str):
    await admin.send("/start")
    person = sandbox.user(name, lang=lang)
    await person.send(f"/organizer {name}, concerts and plays")
    await admin.press("✅ Approve")
    return person


async def _event_rows(engine):
    async with engine.connect() as conn:
        return (await conn.execute(select(events).order_by(events.c.id))).all()


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_the_whole_dialog_with_every_refusal(sandbox, bot_app, admin, lang):
    t = T[lang]
    stranger = sandbox.user("Stranger", lang=lang)
    await stranger.send("/new_event")
    assert t["not_organizer"] in stranger.last_text()

    olga = await make_organizer(sandbox, admin, "Olga", lang)
    await olga.send("/new_event")
    assert t["step1"] in olga.last_text()
    assert olga.buttons() == [t["cancel"]]
    await olga.send("x" * 201)
    assert t["too_long"] in olga.last_text()
    assert await _event_rows(bot_app.engine) == []

    await olga.send("Маузер")
    assert t["step2"] in olga.last_text()
    skip_performers = olga.last_message().buttons[0][0].callback_data
    await olga.press(t["back"])
    assert t["step1"] in olga.last_text() and "Маузер" in olga.last_text()
    await olga.send("  Маузер   (премьера) ")
    assert t["step2"] in olga.last_text()
    assert len(await _event_rows(bot_app.engine)) == 1  # Back edits the same draft
    await olga.send("Константин Райкин")
    await olga.press_data(skip_performers)  # Skip of step 2, pressed on step 3
    assert t["stale"] in olga.last_alert()
    await olga.press(t["skip"])  # description
    await olga.send("Not a category")
    assert "buttons" in olga.last_text() or "кнопками" in olga.last_text()
    await olga.press(t["theatre"])
    await olga.send("Театр «Сатирикон», Шереметьевская 8")

    await olga.send("tomorrow evening")
    assert t["unreadable"] in olga.last_text()
    await olga.send("31.02.2027 19:00")
    assert t["unreadable"] in olga.last_text()
    await olga.send("20.11.2026 19:00")
    assert t["past"] in olga.last_text()
    await olga.send("25 декабря 2026 19:00")
    await olga.send("25.12.2026 18:00")
    assert t["end_before"] in olga.last_text()
    await olga.send("25.12.2026 22:00")

    await olga.send("here is the poster")
    assert t["poster_expected"] in olga.last_text()
    await olga.send_document(b"\x89PNG" + b"0" * (20 * 1024 * 1024), "poster.png", "image/png")
    assert t["as_photo"] in olga.last_text()
    await olga.send_photo(poster_png())
    await olga.send("21+")
    assert t["age"] in olga.last_text()
    await olga.send_photo(poster_png())
    assert t["text_expected"] in olga.last_text()
    await olga.send("16+")
    await olga.send("Вход за 15 минут до начала.\n\n\n\nПаспорт обязателен.")
    assert t["saved"] in olga.messages[-2].text
    card = olga.last_text()
    assert "Маузер (премьера)" in card and "Константин Райкин" in card and "16+" in card

    (row,) = await _event_rows(bot_app.engine)
    assert row.title == "Маузер (премьера)" and row.status == "draft" and row.category == "theatre"
    assert row.starts_at.replace(tzinfo=UTC) == datetime(2026, 12, 25, 16, 0, tzinfo=UTC)  # 19:00 in Moscow
    assert row.ends_at.replace(tzinfo=UTC) == datetime(2026, 12, 25, 19, 0, tzinfo=UTC)
    assert row.description == "" and row.age_limit == 16 and row.poster_file_id
    assert row.conditions == "Вход за 15 минут до начала.\n\nПаспорт обязателен."
    assert sandbox.file_bytes(row.poster_file_id) == poster_png()
    assert olga.unanswered_queries() == [] and stranger.unanswered_queries() == []


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_an_abandoned_dialog_keeps_the_draft_and_any_field_is_changed_later(sandbox, bot_app, admin, lang):
    t = T[lang]
    olga = await make_organizer(sandbox, admin, "Olga", lang)
    await olga.send("/new_event")
    await olga.press(t["cancel"])
    assert t["nothing"] in olga.last_text()
    assert await _event_rows(bot_app.engine) == []

    await olga.send("/new_event")
    await olga.send("Маузер")
    await olga.send("/cart")  # another command in the middle is that command, not the performers
    assert "Маузер" not in olga.last_text()
    await olga.send("Константин Райкин")  # and the dialog goes on where it was
    assert "3" in olga.last_text().split("\n")[0]
    await olga.press(t["cancel"])
    assert t["kept"] in olga.last_text()
    (row,) = await _event_rows(bot_app.engine)
    assert (row.title, row.performers, row.starts_at) == ("Маузер", "Константин Райкин", None)

    await olga.send("/events")
    assert "📝" in olga.last_text() and t["no_date"] in olga.last_text()
    await olga.press("1")
    assert t["missing"] in olga.last_text()
    await olga.press(t["venue"])
    assert olga.buttons() == [t["cancel"]]  # the venue is required: no Remove
    await olga.send("Сатирикон")
    assert "Сатирикон" in olga.last_text() and "✏️" in " ".join(olga.buttons())
    await olga.press("✏️ " + ("Performers" if lang == "en" else "Исполнители"))
    await olga.press("🗑 " + ("Remove" if lang == "en" else "Убрать"))
    (row,) = await _event_rows(bot_app.engine)
    assert (row.venue, row.performers) == ("Сатирикон", "")
    assert olga.unanswered_queries() == []


async def test_someone_elses_event_and_forged_buttons_change_nothing(sandbox, bot_app, admin):
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await olga.send("/new_event")
    await olga.send("Маузер")
    await olga.press("✖️ Cancel")
    (row,) = await _event_rows(bot_app.engine)

    ivan = await make_organizer(sandbox, admin, "Ivan", "en")
    await ivan.press_data(f"em:{row.id}")
    assert "No such event among yours" in ivan.last_alert()
    await ivan.press_data(f"ee:{row.id}:title")
    assert "No such event among yours" in ivan.last_alert()
    await ivan.press_data(f"ee:{row.id}:secret")
    assert ivan.last_alert()
    customer = sandbox.user("Customer")
    await customer.send("/start")
    await customer.press_data("ne")
    assert "This is for organizers" in customer.last_alert()
    await customer.press_data(f"ef:cancel:{row.id}:title:")
    assert "earlier step" in customer.last_alert()

    await olga.send("/events")
    await olga.press("1")
    await olga.press("✏️ Title")
    await admin.send(f"/revoke_organizer {olga.id}")
    await olga.send("Stolen title")
    assert "This is for organizers" in olga.last_text()
    (after,) = await _event_rows(bot_app.engine)
    assert after.title == "Маузер"
    for person in (olga, ivan, customer):
        assert person.unanswered_queries() == []
