"""The organizer's event dialog: one prompt per step, the event's own menu, and what is missing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.event_fields import CATEGORIES, EDIT_ONLY, LIMITS, MAX_TICKET_LIMIT, MENU, REQUIRED, STEPS, EventField
from domain.models import Event, EventStatus
from handlers.callbacks import (
    BroadcastStartCb,
    CancelEventCb,
    EventEditCb,
    EventFormCb,
    EventMenuCb,
    NamesChangeableCb,
    OrganizerEventsPageCb,
    PromoCodesCb,
    PromotionsCb,
    PublishCb,
    QuestionListCb,
    ReportCb,
    StaffListCb,
    TariffListCb,
)
from handlers.views.base import _, btn, clip, escape, when
from handlers.views.organizer import STATUS_MARKS

F = EventField


def field_name(field: EventField) -> str:
    return _("editor.field." + field.value)


def category_name(category: str) -> str:
    return _("category." + category) if category in CATEGORIES else category


def value_of(event: Event, field: EventField, tz: ZoneInfo) -> str | None:
    """The field as the organizer reads it back, or None when it is not set."""
    if field is F.STARTS_AT:
        return when(event.starts_at, tz) if event.starts_at else None
    if field is F.ENDS_AT:
        return when(event.ends_at, tz) if event.ends_at else None
    if field is F.POSTER:
        return _("editor.poster_set") if event.poster_file_id else None
    if field is F.AGE_LIMIT:
        return f"{event.age_limit}+" if event.age_limit is not None else None
    if field in EDIT_ONLY:
        value = getattr(event, field.value)
        return str(value) if value is not None else None
    if field is F.CATEGORY:
        return category_name(event.category) if event.category else None
    value = getattr(event, field.value)
    return escape(clip(value, 300)) if value else None


def prompt(field: EventField, event: Event | None, tz: ZoneInfo, creating: bool) -> tuple[str, InlineKeyboardMarkup]:
    """A step: what to send, the limit, the value it has now; Skip (optional fields), Back, Cancel."""
    lines = []
    if creating:
        lines.append(_("editor.step").format(n=STEPS.index(field) + 1, total=len(STEPS)))
    key = "editor.prompt." + field.value
    lines.append(_(key).format(max=LIMITS.get(field, MAX_TICKET_LIMIT), zone=tz.key))
    current = value_of(event, field, tz) if event is not None else None
    if current is not None:
        lines.append(_("editor.current").format(value=current))
    event_id = event.id if event is not None else 0
    kb = InlineKeyboardBuilder()
    if field is F.CATEGORY:
        for category in CATEGORIES:
            kb.button(
                text=category_name(category),
                callback_data=EventFormCb(action="cat", event_id=event_id, field=field.value, value=category),
            )
        kb.adjust(3)
    nav = []
    if field not in REQUIRED:
        label = _("button.skip") if creating else _("button.remove")
        nav.append(btn(label, EventFormCb(action="skip", event_id=event_id, field=field.value)))
    if creating and STEPS.index(field) > 0:
        nav.append(btn(_("button.step_back"), EventFormCb(action="back", event_id=event_id, field=field.value)))
    nav.append(btn(_("button.cancel"), EventFormCb(action="cancel", event_id=event_id, field=field.value)))
    kb.row(*nav)
    return "\n\n".join(lines), kb.as_markup()


def missing_names(missing: list[str]) -> str:
    """The fields publishing asks for (domain.services.event_editor.missing_for_sale), by name."""
    return ", ".join(_("tariff.field.tariffs") if m == "tariffs" else field_name(EventField(m)) for m in missing)


def menu(
    event: Event, tz: ZoneInfo, tariffs: int = 0, missing: list[str] | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The event's own menu: every field with its value, and a button to change each."""
    lines = [
        _("editor.menu.title").format(
            mark=STATUS_MARKS[event.status],
            title=escape(event.title),
            status=_("event.status." + event.status.value),
            id=event.id,
        )
    ]
    for field in MENU[1:]:
        value = value_of(event, field, tz)
        unset = _("editor.shop_limit") if field in EDIT_ONLY else _("editor.not_set")
        lines.append(f"<b>{field_name(field)}</b>: {value if value is not None else unset}")
    if missing:
        lines.append(_("editor.menu.missing").format(fields=missing_names(missing)))
    kb = InlineKeyboardBuilder()
    editable = event.status in (EventStatus.DRAFT, EventStatus.PUBLISHED)
    if editable:
        for field in MENU:
            kb.button(text="✏️ " + field_name(field), callback_data=EventEditCb(event_id=event.id, field=field.value))
        kb.adjust(2)
    kb.row(
        btn(_("button.tariffs_n").format(n=tariffs), TariffListCb(event_id=event.id)),
        btn(_("button.door_staff"), StaffListCb(event_id=event.id)),
    )
    kb.row(btn(_("button.questions"), QuestionListCb(event_id=event.id)))
    kb.row(
        btn(_("button.promo_codes"), PromoCodesCb(event_id=event.id)),
        btn(_("button.promotions"), PromotionsCb(event_id=event.id)),
    )
    if editable:
        names = "button.names_changeable.yes" if event.names_changeable else "button.names_changeable.no"
        kb.row(btn(_(names), NamesChangeableCb(event_id=event.id, changeable=int(not event.names_changeable))))
    if event.status is EventStatus.DRAFT:
        kb.row(btn(_("button.publish"), PublishCb(event_id=event.id)))
    else:
        kb.row(
            btn(_("button.report"), ReportCb(event_id=event.id)),
            btn(_("button.broadcast"), BroadcastStartCb(event_id=event.id)),
        )
    if editable:
        kb.row(btn(_("button.cancel_event"), CancelEventCb(event_id=event.id)))
    kb.row(btn(_("button.my_events"), OrganizerEventsPageCb(page=0)))
    return "\n".join(lines), kb.as_markup()


def cancel_confirmation(event: Event, sold: int) -> tuple[str, InlineKeyboardMarkup]:
    text = _("editor.cancel.confirm").format(title=escape(event.title), sold=sold)
    kb = InlineKeyboardBuilder()
    kb.row(btn(_("button.cancel_event_yes"), CancelEventCb(event_id=event.id, confirm=1)))
    kb.row(btn(_("button.cancel_event_no"), EventMenuCb(event_id=event.id)))
    return text, kb.as_markup()
