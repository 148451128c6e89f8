"""The organizer's attendee questions: the list under an event, the steps of the dialog that adds one,
the removal's confirmation, and what each refusal of a typed step says."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.attendees import MAX_LABEL, MAX_OPTION, MAX_OPTIONS, MIN_OPTIONS
from domain.errors import QuestionInvalid
from domain.models import Event, Question, QuestionKind, TicketType
from domain.services.questions import CHOICES, MAX_QUESTIONS, MIN_LABEL, QuestionList
from handlers.callbacks import (
    EventMenuCb,
    NewQuestionCb,
    QuestionAskedCb,
    QuestionFormCb,
    QuestionListCb,
    QuestionRemoveCb,
)
from handlers.views.base import _, btn, chars_n, clip, escape, options_n

KINDS = (
    QuestionKind.EMAIL,
    QuestionKind.PHONE,
    QuestionKind.TEXT,
    QuestionKind.CHOICE,
    QuestionKind.MULTI,
    QuestionKind.YESNO,
)
# The dialog's steps; OPTIONS only for the kinds with options.
KIND, LABEL, OPTIONS, REQUIRED, SCOPE = "kind", "label", "options", "required", "scope"
STEPS = (KIND, LABEL, OPTIONS, REQUIRED, SCOPE)
TYPED = frozenset({LABEL, OPTIONS})
# A list of MAX_QUESTIONS stays within one message of 4096 characters.
LABEL_CLIP, OPTIONS_CLIP, TARIFF_CLIP = 50, 40, 30


def kind_name(kind: QuestionKind) -> str:
    return _("question.kind." + kind.value)


def steps_for(kind: QuestionKind | None) -> list[str]:
    return [s for s in STEPS if s != OPTIONS or kind in CHOICES]


def _tariff_name(ticket_type_id: int | None, tariffs: list[TicketType]) -> str:
    if ticket_type_id is None:
        return _("question.scope.all")
    name = next((t.name for t in tariffs if t.id == ticket_type_id), "—")
    return _("question.scope.one").format(name=escape(clip(name, TARIFF_CLIP)))


def _required(required: bool) -> str:
    return _("question.required") if required else _("question.optional")


def question_list(found: QuestionList) -> tuple[str, InlineKeyboardMarkup]:
    event = found.event
    lines = [_("question.list.title").format(title=escape(clip(event.title, 100))), _("question.list.intro")]
    if not found.questions:
        lines.append(_("question.list.empty"))
    for n, q in enumerate(found.questions, start=1):
        lines.append(
            _("question.list.line").format(
                n=n,
                kind=kind_name(q.kind),
                label=escape(clip(q.label, LABEL_CLIP)),
                required=_required(q.required),
                scope=_tariff_name(q.ticket_type_id, found.tariffs),
            )
            + (" · " + _("question.per_order") if q.per_order else "")
        )
        if q.options:
            lines.append("    " + escape(clip(" · ".join(q.options), OPTIONS_CLIP)))
    if found.editable and found.full:
        lines.append(_("question.list.full").format(max=MAX_QUESTIONS))
    if not found.editable:
        lines.append(_("question.list.read_only"))
    kb = InlineKeyboardBuilder()
    if found.editable:
        for n, q in enumerate(found.questions, start=1):
            kb.button(text=f"🗑 {n}", callback_data=QuestionRemoveCb(question_id=q.id))
        kb.adjust(5)
        switches = [
            btn(
                _("button.question_to_ticket" if q.per_order else "button.question_to_buyer").format(n=n),
                QuestionAskedCb(question_id=q.id, per_order=0 if q.per_order else 1),
            )
            for n, q in enumerate(found.questions, start=1)
        ]
        for at in range(0, len(switches), 2):
            kb.row(*switches[at : at + 2])
        if not found.full:
            kb.row(btn(_("button.new_question"), NewQuestionCb(event_id=event.id)))
    if found.mine:
        kb.row(btn(_("button.back_to_event_menu"), EventMenuCb(event_id=event.id)))
    return "\n".join(lines), kb.as_markup()


def _summary(values: dict, step: str) -> list[str]:
    """What the dialog has been told so far, above the next step (the step's own value is shown by it)."""
    lines = []
    if step != KIND and values.get("kind") in {k.value for k in KINDS}:
        lines.append(_("question.summary.kind").format(kind=kind_name(QuestionKind(values["kind"]))))
    if step != LABEL and values.get(LABEL):
        lines.append(_("question.summary.label").format(label=escape(values[LABEL])))
    if step != OPTIONS and values.get(OPTIONS):
        lines.append(_("question.summary.options").format(options=escape(" · ".join(values[OPTIONS]))))
    if step != REQUIRED and REQUIRED in values:
        lines.append(_("question.summary.answer").format(required=_required(bool(values[REQUIRED]))))
    return lines


def _ticked(text: str, chosen: bool) -> str:
    """A button step met again by Back: the choice made before is ticked."""
    return "✓ " + text if chosen else text


def prompt(step: str, event: Event, values: dict, tariffs: list[TicketType]) -> tuple[str, InlineKeyboardMarkup]:
    """One step of the dialog: its header, what is chosen so far, the question, its buttons, Back, Cancel."""
    kind = QuestionKind(values["kind"]) if values.get("kind") in {k.value for k in KINDS} else None
    steps = steps_for(kind) if kind is not None else list(STEPS)  # the options step until a kind says
    header = _("question.new").format(
        title=escape(clip(event.title, 100)), n=steps.index(step) + 1 if step in steps else 1, total=len(steps)
    )
    summary = _summary(values, step)
    text = _("question.prompt." + step).format(
        min_label=chars_n(MIN_LABEL),
        max_label=chars_n(MAX_LABEL),
        min_options=options_n(MIN_OPTIONS),
        max_options=options_n(MAX_OPTIONS),
        max_option=chars_n(MAX_OPTION),
    )
    if step in TYPED and values.get(step):
        current = values[step] if step == LABEL else " · ".join(values[step])
        text += "\n" + _("editor.current").format(value=escape(current))
    kb = InlineKeyboardBuilder()

    def form(action: str, **extra) -> QuestionFormCb:
        return QuestionFormCb(action=action, event_id=event.id, step=step, **extra)

    if step == KIND:
        for k in KINDS:
            kb.button(text=_ticked(kind_name(k), k is kind), callback_data=form("kind", kind=k.value))
        kb.adjust(2)
    elif step == REQUIRED:
        required = values.get(REQUIRED)
        kb.row(
            btn(_ticked(_("button.question_required"), required is True), form("req", number=1)),
            btn(_ticked(_("button.question_optional"), required is False), form("req", number=0)),
        )
    elif step == SCOPE:
        kb.row(btn(_("button.question_all_tariffs"), form("scope", number=0)))
        for t in tariffs:
            kb.row(btn(_("button.question_tariff").format(name=clip(t.name, 40)), form("scope", number=t.id)))
        kb.row(btn(_("button.question_buyer"), form("buyer")))
        text += "\n\n" + _("question.prompt.scope_buyer")
    kb.row(btn(_("button.step_back"), form("back")), btn(_("button.cancel"), form("cancel")))
    parts = [header] + (["\n".join(summary)] if summary else []) + [text]
    return "\n\n".join(parts), kb.as_markup()


def label_invalid() -> str:
    return _("question.invalid.label").format(min=chars_n(MIN_LABEL), max=chars_n(MAX_LABEL))


def options_invalid(error: QuestionInvalid) -> str:
    """Which rule the typed options broke, naming the option where one is at fault."""
    params = error.params
    reason = params.get("reason")
    limits = {
        "min": options_n(MIN_OPTIONS),
        "max": options_n(MAX_OPTIONS),
        "max_option": chars_n(MAX_OPTION),
    }
    if reason in ("few", "many"):
        return _("question.invalid.options_" + reason).format(count=options_n(int(params["count"])), **limits)
    if reason == "long":
        option = escape(clip(str(params["option"]), MAX_OPTION + 10))
        return _("question.invalid.option_long").format(option=option, length=chars_n(int(params["length"])), **limits)
    if reason == "same":
        return _("question.invalid.option_same").format(option=escape(str(params["option"])), **limits)
    return _("question.invalid.options").format(**limits)


def added(question: Question) -> str:
    return _("question.added").format(label=escape(clip(question.label, 100)))


def remove_confirmation(question: Question) -> tuple[str, InlineKeyboardMarkup]:
    text = _("question.remove.confirm").format(label=escape(clip(question.label, 200)))
    kb = InlineKeyboardBuilder()
    kb.row(
        btn(_("button.question_remove_yes"), QuestionRemoveCb(question_id=question.id, confirm=1)),
        btn(_("button.question_remove_no"), QuestionListCb(event_id=question.event_id)),
    )
    return text, kb.as_markup()


def removed(question: Question, now: bool) -> str:
    key = "question.removed" if now else "question.removed_already"
    return _(key).format(label=clip(question.label, 60))


def asked_of(question: Question) -> str:
    key = "question.asked_of.buyer" if question.per_order else "question.asked_of.attendee"
    return _(key).format(label=clip(question.label, 60))


def names_changeable(event: Event) -> str:
    return _("question.names.on" if event.names_changeable else "question.names.off")
