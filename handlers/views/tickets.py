"""A ticket's caption and the list of one's own tickets."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.codes import short_code
from domain.models import TicketStatus
from domain.views import TicketsPage, TicketView
from handlers.callbacks import TicketQrCb, TicketRenameCb, TicketsPageCb
from handlers.views.base import _, escape, fmt, lang, pager, tickets_n, when


def status_label(status: TicketStatus) -> str:
    return _("ticket.status." + status.value)


def ticket_caption(view: TicketView, tz: ZoneInfo) -> str:
    t, e = view.ticket, view.event
    return _("ticket.caption").format(
        title=escape(e.title),
        when=when(e.starts_at, tz),
        venue=escape(e.venue),
        tariff=escape(view.tariff),
        holder=escape(t.holder_name),
        code=short_code(t.secret),
        status=status_label(t.status),
    )


def tickets_page(page: TicketsPage, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup | None]:
    if not page.total:
        return _("tickets.empty"), None
    lines = [_("tickets.header").format(count=tickets_n(page.total), page=page.page + 1, pages=page.pages)]
    kb = InlineKeyboardBuilder()
    first = page.page * 10
    for n, view in enumerate(page.items, start=first + 1):
        lines.append(
            _("tickets.line").format(
                n=n,
                title=escape(view.event.title),
                when=fmt.short_when(view.event.starts_at, lang(), tz),
                tariff=escape(view.tariff),
                status=status_label(view.ticket.status),
                code=short_code(view.ticket.secret),
                holder=escape(view.ticket.holder_name),
            )
        )
        kb.button(text=_("button.qr").format(n=n), callback_data=TicketQrCb(ticket_id=view.ticket.id))
    for n, view in enumerate(page.items, start=first + 1):  # where the organizer lets names change
        if view.event.names_changeable and view.ticket.status is TicketStatus.VALID:
            kb.button(text=_("button.rename").format(n=n), callback_data=TicketRenameCb(ticket_id=view.ticket.id))
    kb.adjust(5)
    pager(kb, page.page, page.pages, lambda n: TicketsPageCb(page=n))
    return "\n".join(lines), kb.as_markup()


def rename_prompt(view: TicketView) -> tuple[str, InlineKeyboardMarkup]:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("button.cancel"), callback_data=TicketRenameCb(ticket_id=0))
    text = _("tickets.rename_prompt").format(
        code=short_code(view.ticket.secret), title=escape(view.event.title), holder=escape(view.ticket.holder_name)
    )
    return text, kb.as_markup()
