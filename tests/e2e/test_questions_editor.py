"""An organizer sets the questions every attendee of an event is asked, from the event's own menu: one of
each kind with every refusal where it is typed, Back and Cancel, required or optional, all tariffs or one,
one removed (its answers stay in the attendee CSV), and whether buyers may rename attendees after paying.
Another organizer's forged buttons, a customer and an admin (who only reads) change nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from storage.repos.attendees import dump_answers
from storage.tables import events, questions, ticket_types, tickets
from tests.e2e.test_door_staff import _on_sale
from tests.e2e.test_event_dialog import make_organizer, poster_png
from tests.e2e.test_reports import _buy

T = {
    "en": {
        "language": "English",
        "questions": "❓ Questions",
        "empty": "No questions yet",
        "add": "➕ Add a question",
        "step1": "step 1 of 5",
        "kind_prompt": "What answer do you need?",
        "email": "✉️ E-mail",
        "phone": "📞 Phone",
        "text": "📝 Text",
        "choice": "🔘 One choice",
        "multi": "☑️ Several choices",
        "yesno": "👍 Yes / No",
        "label_prompt": "Type the question",
        "label_limits": "at least 2 characters, at most 200 characters",
        "label_refused": "A question needs at least 2 characters and at most 200 characters, with at least one letter",
        "options_prompt": "at least 2 options, at most 10 options, all different, each at most 40 characters",
        "few": "That is 1 option: a choice needs at least 2 options",
        "many": "That is 11 options: at most 10 options",
        "same": "«m» is there twice",
        "long": "is too long: 41 characters, at most 40 characters",
        "required": "❗ Required",
        "optional": "💬 Optional",
        "all": "🎟 All tariffs",
        "only_vip": "Only «VIP»",
        "added": "✅ Question «{}» added.",
        "back": "◀️ Back",
        "cancel": "✖️ Cancel",
        "stopped": "Stopped: no question was added.",
        "now": "Now: ",
        "use_buttons": "Choose with the buttons",
        "text_expected": "This step needs text",
        "stale": "earlier step",
        "line_email": "1. ✉️ E-mail Ваш e-mail — required, all tariffs",
        "line_phone": "2. 📞 Phone Телефон для связи — optional, only «VIP»",
        "line_text": "3. 📝 Text Пожелания — optional, all tariffs",
        "line_choice": "4. 🔘 One choice Размер футболки — required, all tariffs\n    S · M · L",
        "line_multi": "5. ☑️ Several choices Какие дни? — optional, all tariffs",
        "line_yesno": "6. 👍 Yes / No Нужна парковка? — required, all tariffs",
        "remove_confirm": "Remove the question «Пожелания»?",
        "remove_yes": "🗑 Yes, remove it",
        "removed": "«Пожелания» removed",
        "removed_already": "«Пожелания» is removed already",
        "event": "◀️ Event",
        "names_no": "👤 Rename attendees after payment: no",
        "names_yes": "👤 Rename attendees after payment: yes",
        "names_on": "Buyers may now change attendee names after payment",
        "names_off": "Attendee names are now fixed",
        "code": "Ticket code",
        "holder": "Holder",
        "buyer": "Buyer's Telegram",
        "yes": "Yes",
    },
    "ru": {
        "language": "Русский",
        "questions": "❓ Вопросы",
        "empty": "Вопросов пока нет",
        "add": "➕ Добавить вопрос",
        "step1": "шаг 1 из 5",
        "kind_prompt": "Какой нужен ответ?",
        "email": "✉️ E-mail",
        "phone": "📞 Телефон",
        "text": "📝 Текст",
        "choice": "🔘 Один вариант",
        "multi": "☑️ Несколько вариантов",
        "yesno": "👍 Да / Нет",
        "label_prompt": "Напишите вопрос",
        "label_limits": "минимум 2 символа, максимум 200 символов",
        "label_refused": "В вопросе нужно минимум 2 символа, максимум 200 символов и хотя бы одна буква",
        "options_prompt": "минимум 2 варианта, максимум 10 вариантов, все разные, каждый — максимум 40 символов",
        "few": "Это 1 вариант: для выбора нужно минимум 2 варианта",
        "many": "Это 11 вариантов: можно максимум 10 вариантов",
        "same": "«m» повторяется",
        "long": "слишком длинный вариант: 41 символ, можно максимум 40 символов",
        "required": "❗ Обязательный",
        "optional": "💬 По желанию",
        "all": "🎟 Все тарифы",
        "only_vip": "Только «VIP»",
        "added": "✅ Вопрос «{}» добавлен.",
        "back": "◀️ Назад",
        "cancel": "✖️ Отмена",
        "stopped": "Остановлено: вопрос не добавлен.",
        "now": "Сейчас: ",
        "use_buttons": "Выберите кнопкой",
        "text_expected": "На этом шаге нужен текст",
        "stale": "от предыдущего шага",
        "line_email": "1. ✉️ E-mail Ваш e-mail — обязательный, все тарифы",
        "line_phone": "2. 📞 Телефон Телефон для связи — по желанию, только «VIP»",
        "line_text": "3. 📝 Текст Пожелания — по желанию, все тарифы",
        "line_choice": "4. 🔘 Один вариант Размер футболки — обязательный, все тарифы\n    S · M · L",
        "line_multi": "5. ☑️ Несколько вариантов Какие дни? — по желанию, все тарифы",
        "line_yesno": "6. 👍 Да / Нет Нужна парковка? — обязательный, все тарифы",
        "remove_confirm": "Убрать вопрос «Пожелания»?",
        "remove_yes": "🗑 Да, убрать",
        "removed": "«Пожелания» убран",
        "removed_already": "«Пожелания» уже убран",
        "event": "◀️ К мероприятию",
        "names_no": "👤 Менять имена после оплаты: нет",
        "names_yes": "👤 Менять имена после оплаты: да",
        "names_on": "Теперь покупатели могут менять имена зрителей после оплаты",
        "names_off": "Теперь имена зрителей после оплаты не меняются",
        "code": "Код билета",
        "holder": "Владелец",
        "buyer": "Telegram покупателя",
        "yes": "Да",
    },
}


async def _question_rows(engine):
    async with engine.connect() as conn:
        return (await conn.execute(select(questions).order_by(questions.c.id))).all()


async def _event(engine):
    async with engine.connect() as conn:
        return (await conn.execute(select(events).order_by(events.c.id))).first()


async def _vip(olga) -> None:
    """A second tariff from the event's menu, then back to the menu."""
    await olga.press("🎟 Tariffs")
    await olga.press("➕ Add a tariff")
    for answer in ("VIP", "3000", "5"):
        await olga.send(answer)
    for _ in range(3):
        await olga.press("Skip ⏭")
    await olga.press("◀️ Event")


async def _add(olga, t, kind: str, label: str, required: bool, scope: str, options: str | None = None) -> None:
    await olga.press(t["add"])
    await olga.press(t[kind])
    await olga.send(label)
    if options is not None:
        await olga.send(options)
    await olga.press(t["required"] if required else t["optional"])
    await olga.press(t[scope])
    assert t["added"].format(label) in olga.messages[-2].text


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_an_organizer_sets_the_questions_of_an_event(sandbox, bot_app, admin, clock, lang):
    t = T[lang]
    clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=UTC))
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Маузер", "25.12.2026 19:00")
    await _vip(olga)
    await _buy(sandbox, admin, "Анна Каренина", "anna_k", 1)  # bought before any question was asked
    olga.lang = lang
    await olga.send("/language")
    await olga.press(t["language"])
    await olga.send("/events")
    await olga.press("1")
    assert t["names_no"] in olga.buttons()

    await olga.press(t["questions"])
    assert t["empty"] in olga.last_text()
    assert olga.buttons() == [t["add"], t["event"]]

    # E-mail, with every refusal of its label
    await olga.press(t["add"])
    assert t["step1"] in olga.last_text() and t["kind_prompt"] in olga.last_text()
    await olga.send("Hello")  # the kind is chosen by button
    assert t["use_buttons"] in olga.last_text()
    await olga.press(t["email"])
    assert t["label_prompt"] in olga.last_text() and t["label_limits"] in olga.last_text()
    for refused in ("x", "😀🎉👍", "Ж" * 5000, "12345"):
        await olga.send(refused)
        assert t["label_refused"] in olga.last_text(), refused
    await olga.send_photo(poster_png())
    assert t["text_expected"] in olga.last_text()
    assert await _question_rows(bot_app.engine) == []
    await olga.send("Ваш e-mail")
    await olga.press(t["required"])
    await olga.press(t["all"])
    assert t["added"].format("Ваш e-mail") in olga.messages[-2].text
    assert t["line_email"] in olga.last_message().text

    # Phone, optional, for VIP only
    await _add(olga, t, "phone", "Телефон для связи", required=False, scope="only_vip")

    # Text, with Back through every step and the label typed again
    await olga.press(t["add"])
    await olga.press(t["text"])
    await olga.send("Комментарий")
    await olga.press(t["back"])  # from Required back to the label, which shows what was typed
    assert t["label_prompt"] in olga.last_text() and t["now"] + "Комментарий" in olga.last_text()
    await olga.press(t["back"])  # to the kind
    assert t["kind_prompt"] in olga.last_text()
    await olga.press(t["text"])
    await olga.send("Пожелания")
    await olga.press(t["optional"])
    await olga.press(t["back"])  # from the tariffs back to Required
    await olga.press(t["optional"])
    await olga.press(t["all"])
    assert t["added"].format("Пожелания") in olga.messages[-2].text

    # One choice, with every refusal of its options
    await olga.press(t["add"])
    await olga.press(t["choice"])
    await olga.send("Размер футболки")
    assert t["options_prompt"] in olga.last_text()
    for refused, why in (
        ("S", "few"),
        ("\n".join(f"Size {n}" for n in range(11)), "many"),
        ("S\nM\nm", "same"),
        ("S\n" + "X" * 41, "long"),
        ("Ж" * 5000, "few"),
    ):
        await olga.send(refused)
        assert t[why] in olga.last_text(), (refused[:20], olga.last_text())
    await olga.send(" S \n\nM\nL\n")
    await olga.press(t["back"])  # from Required back to the options, shown as kept
    assert t["now"] + "S · M · L" in olga.last_text()
    await olga.send("S\nM\nL")
    await olga.press(t["required"])
    await olga.press(t["all"])

    # Several choices, and Yes/No
    await _add(olga, t, "multi", "Какие дни?", False, "all", options="Пятница\nСуббота\nВоскресенье")
    await _add(olga, t, "yesno", "Нужна парковка?", True, "all")

    # Cancel in the middle, and Back from the first step: nothing added
    await olga.press(t["add"])
    stale_kind = olga.last_message().buttons[0][0].callback_data
    await olga.press(t["choice"])
    await olga.send("Черновик")
    await olga.press(t["cancel"])
    assert t["stopped"] in olga.messages[-2].text
    await olga.press_data(stale_kind)  # a kind button of the cancelled dialog
    assert t["stale"] in olga.last_alert()
    await olga.press(t["add"])
    await olga.press(t["yesno"])
    await olga.send("/cancel")
    assert t["stopped"] in olga.messages[-2].text
    await olga.press(t["add"])
    await olga.press(t["back"])
    assert t["line_yesno"] in olga.last_text()

    listed = olga.last_message().text
    for key in ("line_email", "line_phone", "line_text", "line_choice", "line_multi", "line_yesno"):
        assert t[key] in listed, (key, listed)
    rows = await _question_rows(bot_app.engine)
    assert [(r.kind, r.label, r.required, r.position) for r in rows] == [
        ("email", "Ваш e-mail", True, 0),
        ("phone", "Телефон для связи", False, 1),
        ("text", "Пожелания", False, 2),
        ("choice", "Размер футболки", True, 3),
        ("multi", "Какие дни?", False, 4),
        ("yesno", "Нужна парковка?", True, 5),
    ]
    async with bot_app.engine.connect() as conn:
        vip_id = (await conn.execute(select(ticket_types.c.id).where(ticket_types.c.name == "VIP"))).scalar_one()
    assert [r.ticket_type_id for r in rows] == [None, vip_id, None, None, None, None]
    assert [r.options for r in rows][3:5] == ['["S", "M", "L"]', '["Пятница", "Суббота", "Воскресенье"]']
    email, phone, text, size, days, parking = (r.id for r in rows)

    # Remove one: asked first; its answers stay
    await olga.press("🗑 3")
    assert t["remove_confirm"] in olga.last_text()
    confirm = olga.last_message().buttons[0][0].callback_data
    await olga.press(t["remove_yes"])
    assert t["removed"] in olga.last_alert()
    assert "Пожелания" not in olga.last_text() and "🗑 6" not in olga.buttons()
    await olga.press_data(confirm)  # the same confirmation again
    assert t["removed_already"] in olga.last_alert()
    assert [r.active for r in await _question_rows(bot_app.engine)] == [True, True, False, True, True, True]

    # Names after payment: yes, then no again
    await olga.press(t["event"])
    await olga.press(t["names_no"])
    assert t["names_on"] in olga.last_alert() and t["names_yes"] in olga.buttons()
    assert (await _event(bot_app.engine)).names_changeable is True
    await olga.press(t["names_yes"])
    assert t["names_off"] in olga.last_alert() and t["names_no"] in olga.buttons()
    assert (await _event(bot_app.engine)).names_changeable is False

    # The attendee CSV: one column per question, the removed one included, after the holder's
    answers = {
        email: "anna@example.com",
        phone: "+79161234567",
        text: "=без лука",
        size: "M",
        days: ["Пятница", "Воскресенье"],
        parking: "yes",
    }
    async with bot_app.engine.begin() as conn:
        await conn.execute(update(tickets).values(answers=dump_answers(answers)))
    await olga.send("/report")
    await olga.press("Маузер")
    await olga.press("📄")
    raw = olga.last_document().document
    parsed = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    labels = ["Ваш e-mail", "Телефон для связи", "Пожелания", "Размер футболки", "Какие дни?", "Нужна парковка?"]
    assert parsed[0][:3] == [t["code"], parsed[0][1], t["holder"]]
    assert parsed[0][3:9] == labels and parsed[0][9] == t["buyer"]
    assert len(parsed) == 2
    row = parsed[1]
    assert row[2] == "Анна Каренина" and row[9] == "@anna_k"
    assert row[3:9] == ["anna@example.com", "+79161234567", "'=без лука", "M", "Пятница; Воскресенье", t["yes"]]
    assert olga.unanswered_queries() == []


async def test_forged_and_foreign_buttons_change_nothing(sandbox, bot_app, admin, clock):
    clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=UTC))
    olga = await make_organizer(sandbox, admin, "Olga", "en")
    await _on_sale(olga, "Маузер", "25.12.2026 19:00")
    await olga.press("❓ Questions")
    await _add(olga, T["en"], "email", "Your e-mail", True, "all")
    event = await _event(bot_app.engine)
    (question,) = await _question_rows(bot_app.engine)
    async with bot_app.engine.connect() as conn:
        tariff = (await conn.execute(select(ticket_types.c.id))).scalar_one()

    ivan = await make_organizer(sandbox, admin, "Ivan", "en")
    for data in (
        f"oql:{event.id}",
        f"oqn:{event.id}",
        f"oqd:{question.id}:0",
        f"oqd:{question.id}:1",
        f"onc:{event.id}:1",
        f"oql:{event.id + 1000}",
        f"oqd:{question.id + 1000}:1",
    ):
        await ivan.press_data(data)
        assert "No such event among yours" in ivan.last_alert(), data
    await ivan.press_data(f"oqf:scope:{event.id}:scope::0")  # a dialog step he is not in
    assert "earlier step" in ivan.last_alert()

    # His own draft: the dialog is his, the tariff he forges at its last step is Olga's
    await ivan.send("/new_event")
    await ivan.send("Ревизор")
    await ivan.press("✖️")
    await ivan.send("/events")
    await ivan.press("1")
    await ivan.press("❓ Questions")
    await ivan.press("➕ Add a question")
    await ivan.press("📝 Text")
    await ivan.send("Comment")
    await ivan.press("💬 Optional")
    assert ivan.buttons()[:1] == ["🎟 All tariffs"]  # a draft without tariffs: only all of them
    his = (await _event_rows_of(bot_app.engine))[1]
    await ivan.press_data(f"oqf:scope:{his}:scope::{tariff}")
    assert "No such event among yours" in ivan.last_alert()
    await ivan.press_data(f"oqf:scope:{event.id}:scope::0")  # Olga's event in his dialog's button
    assert "earlier step" in ivan.last_alert()
    await ivan.press_data(f"oqf:kind:{his}:scope:zzz:0")  # a kind at the tariff step
    assert "earlier step" in ivan.last_alert()
    assert [(r.event_id, r.label) for r in await _question_rows(bot_app.engine)] == [(event.id, "Your e-mail")]
    await ivan.press("🎟 All tariffs")
    assert [(r.event_id, r.label) for r in await _question_rows(bot_app.engine)] == [
        (event.id, "Your e-mail"),
        (his, "Comment"),
    ]
    assert (await _event(bot_app.engine)).names_changeable is False

    customer = sandbox.user("Customer", lang="ru")
    await customer.send("/start")
    for data in (f"oql:{event.id}", f"oqn:{event.id}", f"oqd:{question.id}:1", f"onc:{event.id}:1"):
        await customer.press_data(data)
        assert "Это для организаторов" in customer.last_alert(), data

    (shown,) = await admin.press_data(f"oql:{event.id}")  # an admin reads, and has nothing to press
    assert "Your e-mail" in shown.text and "View only" in shown.text
    assert shown.button_labels() == []
    await admin.press_data(f"oqd:{question.id}:1")
    assert "This is for organizers" in admin.last_alert()
    assert [r.active for r in await _question_rows(bot_app.engine)] == [True, True]
    assert ivan.unanswered_queries() == [] and customer.unanswered_queries() == []


async def _event_rows_of(engine) -> list[int]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(events.c.id).order_by(events.c.id))).scalars())
