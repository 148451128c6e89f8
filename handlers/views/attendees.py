"""The attendee dialog: who each ticket is for, and the organizer's questions, one step at a time; the
questions asked once per order come first, about the buyer."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.attendees import NAME, NO, YES
from domain.models import Question, QuestionKind
from domain.services.attendees import BUYER
from domain.views import CartLine, CartView
from handlers.callbacks import AttCb
from handlers.views.base import _, btn, clip, escape, tickets_n

KIND_HINT = {
    QuestionKind.EMAIL: "attendee.hint.email",
    QuestionKind.PHONE: "attendee.hint.phone",
    QuestionKind.TEXT: "attendee.hint.text",
    QuestionKind.CHOICE: "attendee.hint.choice",
    QuestionKind.MULTI: "attendee.hint.multi",
    QuestionKind.YESNO: "attendee.hint.yesno",
}


def shown(value: str | list[str] | None) -> str:
    """An answer as the buyer reads it back."""
    if value is None:
        return "—"
    if isinstance(value, list):
        return "; ".join(value) if value else _("attendee.none_chosen")
    if value == YES:
        return _("attendee.yes")
    if value == NO:
        return _("attendee.no")
    return value or _("attendee.skipped")


def _head(view: CartView, line: CartLine, number: int) -> str:
    return _("attendee.head").format(
        n=number, total=len(view.seats()), title=escape(clip(line.event_title, 80)), tariff=escape(line.tariff)
    )


def prompt(
    view: CartView,
    line: CartLine,
    seat: int,
    number: int,
    step: Question | str,
    editing: bool,
    picked: list[int] | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """One step: the name (step NAME) or a question. While editing, the current value can be kept."""
    attendee = line.attendees[seat]
    kb = InlineKeyboardBuilder()
    at = {"item_id": line.item_id, "seat": seat}
    lines = [_head(view, line, number)]
    if step == NAME:
        lines.append(_("attendee.ask_name"))
        kb.row(btn(_("button.same_as_me"), AttCb(op="me", **at)))
        if editing and attendee.name:
            kb.row(btn(_("button.keep").format(value=clip(attendee.name, 40)), AttCb(op="keep", **at)))
    else:
        lines.append(_("attendee.for").format(name=escape(attendee.name or "—")))
        _ask(lines, kb, step, at, attendee.answers, editing, picked)
    kb.row(btn(_("button.to_cart"), AttCb(op="cart")))
    return "\n".join(lines), kb.as_markup()


def buyer_prompt(
    question: Question, answers: dict[int, str | list[str]], editing: bool, picked: list[int] | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """One of the questions asked once of the buyer, for the whole order."""
    kb = InlineKeyboardBuilder()
    lines = [_("attendee.buyer_head")]
    _ask(lines, kb, question, {"item_id": BUYER, "seat": 0}, answers, editing, picked)
    kb.row(btn(_("button.to_cart"), AttCb(op="cart")))
    return "\n".join(lines), kb.as_markup()


def _ask(
    lines: list[str],
    kb: InlineKeyboardBuilder,
    question: Question,
    at: dict,
    answers: dict[int, str | list[str]],
    editing: bool,
    picked: list[int] | None,
) -> None:
    mark = "" if question.required else " " + _("attendee.optional")
    lines.append("\n❓ <b>" + escape(question.label) + "</b>" + mark)
    lines.append(_(KIND_HINT[question.kind]))
    q = {"q": question.id, **at}
    if question.kind is QuestionKind.CHOICE:
        for i, option in enumerate(question.options):
            kb.row(btn(option, AttCb(op="opt", v=i, **q)))
    elif question.kind is QuestionKind.YESNO:
        kb.row(btn(_("attendee.yes"), AttCb(op="opt", v=0, **q)), btn(_("attendee.no"), AttCb(op="opt", v=1, **q)))
    elif question.kind is QuestionKind.MULTI:
        chosen = set(picked or [])
        for i, option in enumerate(question.options):
            box = "☑️" if i in chosen else "⬜️"
            kb.row(btn(f"{box} {option}", AttCb(op="tog", v=i, **q)))
        kb.row(btn(_("button.done"), AttCb(op="done", **q)))
    if not question.required:
        kb.row(btn(_("button.skip"), AttCb(op="skip", **q)))
    if editing and question.id in answers:
        current = clip(shown(answers[question.id]), 40)
        kb.row(btn(_("button.keep").format(value=current), AttCb(op="keep", **q)))


def seats(view: CartView) -> tuple[str, InlineKeyboardMarkup]:
    """Every ticket of the cart with its attendee: each can be changed until payment."""
    lines = [_("attendee.list_header")]
    kb = InlineKeyboardBuilder()
    if view.buyer_questions:
        lines.append(_("attendee.buyer_list").format(done="✅" if view.buyer_missing is None else "❔"))
        for question in view.buyer_questions:
            lines.append(f"     {escape(question.label)}: {escape(shown(view.buyer_answers.get(question.id)))}")
    for number, line, seat in view.seats():
        attendee = line.attendees[seat]
        done = "✅" if line.missing(seat) is None else "❔"
        lines.append(
            _("attendee.list_line").format(
                n=number,
                title=escape(clip(line.event_title, 60)),
                tariff=escape(line.tariff),
                name=escape(attendee.name or "—"),
                done=done,
            )
        )
        for question in line.questions:
            lines.append(f"     {escape(question.label)}: {escape(shown(attendee.answers.get(question.id)))}")
        kb.button(text=f"✏️ {number}", callback_data=AttCb(op="edit", item_id=line.item_id, seat=seat))
    kb.adjust(5)
    if view.buyer_questions:
        kb.row(btn(_("button.buyer_edit"), AttCb(op="edit", item_id=BUYER)))
    kb.row(btn(_("button.to_cart"), AttCb(op="cart")))
    return "\n".join(lines), kb.as_markup()


def cart_button(view: CartView):
    """Under the cart: what is left to fill in, or the way to change it."""
    missing = view.attendees_missing
    if missing:
        return btn(_("button.attendees_missing").format(count=missing), AttCb(op="go"))
    return btn(_("button.attendees"), AttCb(op="list"))


def missing_line(view: CartView) -> str | None:
    missing = []
    if view.buyer_missing is not None:
        missing.append(_("cart.buyer_missing"))
    if view.tickets_missing:
        missing.append(_("cart.attendees_missing").format(tickets=tickets_n(view.tickets_missing)))
    return "\n".join(missing) or None
