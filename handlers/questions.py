"""The attendee questions of an organizer's event (from the event's menu): the list with 🗑 per question,
the dialog that adds one (kind by button, label typed, options typed one per line for the choice kinds,
required or optional, all tariffs or one, or once per order of the buyer), written whole at the end, whom
each is asked of (switched from the list), and whether buyers may change attendee names after paying.
Every button is checked again by the service: data can be forged."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from domain.errors import QuestionInvalid
from domain.models import QuestionKind, User
from domain.services.event_editor import EventEditor
from domain.services.questions import QuestionEditor
from handlers.callbacks import (
    NamesChangeableCb,
    NewQuestionCb,
    QuestionAskedCb,
    QuestionFormCb,
    QuestionListCb,
    QuestionRemoveCb,
)
from handlers.editing import show
from handlers.event_editor import render_menu
from handlers.views import base as v
from handlers.views import questions as view
from handlers.views.questions import KIND, LABEL, OPTIONS, REQUIRED, SCOPE, TYPED

router = Router(name="questions")
KINDS = {k.value for k in QuestionKind}


class QuestionForm(StatesGroup):
    filling = State()  # data: event_id, step, values (kind, label, options, required)


async def _ask(
    message: Message, state: FSMContext, questions: QuestionEditor, user: User, event_id: int, step: str, values: dict
) -> None:
    found = await questions.begin(user, event_id)  # one's own editable event, with room: else refused
    await state.set_state(QuestionForm.filling)
    await state.set_data({"event_id": event_id, "step": step, "values": values})
    text, markup = view.prompt(step, found.event, values, found.tariffs)
    await message.answer(text, reply_markup=markup)


async def _list(message: Message, questions: QuestionEditor, user: User, event_id: int) -> None:
    text, markup = view.question_list(await questions.questions(user, event_id))
    await message.answer(text, reply_markup=markup)


def _kind(values: dict) -> QuestionKind | None:
    return QuestionKind(values["kind"]) if values.get("kind") in KINDS else None


def _next(step: str, values: dict) -> str:
    steps = view.steps_for(_kind(values))
    return steps[steps.index(step) + 1]


def _previous(step: str, values: dict) -> str | None:
    steps = view.steps_for(_kind(values))
    position = steps.index(step) if step in steps else 0
    return steps[position - 1] if position > 0 else None


@router.callback_query(QuestionListCb.filter())
async def question_list(query: CallbackQuery, callback_data: QuestionListCb, user: User, questions: QuestionEditor):
    await show(query, *view.question_list(await questions.questions(user, callback_data.event_id)))


@router.callback_query(NewQuestionCb.filter())
async def new_question(
    query: CallbackQuery, callback_data: NewQuestionCb, state: FSMContext, user: User, questions: QuestionEditor
):
    await _ask(query.message, state, questions, user, callback_data.event_id, KIND, {})


@router.message(StateFilter(QuestionForm.filling), Command("cancel"))
async def cancel_command(message: Message, state: FSMContext, user: User, questions: QuestionEditor) -> None:
    data = await state.get_data()
    await state.clear()
    await message.answer(v._("question.cancelled"))
    await _list(message, questions, user, data["event_id"])


@router.message(StateFilter(QuestionForm.filling), F.text & ~F.text.startswith("/"))
async def typed(message: Message, state: FSMContext, user: User, questions: QuestionEditor) -> None:
    data = await state.get_data()
    step, values = data["step"], dict(data.get("values") or {})
    if step not in TYPED:
        await message.answer(v._("question.use_buttons"))
        return
    try:
        if step == LABEL:
            values[LABEL] = questions.check_label(message.text)
        else:
            values[OPTIONS] = questions.check_options(_kind(values), message.text)
    except QuestionInvalid as error:
        await message.answer(view.label_invalid() if step == LABEL else view.options_invalid(error))
        return
    await _ask(message, state, questions, user, data["event_id"], _next(step, values), values)


@router.message(StateFilter(QuestionForm.filling), ~F.text)
async def not_text(message: Message, state: FSMContext) -> None:
    step = (await state.get_data()).get("step")
    await message.answer(v._("editor.text_expected" if step in TYPED else "question.use_buttons"))


@router.callback_query(QuestionFormCb.filter())
async def form_button(
    query: CallbackQuery,
    callback_data: QuestionFormCb,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    user: User,
    questions: QuestionEditor,
) -> None:
    data = await state.get_data()
    current = await state.get_state() == QuestionForm.filling.state and (data.get("event_id"), data.get("step")) == (
        callback_data.event_id,
        callback_data.step,
    )
    if not current:
        callback_answer.text, callback_answer.show_alert = v._("editor.stale_step"), True
        return
    step, values, event_id, action = (
        data["step"],
        dict(data.get("values") or {}),
        data["event_id"],
        callback_data.action,
    )
    if action == "cancel":
        await state.clear()
        await query.message.answer(v._("question.cancelled"))
        await _list(query.message, questions, user, event_id)
    elif action == "back":
        previous = _previous(step, values)
        if previous is None:  # Back from the first step: the list, nothing added
            await state.clear()
            await _list(query.message, questions, user, event_id)
        else:
            await _ask(query.message, state, questions, user, event_id, previous, values)
    elif action == "kind" and step == KIND and callback_data.kind in KINDS:
        values["kind"] = callback_data.kind
        if _kind(values) not in view.CHOICES:
            values.pop(OPTIONS, None)  # a kind without options keeps none from an earlier choice
        await _ask(query.message, state, questions, user, event_id, LABEL, values)
    elif action == "req" and step == REQUIRED and callback_data.number in (0, 1):
        values[REQUIRED] = bool(callback_data.number)
        await _ask(query.message, state, questions, user, event_id, SCOPE, values)
    elif action in ("scope", "buyer") and step == SCOPE:  # buyer: once per order, of the buyer
        question = await questions.add(
            user,
            event_id,
            values.get("kind", ""),
            values.get(LABEL, ""),
            values.get(OPTIONS) or [],
            bool(values.get(REQUIRED, True)),
            callback_data.number or None,
            per_order=action == "buyer",
        )
        await state.clear()
        await query.message.answer(view.added(question))
        await _list(query.message, questions, user, event_id)
    else:
        callback_answer.text, callback_answer.show_alert = v._("editor.stale_step"), True


@router.callback_query(QuestionRemoveCb.filter())
async def remove(
    query: CallbackQuery,
    callback_data: QuestionRemoveCb,
    callback_answer: CallbackAnswer,
    user: User,
    questions: QuestionEditor,
) -> None:
    """First press: what removing means, with Yes and No. Yes: no longer asked, its answers kept."""
    if not callback_data.confirm:
        _event, question = await questions.question(user, callback_data.question_id)
        if question.active:
            await show(query, *view.remove_confirmation(question))
            return
        callback_answer.text, callback_answer.show_alert = view.removed(question, now=False), True
        await show(query, *view.question_list(await questions.questions(user, question.event_id)))
        return
    question, now = await questions.remove(user, callback_data.question_id)
    callback_answer.text, callback_answer.show_alert = view.removed(question, now), True
    await show(query, *view.question_list(await questions.questions(user, question.event_id)))


@router.callback_query(QuestionAskedCb.filter())
async def asked_of(
    query: CallbackQuery,
    callback_data: QuestionAskedCb,
    callback_answer: CallbackAnswer,
    user: User,
    questions: QuestionEditor,
) -> None:
    """Whom an existing question is asked of: the buyer once per order, or every attendee."""
    question, _changed = await questions.set_per_order(user, callback_data.question_id, bool(callback_data.per_order))
    callback_answer.text, callback_answer.show_alert = view.asked_of(question), True
    await show(query, *view.question_list(await questions.questions(user, question.event_id)))


@router.callback_query(NamesChangeableCb.filter())
async def names_changeable(
    query: CallbackQuery,
    callback_data: NamesChangeableCb,
    callback_answer: CallbackAnswer,
    user: User,
    questions: QuestionEditor,
    editor: EventEditor,
    tz: ZoneInfo,
) -> None:
    event = await questions.set_names_changeable(user, callback_data.event_id, bool(callback_data.changeable))
    callback_answer.text, callback_answer.show_alert = view.names_changeable(event), True
    text, markup = await render_menu(editor, user, event.id, tz)
    await show(query, text, markup)
