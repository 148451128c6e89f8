"""Attendee question rules at the service level, on SQLite and PostgreSQL: a question is written whole, in
the organizer's order, for every tariff or one tariff of its own event, with every value checked again (the
dialog state can be tampered with); an organizer reaches the questions of their own events only and an
admin reads any but changes none; removing only switches a question off, so the answers already given stay
and reach the attendee list; a cancelled event keeps its questions as they are; an event asks at most
MAX_QUESTIONS, also when many are added at once; the names-changeable flag is set alone; and the typed
steps say which rule an option broke."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest
from sqlalchemy import select, update

from bot.i18n import build_i18n
from domain.errors import EventNotEditable, NotOrganizer, OwnEventNotFound, QuestionInvalid, QuestionsFull
from domain.event_fields import EventField
from domain.models import QuestionKind
from domain.policies import AdminPolicy
from domain.services.questions import MAX_QUESTIONS, QuestionEditor
from domain.services.reports import ReportService
from handlers.views.reports import attendees_csv
from storage.repos.attendees import dump_answers
from storage.tables import events, questions, tickets
from tests.storage.test_report_rules import _pay
from tests.storage.test_tariff_editor import MSK, Box

ADMIN = 999
K = QuestionKind


class Shop(Box):
    def __init__(self, engine, clock) -> None:
        super().__init__(engine, clock)
        self.questions = QuestionEditor(self.uow, clock, AdminPolicy(frozenset({ADMIN})))
        self.reports = ReportService(self.uow, "RUB")

    async def rows(self, event_id: int):
        async with self.engine.connect() as conn:
            stmt = select(questions).where(questions.c.event_id == event_id).order_by(questions.c.id)
            return list(await conn.execute(stmt))


@pytest.fixture
def shop(engine, clock) -> Shop:
    return Shop(engine, clock)


async def _email(shop, organizer, event_id, label="E-mail", ticket_type_id=None):
    return await shop.questions.add(organizer, event_id, K.EMAIL, label, [], True, ticket_type_id)


async def test_a_question_is_written_whole_in_the_organizers_order_for_all_tariffs_or_one(shop):
    olga = await shop.person(1, organizer=True)
    standard = await shop.on_sale(olga)
    vip = await shop.tariffs.create(olga, standard.event_id, {"name": "VIP", "price": 300_000, "quantity": 5})
    event_id = standard.event_id
    first = await shop.questions.add(olga, event_id, K.MULTI, "  Which   days?\n", [" Fri ", "Sat  day"], False, None)
    second = await shop.questions.add(olga, event_id, "yesno", "Parking?", [], True, vip.id)
    assert (first.event_id, first.kind, first.label, first.options) == (
        event_id,
        K.MULTI,
        "Which days?",
        ("Fri", "Sat day"),
    )
    assert (first.required, first.ticket_type_id, first.position, first.active) == (False, None, 0, True)
    assert (second.kind, second.label, second.options, second.required) == (K.YESNO, "Parking?", (), True)
    assert (second.ticket_type_id, second.position) == (vip.id, 1)
    listed = await shop.questions.questions(olga, event_id)
    assert listed.questions == [first, second]
    assert [t.id for t in listed.tariffs] == [standard.id, vip.id]
    assert listed.event.id == event_id and listed.editable and not listed.full
    other = await shop.on_sale(olga)
    assert (await shop.questions.questions(olga, other.event_id)).questions == []  # another event asks nothing


async def test_every_value_is_checked_again_when_the_question_is_written(shop):
    olga = await shop.person(1, organizer=True)
    event_id = (await shop.on_sale(olga)).event_id
    bad = [
        ("phone-ish", "Phone", []),  # no such kind
        (K.TEXT, "x", []),  # a label of one character
        (K.TEXT, "😀😀😀", []),  # no letter
        (K.TEXT, "a" * 201, []),
        (K.TEXT, "Comment", ["a", "b"]),  # options on a kind without options
        (K.CHOICE, "Size", ["S"]),
        (K.CHOICE, "Size", ["S", "s"]),  # the same option in another case
        (K.MULTI, "Size", ["S", "M" * 41]),
        (K.MULTI, "Size", [str(n) for n in range(11)]),
    ]
    for kind, label, options in bad:
        with pytest.raises(QuestionInvalid) as info:
            await shop.questions.add(olga, event_id, kind, label, options, True, None)
        assert info.value.params == {"max_label": 200, "min_options": 2, "max_options": 10, "max_option": 40}
    assert await shop.rows(event_id) == []


async def test_a_tariff_of_another_event_or_none_is_answered_as_a_missing_event(shop):
    olga = await shop.person(1, organizer=True)
    mine = await shop.on_sale(olga)
    elsewhere = await shop.on_sale(olga)
    ivan = await shop.person(2, organizer=True)
    his = await shop.on_sale(ivan)
    for tariff_id in (elsewhere.id, his.id, his.id + 1000):
        with pytest.raises(OwnEventNotFound):
            await _email(shop, olga, mine.event_id, ticket_type_id=tariff_id)
    assert await shop.rows(mine.event_id) == []
    assert (await _email(shop, olga, mine.event_id, ticket_type_id=mine.id)).ticket_type_id == mine.id


async def test_only_the_owner_reaches_an_events_questions_and_an_admin_only_reads_them(shop):
    olga, ivan = await shop.person(1, organizer=True), await shop.person(2, organizer=True)
    event_id = (await shop.on_sale(olga)).event_id
    question = await _email(shop, olga, event_id)
    for event in (event_id, event_id + 1000):
        for call in (
            shop.questions.questions(ivan, event),
            shop.questions.begin(ivan, event),
            _email(shop, ivan, event),
            shop.questions.set_names_changeable(ivan, event, True),
        ):
            with pytest.raises(OwnEventNotFound):
                await call
    for call in (shop.questions.question(ivan, question.id), shop.questions.remove(ivan, question.id)):
        with pytest.raises(OwnEventNotFound):
            await call
    with pytest.raises(OwnEventNotFound):
        await shop.questions.remove(olga, question.id + 1000)
    customer = await shop.person(3)
    with pytest.raises(NotOrganizer):
        await shop.questions.questions(customer, event_id)

    admin = await shop.person(ADMIN)
    seen = await shop.questions.questions(admin, event_id)
    assert seen.questions == [question] and not seen.editable  # read-only: not the admin's event
    with pytest.raises(NotOrganizer):
        await _email(shop, admin, event_id)
    with pytest.raises(NotOrganizer):
        await shop.questions.remove(admin, question.id)
    with pytest.raises(OwnEventNotFound):
        await shop.questions.questions(admin, event_id + 1000)
    await shop.person(ADMIN, organizer=True)  # an admin who organizes too: still not their event
    assert not (await shop.questions.questions(admin, event_id)).editable
    with pytest.raises(OwnEventNotFound):
        await _email(shop, admin, event_id)

    await shop.person(1, organizer=False)  # the role revoked: nothing of the old events shows any more
    with pytest.raises(NotOrganizer):
        await shop.questions.questions(olga, event_id)
    assert [r.active for r in await shop.rows(event_id)] == [True]
    assert (await shop.questions.questions(admin, event_id)).event.names_changeable is False


async def test_removing_switches_a_question_off_and_its_answers_stay_in_the_attendee_list(shop):
    olga = await shop.person(1, organizer=True)
    standard = await shop.on_sale(olga)
    event_id = standard.event_id
    anna = await shop.person(2, money=1_000_000)
    bought = await _pay(shop, anna, standard, 2)
    size = await shop.questions.add(olga, event_id, K.CHOICE, "Размер футболки", ["S", "M"], True, None)
    days = await shop.questions.add(olga, event_id, K.MULTI, "Дни", ["Пятница", "Суббота"], False, None)
    parking = await shop.questions.add(olga, event_id, K.YESNO, "Парковка", [], True, None)
    first = bought.tickets[0].ticket.id
    async with shop.engine.begin() as conn:
        answers = {size.id: "M", days.id: ["Пятница", "Суббота"], parking.id: "no"}
        await conn.execute(update(tickets).where(tickets.c.id == first).values(answers=dump_answers(answers)))

    removed, now = await shop.questions.remove(olga, size.id)
    assert now and removed.id == size.id and not removed.active
    again, now = await shop.questions.remove(olga, size.id)  # a second press
    assert not now and not again.active
    assert [q.id for q in (await shop.questions.questions(olga, event_id)).questions] == [days.id, parking.id]
    assert [(r.id, r.active) for r in await shop.rows(event_id)] == [
        (size.id, False),
        (days.id, True),
        (parking.id, True),
    ]
    event, found = await shop.questions.question(olga, size.id)  # still found: a late press is answered
    assert (event.id, found.active) == (event_id, False)

    event, asked, rows = await shop.reports.attendee_list(olga, event_id)
    assert [q.id for q in asked] == [size.id, days.id, parking.id]  # removed ones too, in the organizer's order
    assert [r.answers for r in rows] == [answers, {}]
    i18n = build_i18n()
    for lang, yes_no in (("ru", "Нет"), ("en", "No")):
        with i18n.context(), i18n.use_locale(lang):
            data, _name = attendees_csv(event, rows, MSK, asked)
        parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert parsed[0][2:6] == [parsed[0][2], "Размер футболки", "Дни", "Парковка"]
        assert parsed[1][3:6] == ["M", "Пятница; Суббота", yes_no]
        assert parsed[2][3:6] == ["", "", ""]
        assert len({len(row) for row in parsed}) == 1


async def test_a_cancelled_event_keeps_its_questions_and_flag_as_they_are(shop):
    olga = await shop.person(1, organizer=True)
    event_id = (await shop.on_sale(olga)).event_id
    question = await _email(shop, olga, event_id)
    await shop.editor.cancel(olga, event_id)
    for call in (
        _email(shop, olga, event_id, label="Phone"),
        shop.questions.begin(olga, event_id),
        shop.questions.remove(olga, question.id),
        shop.questions.set_names_changeable(olga, event_id, True),
    ):
        with pytest.raises(EventNotEditable):
            await call
    listed = await shop.questions.questions(olga, event_id)
    assert listed.questions == [question] and not listed.editable
    assert listed.event.names_changeable is False


async def test_an_event_asks_at_most_max_questions_and_a_removal_makes_room(shop):
    olga = await shop.person(1, organizer=True)
    event_id = (await shop.on_sale(olga)).event_id
    made = [await _email(shop, olga, event_id, label=f"Q{n}") for n in range(MAX_QUESTIONS)]
    assert (await shop.questions.questions(olga, event_id)).full
    with pytest.raises(QuestionsFull) as info:
        await shop.questions.begin(olga, event_id)
    assert info.value.params == {"max": MAX_QUESTIONS}
    with pytest.raises(QuestionsFull):
        await _email(shop, olga, event_id, label="One more")
    await shop.questions.remove(olga, made[0].id)
    assert not (await shop.questions.begin(olga, event_id)).full
    last = await _email(shop, olga, event_id, label="One more")
    assert last.position == MAX_QUESTIONS  # after every question ever made, the removed one included


async def test_questions_added_at_once_queue_on_the_event_and_never_pass_the_limit(shop):
    olga = await shop.person(1, organizer=True)
    event_id = (await shop.on_sale(olga)).event_id
    for n in range(MAX_QUESTIONS - 4):
        await _email(shop, olga, event_id, label=f"Q{n}")

    async def add(n: int) -> str:
        try:
            await _email(shop, olga, event_id, label=f"Race {n}")
            return "added"
        except QuestionsFull:
            return "full"

    results = await asyncio.gather(*(add(n) for n in range(10)))
    assert results.count("added") == 4 and results.count("full") == 6
    rows = await shop.rows(event_id)
    assert len(rows) == MAX_QUESTIONS
    assert sorted(r.position for r in rows) == list(range(MAX_QUESTIONS))  # each its own place


async def test_the_names_flag_is_set_alone_and_a_second_press_changes_nothing(shop):
    olga = await shop.person(1, organizer=True)
    event_id = (await shop.on_sale(olga)).event_id
    await shop.editor.set_text(olga, event_id, EventField.CONDITIONS, "Паспорт", MSK)
    for value in (True, True, False, True):
        event = await shop.questions.set_names_changeable(olga, event_id, value)
        assert event.names_changeable is value
    async with shop.engine.connect() as conn:
        row = (await conn.execute(select(events).where(events.c.id == event_id))).one()
    assert (row.names_changeable, row.conditions, row.venue, row.status) == (True, "Паспорт", "Сатирикон", "published")
    assert (await shop.questions.questions(olga, event_id)).event.names_changeable is True


async def test_typed_steps_say_which_rule_the_options_broke(shop):
    q = shop.questions
    assert q.check_label("  Your\n e-mail ") == "Your e-mail"
    for label in ("x", " ", "😀", "12345", "a" * 201):
        with pytest.raises(QuestionInvalid):
            q.check_label(label)
    assert q.check_options(K.CHOICE, "S\n\n  M  \n") == ["S", "M"]  # blank lines skipped, spaces cleaned
    assert q.check_options(K.MULTI, "\n".join("абвгдеёжзи")) == list("абвгдеёжзи")
    cases = [
        ("S", {"reason": "few", "count": 1}),
        ("   \n  ", {"reason": "few", "count": 0}),
        ("\n".join(str(n) for n in range(11)), {"reason": "many", "count": 11}),
        ("S\n" + "Ж" * 41, {"reason": "long", "option": "Ж" * 41, "length": 41}),
        ("Red\nGreen\n  RED ", {"reason": "same", "option": "RED"}),
    ]
    for text, why in cases:
        with pytest.raises(QuestionInvalid) as info:
            q.check_options(K.CHOICE, text)
        assert {k: info.value.params[k] for k in why} == why, text
    with pytest.raises(QuestionInvalid) as info:
        q.check_options(K.TEXT, "a\nb")  # a kind without options has none to check
    assert "reason" not in info.value.params
