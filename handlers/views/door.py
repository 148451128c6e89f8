"""What door staff see when they scan or type a ticket code."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.codes import short_code
from domain.views import ScanView, Verdict
from handlers.callbacks import CheckinCb
from handlers.views.base import _, escape, when


def scan(view: ScanView, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup | None]:
    verdict = view.verdict
    if verdict is Verdict.UNKNOWN:
        return _("scan.unknown"), None
    if verdict is Verdict.EXISTS:
        key = "scan.exists.own" if view.own_ticket else "scan.exists"
        return _(key).format(title=escape(view.event.title) if view.event else ""), None
    if verdict is Verdict.WRONG_EVENT:  # which event, and nothing about the ticket or its holder
        e = view.event
        title, starts = (escape(e.title), when(e.starts_at, tz)) if e else ("—", "—")
        return _("scan.wrong_event").format(title=title, when=starts), None
    head = _("scan.verdict." + verdict.value)
    t, e = view.ticket, view.event
    details = _("scan.details").format(
        title=escape(e.title),
        when=when(e.starts_at, tz),
        tariff=escape(view.tariff or ""),
        holder=escape(t.holder_name),
        code=short_code(t.secret),
    )
    extra = ""
    if verdict is Verdict.ALREADY_USED and t.checked_in_at:
        by = escape(view.checked_in_by.display_name) if view.checked_in_by else "—"
        extra = "\n" + _("scan.used_at").format(when=when(t.checked_in_at, tz), by=by)
    text = f"{head}{extra}\n\n{details}"
    if view.can_check_in:
        kb = InlineKeyboardBuilder()
        kb.button(text=_("button.check_in"), callback_data=CheckinCb(ticket_id=t.id))
        return text, kb.as_markup()
    return text, None
