"""C4 as a buyer meets it: each ticket's attendee ("Same as me" is one tap, or a typed name) and the
organizer's questions of every kind, each refusal with its message; the answers shown back and changed
until payment; a Pay press with something missing asks first and pays after the last answer; the
tickets carry the attendees. English and Russian."""

from __future__ import annotations

from sqlalchemy import select

from domain.models import Question, QuestionKind
from storage.tables import events, tickets
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import balance, credited, make_event, open_tariff, pay_for_myself
from tests.e2e.test_stale_buttons import plain


async def _ask(engine, clock, event, *questions: tuple) -> list[Question]:
    """Questions as the organizer's console adds them: (kind, label, required, options, tariff or None)."""
    made = []
    async with UnitOfWorkFactory(engine)() as u:
        for kind, label, required, options, tariff in questions:
            question = Question(0, event.id, kind, label, required, tuple(options), tariff)
            made.append(await u.attendees.add_question(question, clock.now()))
        await u.commit()
    return made


def screen(person) -> str:
    """What the dialog shows now: the newest message with buttons (a press edits it in place, a typed
    answer brings a new one; refusals come without buttons)."""
    return next(m.text or "" for m in reversed(person.messages) if m.buttons)


async def _holders(engine) -> list[tuple[str, str]]:
    async with engine.connect() as conn:
        return [(r.holder_name, r.answers) for r in await conn.execute(select(tickets).order_by(tickets.c.id))]


async def test_every_kind_of_question_with_its_refusals_in_english(sandbox, bot_app, admin, clock):
    event = await make_event(bot_app.engine, clock)
    await _ask(
        bot_app.engine,
        clock,
        event,
        (QuestionKind.EMAIL, "E-mail", True, (), event.standard_id),
        (QuestionKind.PHONE, "Phone", False, (), event.standard_id),
        (QuestionKind.CHOICE, "T-shirt size", True, ("S", "M", "L"), event.standard_id),
        (QuestionKind.MULTI, "Workshops", True, ("Lighting", "Sound", "Stage"), event.standard_id),
        (QuestionKind.YESNO, "Vegetarian meal?", True, (), event.standard_id),
        (QuestionKind.TEXT, "Company", True, (), event.standard_id),
    )
    anna = await credited(sandbox, admin, "Anna")
    for tariff in ("Standard", "VIP"):
        await open_tariff(anna, tariff)
        await anna.press("Add to cart")
    await anna.send("/cart")
    cart = plain(screen(anna))
    assert "👤 —" in cart and "Still to fill in: who 2 tickets are for." in cart

    await anna.press("Who are the tickets for? (2 to fill in)")
    assert "Ticket 1 of 2" in screen(anna) and "Who is this ticket for?" in screen(anna)
    for garbage in ("🎉🎉", "12345", "x" * 4000, "Anna\nPetrova" * 30):
        await anna.send(garbage)
        assert "not a name we can print" in anna.last_text(), garbage[:20]
    await anna.press("Same as me")

    assert "E-mail" in screen(anna) and "Type an e-mail address." in screen(anna)
    await anna.send("anna@")
    assert "does not look like an e-mail address" in anna.last_text()
    await anna.send("Anna@Example.COM")
    assert "Phone" in screen(anna) and "(optional)" in screen(anna)
    await anna.send("call me")
    assert "does not look like a phone number" in anna.last_text()
    await anna.press("Skip")
    assert "T-shirt size" in screen(anna)
    await anna.send("M")
    assert "answer with the buttons" in anna.last_text()
    await anna.press("M")
    assert "Workshops" in screen(anna)
    await anna.press("Done")
    assert anna.last_alert() == "This question needs an answer."
    await anna.press("⬜️ Lighting")
    await anna.press("⬜️ Stage")
    await anna.press("☑️ Lighting")
    await anna.press("⬜️ Lighting")
    await anna.press("Done")
    assert "Vegetarian meal?" in screen(anna)
    await anna.press("No")
    assert "Company" in screen(anna)
    await anna.send("!!!")
    assert "up to 300 characters" in anna.last_text()
    await anna.send("ACME")

    assert "Ticket 2 of 2" in screen(anna) and "VIP" in screen(anna), "the VIP ticket has no questions"
    await anna.send("Boris Ivanov")
    assert any(m.text == "✅ Every ticket has its attendee." for m in anna.messages[-2:])
    cart = plain(screen(anna))
    assert "👤 Anna" in cart and "👤 Boris Ivanov" in cart and "Still to fill in" not in cart

    await anna.press("👤 Attendees")
    listing = plain(screen(anna))
    assert "E-mail: Anna@example.com" in listing and "Phone: skipped" in listing
    assert "Workshops: Lighting; Stage" in listing and "Vegetarian meal?: No" in listing
    await anna.press("✏️ 2")
    assert "Keep: Boris Ivanov" in " ".join(anna.buttons())
    await anna.send("Вера Павлова")
    assert "👤 Вера Павлова" in plain(screen(anna))

    # A forged button naming a seat that is not in this cart changes nothing.
    await anna.press_data("ad:me:999:0:0:0")
    assert anna.last_alert().startswith("This button is out of date")

    await anna.press("Pay from wallet")
    assert await balance(bot_app.engine, anna.id) == 1_000_000 - 650_000
    holders = await _holders(bot_app.engine)
    assert [h for h, _ in holders] == ["Anna", "Вера Павлова"]
    assert "Anna@example.com" in holders[0][1] and '"Lighting","Stage"' in holders[0][1]
    captions = [m.caption for m in anna.messages if m.photo]
    assert "Anna" in captions[0] and "Вера Павлова" in captions[1]


async def test_pay_asks_first_and_pays_after_the_last_answer_in_russian(sandbox, bot_app, admin, clock):
    event = await make_event(bot_app.engine, clock)
    await _ask(bot_app.engine, clock, event, (QuestionKind.YESNO, "Нужна парковка?", True, (), None))
    boris = await credited(sandbox, admin, "Борис", "ru")
    await open_tariff(boris)
    await boris.press("В корзину")
    await boris.send("/cart")
    assert "Осталось указать, для кого 1 билет." in plain(screen(boris))
    await boris.press("Оплатить с кошелька")
    assert boris.last_alert().startswith("Сначала укажите, для кого билеты: 1 билет пока без")
    assert "Билет 1 из 1" in screen(boris) and "Для кого этот билет?" in screen(boris)
    assert await balance(bot_app.engine, boris.id) == 1_000_000
    await boris.send("А")
    assert "Нужна парковка?" in screen(boris) and "Да или нет?" in screen(boris)
    await boris.send("да")
    assert "ответьте кнопками" in boris.last_text()
    await boris.press("Да")
    assert "оплачен" in " ".join(m.text or "" for m in boris.messages[-3:])
    assert await balance(bot_app.engine, boris.id) == 1_000_000 - 150_000
    assert [h for h, _ in await _holders(bot_app.engine)] == ["А"]


async def test_an_attendee_name_changes_after_paying_only_where_the_organizer_allows(sandbox, bot_app, admin, clock):
    allowed = await make_event(bot_app.engine, clock, title="Квартирник")
    await make_event(bot_app.engine, clock, title="Маузер")
    async with bot_app.engine.begin() as conn:
        await conn.execute(events.update().where(events.c.id == allowed.id).values(names_changeable=True))
    anna = await credited(sandbox, admin, "Anna")
    for title in ("Квартирник", "Маузер"):
        await open_tariff(anna, event=title)
        await anna.press("Add to cart")
        await anna.send("/cart")
        await pay_for_myself(anna)
    await anna.send("/tickets")
    assert "👤 Anna" in anna.last_text()
    assert [b for b in anna.buttons() if b.startswith("✏️")] == ["✏️ Name 2"], "only the ticket whose event allows it"

    mallory = sandbox.user("Mallory")
    await mallory.send("/start")
    await mallory.press_data("tn:1")
    assert mallory.last_alert() == "There is no such ticket among yours."

    await anna.press("✏️ Name 2")
    assert "Type the new attendee's first and last name." in anna.last_text()
    await anna.send("🎉")
    assert "not a name we can print" in anna.last_text()
    await anna.send("Вера Павлова")
    assert any("is now for Вера Павлова" in (m.text or "") for m in anna.messages[-2:])
    assert "👤 Вера Павлова" in anna.last_text()
    holders = sorted(h for h, _ in await _holders(bot_app.engine))
    assert holders == ["Anna", "Вера Павлова"]
    await anna.send("Квартирник")
    assert "Квартирник" in anna.last_text(), "typing is a search again after the rename"
