"""The organizer's report message and the attendee list as a CSV document (UTF-8 with BOM for Excel)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.codes import short_code
from domain.models import Event, Question, QuestionKind
from domain.views import AttendeeRow, EventReport
from handlers.callbacks import AttendeesCb, EventMenuCb, ReportCb
from handlers.views.base import _, btn, clip, escape, money, tickets_n, when


def report(r: EventReport, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    e = r.event
    lines = [
        _("report.title").format(
            title=escape(clip(e.title, 100)), when=when(e.starts_at, tz), status=_("event.status." + e.status.value)
        ),
        "",
    ]
    for t in r.tariffs:
        tt = t.ticket_type
        lines.append(
            _("report.tariff").format(
                name=escape(tt.name),
                sold=tt.sold,
                held=tt.held,
                quantity=tt.quantity,
                revenue=money(t.revenue),
            )
        )
    if not r.tariffs:
        lines.append(_("report.no_tariffs"))
    lines += [
        "",
        _("report.revenue").format(revenue=money(r.revenue)),
        _("report.checked_in").format(checked_in=r.checked_in, admitting=r.admitting),
        _("report.refunded").format(refunded=tickets_n(r.refunded)),
    ]
    kb = InlineKeyboardBuilder()
    kb.row(btn(_("button.attendees_csv"), AttendeesCb(event_id=e.id)))
    kb.row(
        btn(_("button.refresh"), ReportCb(event_id=e.id)),
        btn(_("button.back_to_event_menu"), EventMenuCb(event_id=e.id)),
    )
    return "\n".join(lines), kb.as_markup()


def _cell(text: str) -> str:
    """Names are typed by buyers: a cell starting like a formula (=, +, -, @) would run in Excel."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _moment(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


_PHONE = re.compile(r"\+?[0-9]{7,15}")


def _answer(question: Question, value: str | list[str] | None) -> str:
    """One answer as a cell: several choices joined by "; ", yes/no translated, a skipped or never given
    answer empty. A phone number (+ and digits, as the buyer's dialog keeps it) is no formula: left as is."""
    if value is None:
        return ""
    if isinstance(value, list):
        text = "; ".join(str(v) for v in value)
    elif question.kind is QuestionKind.YESNO and value in ("yes", "no"):
        return _("csv." + value)
    else:
        text = str(value)
    return text if _PHONE.fullmatch(text) else _cell(text)


def attendees_csv(
    event: Event, rows: list[AttendeeRow], tz: ZoneInfo, questions: Sequence[Question] = ()
) -> tuple[bytes, str]:
    """The file and its name. Semicolons would suit a Russian Excel better, but a comma with quoting is
    what every spreadsheet and script reads; the BOM makes Excel take the text as UTF-8. Each question the
    event has asked of attendees (removed ones too) has its column after the holder's, headed by its label;
    each asked once of the buyer has its column after the buyer's, filled on every ticket row of the order.
    A question switched between the two since keeps the answers given either way (the ticket's first)."""
    out = io.StringIO()
    writer = csv.writer(out)
    of_ticket = [q for q in questions if not q.per_order]
    of_buyer = [q for q in questions if q.per_order]
    header = [_("csv." + c) for c in ("code", "tariff", "holder", "buyer", "status", "paid_at", "checked_in_at")]
    writer.writerow(
        header[:3]
        + [_cell(q.label) for q in of_ticket]
        + header[3:4]
        + [_cell(_("csv.buyer_question").format(label=q.label)) for q in of_buyer]
        + header[4:]
    )
    for row in rows:

        def cell(q: Question, row: AttendeeRow = row) -> str:
            return _answer(q, row.answers[q.id] if q.id in row.answers else row.buyer_answers.get(q.id))

        writer.writerow(
            [
                short_code(row.secret),
                _cell(row.tariff),
                _cell(row.holder),
                *(cell(q) for q in of_ticket),
                "@" + row.buyer_username if row.buyer_username else "",
                *(cell(q) for q in of_buyer),
                _("csv.status." + row.status.value),
                _moment(row.paid_at, tz),
                _moment(row.checked_in_at, tz),
            ]
        )
    name = f"attendees-{event.id}.csv"
    return ("\ufeff" + out.getvalue()).encode("utf-8"), name
