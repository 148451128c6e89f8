"""Who each ticket is for (C4), on both databases: checkout waits until every ticket has its attendee and
every required answer; the answers and names go onto the tickets in seat order; a button naming another
person's line, a seat past the quantity or another event's question changes nothing; names change after
paying only where the organizer allows it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.errors import (
    AnswerByButton,
    AnswerRequired,
    AttendeeNameInvalid,
    AttendeeNotFound,
    AttendeesMissing,
    EmailInvalid,
    NamesNotChangeable,
)
from domain.models import Event, EventStatus, Question, QuestionKind, TicketType
from domain.money import Money
from domain.services.attendees import AttendeeService
from storage.tables import attendees, events, tickets
from tests.storage.test_checkout_records import nothing_written
from tests.storage.test_guards import POLICY, Shop, expect


class Box(Shop):
    def __init__(self, engine, clock) -> None:
        super().__init__(engine, clock)
        self.attendees = AttendeeService(self.uow, clock, POLICY, "RUB")

    async def event(self, *tariffs: str) -> list[TicketType]:
        async with self.uow() as u:
            event = await u.events.add(
                Event(0, "Маузер", self.clock.now() + timedelta(days=5), "Hall", EventStatus.PUBLISHED)
            )
            made = [
                await u.events.add_ticket_type(TicketType(0, event.id, name, Money(10_000, "RUB"), 20, position=n))
                for n, name in enumerate(tariffs or ("Standard",))
            ]
            await u.commit()
        return made

    async def ask(self, tt: TicketType, kind: QuestionKind, label: str, *, required=True, options=(), only=False):
        async with self.uow() as u:
            question = Question(0, tt.event_id, kind, label, required, tuple(options), tt.id if only else None)
            added = await u.attendees.add_question(question, self.clock.now())
            await u.commit()
        return added


async def test_checkout_waits_for_every_attendee_then_names_the_tickets_in_seat_order(engine, clock):
    rule = "no payment until every ticket has an attendee; ticket N carries seat N's name"
    box = Box(engine, clock)
    (tt,) = await box.event()
    anna = await box.person(1, money=1_000_000)
    view = await box.carts.add_tickets(anna.id, tt.id, 3)
    assert view.attendees_missing == 3
    error = await expect(AttendeesMissing, box.checkout.pay_from_wallet(anna.id, view.version, view.terms), rule)
    assert error.params == {"missing_tickets": 3}
    item = view.ready[0].item_id
    await box.attendees.name(anna.id, item, 2, "  Борис   Иванов ")
    view = await box.attendees.same_as_me(anna.id, item, 0)
    assert [a.name for a in view.ready[0].attendees] == ["P1", None, "Борис Иванов"]
    error = await expect(AttendeesMissing, box.checkout.pay_from_wallet(anna.id, view.version, view.terms), rule)
    assert error.params == {"missing_tickets": 1}
    await nothing_written(box, anna.id, rule)

    view = await box.attendees.name(anna.id, item, 1, "Вера")
    paid = await box.checkout.pay_from_wallet(anna.id, view.version, view.terms)
    assert [t.ticket.holder_name for t in paid.tickets] == ["P1", "Вера", "Борис Иванов"], rule
    async with engine.connect() as conn:
        stored = (await conn.execute(select(tickets.c.holder_name).order_by(tickets.c.id))).scalars().all()
    assert stored == ["P1", "Вера", "Борис Иванов"], rule


async def test_answers_are_checked_where_typed_and_kept_on_the_ticket(engine, clock):
    box = Box(engine, clock)
    (tt,) = await box.event()
    email = await box.ask(tt, QuestionKind.EMAIL, "E-mail")
    size = await box.ask(tt, QuestionKind.CHOICE, "Size", options=("S", "M"))
    shops = await box.ask(tt, QuestionKind.MULTI, "Workshops", options=("A", "B", "C"), required=False)
    veggie = await box.ask(tt, QuestionKind.YESNO, "Vegetarian?")
    note = await box.ask(tt, QuestionKind.TEXT, "Note", required=False)
    anna = await box.person(1, money=1_000_000)
    view = await box.carts.add_tickets(anna.id, tt.id, 1)
    item = view.ready[0].item_id
    await box.attendees.same_as_me(anna.id, item, 0)
    assert view.ready[0].questions == (email, size, shops, veggie, note)

    with pytest.raises(EmailInvalid):
        await box.attendees.answer(anna.id, item, 0, email.id, "anna@")
    with pytest.raises(AnswerByButton):
        await box.attendees.answer(anna.id, item, 0, size.id, "M")
    with pytest.raises(AttendeeNotFound):
        await box.attendees.choose(anna.id, item, 0, size.id, [2])
    with pytest.raises(AnswerRequired):
        await box.attendees.skip(anna.id, item, 0, veggie.id)
    view = await box.attendees.cart(anna.id)
    assert view.ready[0].attendees[0].answers == {}, "refused answers change nothing"

    await box.attendees.answer(anna.id, item, 0, email.id, "Anna@Example.COM")
    await box.attendees.choose(anna.id, item, 0, size.id, [1])
    await box.attendees.choose(anna.id, item, 0, shops.id, [2, 0])
    view = await box.attendees.choose(anna.id, item, 0, veggie.id, [1])
    assert view.attendees_missing == 1, "an optional question not yet skipped is still asked"
    view = await box.attendees.skip(anna.id, item, 0, note.id)
    assert view.attendees_missing == 0
    paid = await box.checkout.pay_from_wallet(anna.id, view.version, view.terms)
    expected = {email.id: "Anna@example.com", size.id: "M", shops.id: ["A", "C"], veggie.id: "no", note.id: ""}
    assert paid.tickets[0].ticket.answers == expected
    async with box.uow(write=False) as u:
        assert (await u.tickets.get(paid.tickets[0].ticket.id)).answers == expected, "read back as written"


async def test_a_tariffs_own_question_is_asked_only_of_its_tickets(engine, clock):
    box = Box(engine, clock)
    standard, vip = await box.event("Standard", "VIP")
    everyone = await box.ask(standard, QuestionKind.TEXT, "Company", required=False)
    vip_only = await box.ask(vip, QuestionKind.PHONE, "Phone for the host", only=True)
    anna = await box.person(1)
    await box.carts.add_tickets(anna.id, standard.id, 1)
    view = await box.carts.add_tickets(anna.id, vip.id, 1)
    by_tariff = {line.tariff: line.questions for line in view.ready}
    assert by_tariff == {"Standard": (everyone,), "VIP": (everyone, vip_only)}
    standard_item = next(line.item_id for line in view.ready if line.tariff == "Standard")
    with pytest.raises(AttendeeNotFound):
        await box.attendees.answer(anna.id, standard_item, 0, vip_only.id, "+79161234567")


async def test_a_removed_question_is_no_longer_asked(engine, clock):
    box = Box(engine, clock)
    (tt,) = await box.event()
    phone = await box.ask(tt, QuestionKind.PHONE, "Phone")
    anna = await box.person(1, money=1_000_000)
    view = await box.carts.add_tickets(anna.id, tt.id, 1)
    view = await box.attendees.same_as_me(anna.id, view.ready[0].item_id, 0)
    assert view.attendees_missing == 1
    async with box.uow() as u:
        assert await u.attendees.remove_question(phone.id)
        assert not await u.attendees.remove_question(phone.id), "removed once"
        await u.commit()
    view = await box.attendees.cart(anna.id)
    assert view.attendees_missing == 0 and view.ready[0].questions == ()
    await box.checkout.pay_from_wallet(anna.id, view.version, view.terms)


async def test_buttons_naming_what_is_not_ones_own_change_nothing(engine, clock):
    rule = "another person's line, a seat past the quantity, another event's question: AttendeeNotFound"
    box = Box(engine, clock)
    (tt,) = await box.event()
    (other,) = await box.event()
    foreign = await box.ask(other, QuestionKind.TEXT, "Company")
    anna, boris = await box.person(1), await box.person(2)
    view = await box.carts.add_tickets(anna.id, tt.id, 2)
    item = view.ready[0].item_id
    for attempt in (
        box.attendees.name(boris.id, item, 0, "Mallory"),
        box.attendees.same_as_me(boris.id, item, 0),
        box.attendees.name(anna.id, item, 2, "Third"),
        box.attendees.name(anna.id, item + 1000, 0, "Nobody"),
        box.attendees.answer(anna.id, item, 0, foreign.id, "ACME"),
        box.attendees.choose(anna.id, item, 0, foreign.id, [0]),
        box.attendees.skip(anna.id, item, 0, foreign.id),
    ):
        await expect(AttendeeNotFound, attempt, rule)
    with pytest.raises(AttendeeNameInvalid):
        await box.attendees.name(anna.id, item, 0, "x" * 5000)
    async with engine.connect() as conn:
        assert (await conn.execute(select(attendees))).all() == [], rule


async def test_fewer_tickets_ask_fewer_names_and_more_ask_more(engine, clock):
    box = Box(engine, clock)
    (tt,) = await box.event()
    anna = await box.person(1, money=1_000_000)
    view = await box.carts.add_tickets(anna.id, tt.id, 2)
    item = view.ready[0].item_id
    await box.attendees.name(anna.id, item, 0, "Anna")
    await box.attendees.name(anna.id, item, 1, "Boris")
    view = await box.carts.adjust(anna.id, item, -1, view.version)
    assert [a.name for a in view.ready[0].attendees] == ["Anna"] and view.attendees_missing == 0
    view = await box.carts.adjust(anna.id, item, +1, view.version)
    assert [a.name for a in view.ready[0].attendees] == ["Anna", "Boris"], "the name given before comes back"
    view = await box.carts.adjust(anna.id, item, +1, view.version)
    assert view.attendees_missing == 1


async def test_names_change_after_paying_only_where_the_organizer_allows(engine, clock):
    rule = "rename: own valid ticket of an event that allows it"
    box = Box(engine, clock)
    (tt,) = await box.event()
    anna, boris = await box.person(1, money=1_000_000), await box.person(2)
    view = await box.carts.add_tickets(anna.id, tt.id, 1)
    view = await box.attendees.same_as_me(anna.id, view.ready[0].item_id, 0)
    ticket = (await box.checkout.pay_from_wallet(anna.id, view.version, view.terms)).tickets[0].ticket
    await expect(NamesNotChangeable, box.attendees.rename_ticket(anna.id, ticket.id, "Вера"), rule)
    async with engine.begin() as conn:
        await conn.execute(events.update().where(events.c.id == tt.event_id).values(names_changeable=True))
    await expect(AttendeeNotFound, box.attendees.rename_ticket(boris.id, ticket.id, "Mallory"), rule)
    with pytest.raises(AttendeeNameInvalid):
        await box.attendees.rename_ticket(anna.id, ticket.id, "🎉")
    renamed = await box.attendees.rename_ticket(anna.id, ticket.id, " Вера  Павлова ")
    assert renamed.holder_name == "Вера Павлова"
    async with engine.begin() as conn:
        await conn.execute(tickets.update().where(tickets.c.id == ticket.id).values(status="used"))
    await expect(NamesNotChangeable, box.attendees.rename_ticket(anna.id, ticket.id, "Late"), rule)
    async with engine.connect() as conn:
        assert (await conn.execute(select(tickets.c.holder_name))).scalar_one() == "Вера Павлова", rule
