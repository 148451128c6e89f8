"""Organizers decide what the attendees of their own events are asked: e-mail, phone, free text, one
choice, several choices or yes/no, each required or optional, for every tariff or for one, or once per
order of the buyer (an e-mail for the receipt) rather than of each attendee.

The dialog checks each typed step where it is typed (check_label, check_options) and keeps the values in
its state; the question is written once, whole, at the end (add), and checked again there, since dialog
state can be tampered with. A removed question is only switched off: the answers already given to it stay
on the tickets and in the attendee list. Authority is the event editor's: an organizer reaches only their
own events, and a forged event, tariff or question id is answered as a missing event. An admin may read
any event's questions but changes none."""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.attendees import MAX_LABEL, MAX_OPTION, MAX_OPTIONS, MIN_OPTIONS, check_question
from domain.clock import Clock
from domain.errors import OwnEventNotFound, QuestionInvalid, QuestionsFull
from domain.models import Event, Question, QuestionKind, TicketType, User
from domain.policies import AdminPolicy
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.services.event_editor import EDITABLE, ensure_editable, own_event

CHOICES = frozenset({QuestionKind.CHOICE, QuestionKind.MULTI})  # the kinds that need options
MIN_LABEL = 2  # as domain.attendees.check_question has it; shown in the dialog's prompt
MAX_QUESTIONS = 20  # active ones per event: the list stays one message, the buyer's dialog bearable
LIMITS = {"max_label": MAX_LABEL, "min_options": MIN_OPTIONS, "max_options": MAX_OPTIONS, "max_option": MAX_OPTION}


@dataclass(frozen=True, slots=True)
class QuestionList:
    """An event's questions as its organizer (or an admin) sees them."""

    event: Event
    questions: list[Question]  # the active ones, in the order they are asked
    tariffs: list[TicketType]
    mine: bool  # the reader is its organizer (an admin reads others' events too)

    @property
    def editable(self) -> bool:
        """Questions may change: one's own event, not cancelled or over."""
        return self.mine and self.event.status in EDITABLE

    @property
    def full(self) -> bool:
        return len(self.questions) >= MAX_QUESTIONS


class QuestionEditor:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, admins: AdminPolicy | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._admins = admins or AdminPolicy()

    async def questions(self, user: User, event_id: int) -> QuestionList:
        """The event's active questions: for its organizer, or read-only for an admin."""
        async with self._uow(write=False) as uow:
            if self._admins.is_admin(user):
                event = await uow.events.get(event_id)
                if event is None:
                    raise OwnEventNotFound()
                mine = event.organizer_id == user.id and await uow.organizers.is_organizer(user.id)
            else:
                event, mine = await own_event(uow, user, event_id), True
            return await _list(uow, event, mine)

    async def begin(self, user: User, event_id: int) -> QuestionList:
        """Before the dialog asks anything: one's own event, still editable, with room for one more."""
        async with self._uow(write=False) as uow:
            event = await own_event(uow, user, event_id)
            ensure_editable(event)
            found = await _list(uow, event, mine=True)
        if found.full:
            raise QuestionsFull(max=MAX_QUESTIONS)
        return found

    def check_label(self, text: str) -> str:
        """The question as the buyer will read it (the label's rules do not depend on the kind)."""
        label, _none = check_question(QuestionKind.TEXT, text, [])
        return label

    def check_options(self, kind: QuestionKind, text: str) -> list[str]:
        """Options typed one per line (blank lines skipped); a refusal says which rule, and which option."""
        lines = [line for line in text.splitlines() if line.strip()]
        try:
            _label, options = check_question(kind, "options", lines)
        except QuestionInvalid:
            raise _why(kind, lines) from None
        return list(options)

    async def add(
        self,
        user: User,
        event_id: int,
        kind: QuestionKind | str,
        label: str,
        options: list[str],
        required: bool,
        ticket_type_id: int | None,
        per_order: bool = False,
    ) -> Question:
        """The whole question at once, every value checked again; ticket_type_id None asks every tariff;
        per_order asks it once of the buyer of an order holding such tickets instead of each attendee."""
        try:
            kind = QuestionKind(kind)
        except ValueError:
            raise QuestionInvalid(**LIMITS) from None
        label, cleaned = check_question(kind, str(label), [str(o) for o in options])
        async with self._uow() as uow:
            event = await own_event(uow, user, event_id, lock=True)  # two adds queue on the event row
            ensure_editable(event)
            if ticket_type_id is not None:
                tariff = await uow.events.ticket_type(ticket_type_id)
                if tariff is None or tariff.event_id != event.id:
                    raise OwnEventNotFound()
            asked = (await uow.attendees.questions([event.id])).get(event.id, [])
            if len(asked) >= MAX_QUESTIONS:
                raise QuestionsFull(max=MAX_QUESTIONS)
            new = Question(0, event.id, kind, label, bool(required), cleaned, ticket_type_id, per_order=bool(per_order))
            question = await uow.attendees.add_question(new, self._clock.now())
            await uow.commit()
        return question

    async def question(self, user: User, question_id: int) -> tuple[Event, Question]:
        """One question of one's own event (a removed one too: a late second press finds it)."""
        async with self._uow(write=False) as uow:
            return await _own_question(uow, user, question_id)

    async def remove(self, user: User, question_id: int) -> tuple[Question, bool]:
        """No longer asked; its answers stay. Returns the question and whether this call removed it (a
        second press finds it removed already and changes nothing)."""
        async with self._uow() as uow:
            event, question = await _own_question(uow, user, question_id, lock=True)
            ensure_editable(event)
            removed = await uow.attendees.remove_question(question.id)
            await uow.commit()
        return replace(question, active=False), removed

    async def set_per_order(self, user: User, question_id: int, per_order: bool) -> tuple[Question, bool]:
        """Asked once of the buyer of each order (True) or of every attendee (False). The button names the
        value it sets: returns the question and whether this call changed it (a second press does not).
        Carts still open ask it the new way from now on; answers given the old way stay where they are."""
        async with self._uow() as uow:
            event, question = await _own_question(uow, user, question_id, lock=True)
            ensure_editable(event)
            changed = await uow.attendees.set_per_order(question.id, bool(per_order))
            await uow.commit()
        return replace(question, per_order=bool(per_order)), changed

    async def set_names_changeable(self, user: User, event_id: int, changeable: bool) -> Event:
        """Whether buyers may change attendee names after paying. The button names the value it sets,
        so a second press of the same button changes nothing."""
        async with self._uow() as uow:
            event = await own_event(uow, user, event_id, lock=True)
            ensure_editable(event)
            event.names_changeable = bool(changeable)
            await uow.events.save_details(event)
            await uow.commit()
        return event


async def _list(uow: UnitOfWork, event: Event, mine: bool) -> QuestionList:
    questions = (await uow.attendees.questions([event.id])).get(event.id, [])
    return QuestionList(event, questions, await uow.events.ticket_types(event.id), mine)


async def _own_question(uow: UnitOfWork, user: User, question_id: int, lock: bool = False) -> tuple[Event, Question]:
    """Someone else's question, like someone else's event, is answered as a missing event."""
    question = await uow.attendees.question(question_id)
    if question is None:
        raise OwnEventNotFound()
    event = await own_event(uow, user, question.event_id, lock=lock)
    if lock:  # read again behind the event's lock: a removal under way has finished
        question = await uow.attendees.question(question_id)
    return event, question


def _why(kind: QuestionKind, lines: list[str]) -> QuestionInvalid:
    """Which rule of check_question a list of options broke, first the count, then length, then sameness."""
    options = [" ".join(line.split()) for line in lines]
    if kind not in CHOICES:
        return QuestionInvalid(**LIMITS)
    if len(options) < MIN_OPTIONS:
        return QuestionInvalid(**LIMITS, reason="few", count=len(options))
    if len(options) > MAX_OPTIONS:
        return QuestionInvalid(**LIMITS, reason="many", count=len(options))
    for option in options:
        if len(option) > MAX_OPTION:
            return QuestionInvalid(**LIMITS, reason="long", option=option, length=len(option))
    seen: set[str] = set()
    for option in options:
        if option.casefold() in seen:
            return QuestionInvalid(**LIMITS, reason="same", option=option)
        seen.add(option.casefold())
    return QuestionInvalid(**LIMITS)
