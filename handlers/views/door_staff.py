"""Door staff: the organizer's list under an event, the invitation, and the staff's /door counter."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.models import Event, User
from domain.views import DoorView
from handlers.callbacks import DoorRefreshCb, EventMenuCb, StaffAddCb, StaffInviteCb, StaffRemoveCb
from handlers.views.base import _, btn, clip, escape, fmt, lang, when
from handlers.views.organizer import person


def staff_list(event: Event, staff: list[User]) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("staff.list.title").format(title=escape(clip(event.title, 100)))]
    if not staff:
        lines.append(_("staff.list.empty"))
    kb = InlineKeyboardBuilder()
    for n, member in enumerate(staff, start=1):
        lines.append(f"{n}. {person(member)}")
        kb.button(text=f"❌ {n}", callback_data=StaffRemoveCb(event_id=event.id, user_id=member.id))
    kb.adjust(5)
    kb.row(btn(_("button.staff_add"), StaffAddCb(event_id=event.id)))
    kb.row(btn(_("button.staff_invite"), StaffInviteCb(event_id=event.id)))
    kb.row(btn(_("button.back_to_event_menu"), EventMenuCb(event_id=event.id)))
    return "\n".join(lines), kb.as_markup()


def door(view: DoorView, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    lines, ahead = view.lines, view.ahead
    parts = [_("door.title").format(time=fmt.clock_time(view.as_of, lang(), tz))]
    if not lines:
        parts.append(_("door.none_today"))
        if ahead is not None:
            parts.append(_("door.next").format(title=escape(ahead.title), when=when(ahead.starts_at, tz)))
    for line in lines:
        parts.append(
            _("door.line").format(
                title=escape(clip(line.event.title, 80)),
                time=fmt.clock_time(line.event.starts_at, lang(), tz),
                venue=escape(clip(line.event.venue, 60)),
                checked_in=line.checked_in,
                sold=line.sold,
            )
        )
    kb = InlineKeyboardBuilder()
    kb.row(btn(_("button.refresh"), DoorRefreshCb()))
    return "\n\n".join(parts), kb.as_markup()
