"""The organizer role: the request, the admins' card with its decision, the answer, the own-events list."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.models import EventStatus, OrganizerRequest, OrganizerRequestStatus, User
from domain.views import OrganizerEventsPage
from handlers.callbacks import EventMenuCb, NewEventCb, OrganizerDecisionCb, OrganizerEventsPageCb
from handlers.views.base import _, btn, clip, escape, events_n, fmt, lang, pager


def person(user: User) -> str:
    handle = f" @{escape(user.username)}" if user.username else ""
    return f"{escape(user.display_name)}{handle} (id {user.telegram_id})"


def request_card(request: OrganizerRequest, applicant: User) -> tuple[str, InlineKeyboardMarkup]:
    """What each admin gets; the buttons carry only the request id (the decision re-reads it)."""
    text = _("organizer.request.card").format(id=request.id, person=person(applicant), about=escape(request.about))
    kb = InlineKeyboardBuilder()
    kb.button(text=_("button.approve"), callback_data=OrganizerDecisionCb(request_id=request.id, approve=1))
    kb.button(text=_("button.decline"), callback_data=OrganizerDecisionCb(request_id=request.id, approve=0))
    return text, kb.as_markup()


def decided_card(request: OrganizerRequest, applicant: User, admin: User) -> str:
    key = (
        "organizer.request.approved_by"
        if request.status is OrganizerRequestStatus.APPROVED
        else ("organizer.request.declined_by")
    )
    head = _("organizer.request.card").format(id=request.id, person=person(applicant), about=escape(request.about))
    return head + "\n\n" + _(key).format(admin=escape(admin.display_name))


def events_page(page: OrganizerEventsPage, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    if not page.total:
        kb = InlineKeyboardBuilder()
        kb.row(btn(_("button.new_event"), NewEventCb()))
        return _("organizer.events.empty"), kb.as_markup()
    lines = [_("organizer.events.header").format(count=events_n(page.total), page=page.page + 1, pages=page.pages)]
    for n, line in enumerate(page.items, start=page.page * 10 + 1):
        e = line.event
        lines.append(
            _("organizer.events.line").format(
                n=n,
                mark=STATUS_MARKS[e.status],
                title=escape(clip(e.title, 80)),
                when=fmt.short_when(e.starts_at, lang(), tz) if e.starts_at else _("editor.no_date"),
                status=_("event.status." + e.status.value),
                sold=line.sold,
                quantity=line.quantity,
                id=e.id,
            )
        )
    lines.append(_("organizer.events.open"))
    kb = InlineKeyboardBuilder()
    for n, line in enumerate(page.items, start=page.page * 10 + 1):
        kb.button(text=str(n), callback_data=EventMenuCb(event_id=line.event.id))
    kb.adjust(5)
    pager(kb, page.page, page.pages, lambda n: OrganizerEventsPageCb(page=n))
    kb.row(btn(_("button.new_event"), NewEventCb()))
    return "\n".join(lines), kb.as_markup()


STATUS_MARKS = {
    EventStatus.DRAFT: "📝",
    EventStatus.PUBLISHED: "🟢",
    EventStatus.CANCELLED: "🚫",
    EventStatus.FINISHED: "🏁",
}
