"""The organizer's tariffs: the list under an event, one tariff's menu, and the steps of the dialog."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.models import Event, TicketType
from domain.tariff_fields import MAX_QUANTITY, NAME_MAX, OPTIONAL, STEPS, TariffField, max_price
from handlers.callbacks import EventMenuCb, NewTariffCb, TariffEditCb, TariffFormCb, TariffListCb, TariffMenuCb
from handlers.views.base import _, btn, clip, escape, fmt, lang, money, when

F = TariffField


def field_name(field: TariffField) -> str:
    return _("tariff.field." + field.value)


def window(tt: TicketType, tz: ZoneInfo) -> str:
    start = fmt.short_when(tt.sales_start, lang(), tz) if tt.sales_start else None
    end = fmt.short_when(tt.sales_end, lang(), tz) if tt.sales_end else None
    if start and end:
        return _("tariff.window.both").format(start=start, end=end)
    if start:
        return _("tariff.window.from").format(start=start)
    if end:
        return _("tariff.window.until").format(end=end)
    return _("tariff.window.always")


def value_of(tt: TicketType, field: TariffField, tz: ZoneInfo, shop_limit: int) -> str:
    if field is F.NAME:
        return escape(tt.name)
    if field is F.PRICE:
        return money(tt.price)
    if field is F.QUANTITY:
        return _("tariff.quantity_line").format(quantity=tt.quantity, sold=tt.sold, held=tt.held)
    if field is F.MAX_PER_ORDER:
        return str(tt.max_per_order) if tt.max_per_order else _("tariff.limit_default").format(limit=shop_limit)
    moment = tt.sales_start if field is F.SALES_START else tt.sales_end
    return when(moment, tz) if moment else _("editor.not_set")


def tariff_list(event: Event, tariffs: list[TicketType], tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("tariff.list.title").format(title=escape(clip(event.title, 100)))]
    if not tariffs:
        lines.append(_("tariff.list.empty"))
    for n, tt in enumerate(tariffs, start=1):
        lines.append(
            _("tariff.list.line").format(
                n=n,
                name=escape(tt.name),
                price=money(tt.price),
                sold=tt.sold,
                held=tt.held,
                quantity=tt.quantity,
                window=window(tt, tz),
            )
        )
    kb = InlineKeyboardBuilder()
    for n, tt in enumerate(tariffs, start=1):
        kb.button(text=str(n), callback_data=TariffMenuCb(ticket_type_id=tt.id))
    kb.adjust(5)
    kb.row(btn(_("button.new_tariff"), NewTariffCb(event_id=event.id)))
    kb.row(btn(_("button.back_to_event_menu"), EventMenuCb(event_id=event.id)))
    return "\n".join(lines), kb.as_markup()


def tariff_menu(event: Event, tt: TicketType, tz: ZoneInfo, shop_limit: int) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("tariff.menu.title").format(name=escape(tt.name), title=escape(clip(event.title, 100)))]
    for field in STEPS[1:]:
        lines.append(f"<b>{field_name(field)}</b>: {value_of(tt, field, tz, shop_limit)}")
    kb = InlineKeyboardBuilder()
    for field in STEPS:
        kb.button(text="✏️ " + field_name(field), callback_data=TariffEditCb(ticket_type_id=tt.id, field=field.value))
    kb.adjust(2)
    kb.row(btn(_("button.tariffs"), TariffListCb(event_id=event.id)))
    return "\n".join(lines), kb.as_markup()


def prompt(
    field: TariffField, event_id: int, tt: TicketType | None, tz: ZoneInfo, currency: str, shop_limit: int
) -> tuple[str, InlineKeyboardMarkup]:
    """One step: creating (tt None) numbers the steps and offers Skip and Back; changing shows the value."""
    lines = []
    creating = tt is None
    if creating:
        lines.append(_("tariff.step").format(n=STEPS.index(field) + 1, total=len(STEPS)))
    lines.append(
        _("tariff.prompt." + field.value).format(
            max_name=NAME_MAX,
            max_price=money(max_price(currency)),
            max_quantity=MAX_QUANTITY,
            shop_limit=shop_limit,
            zone=tz.key,
        )
    )
    if tt is not None:
        lines.append(_("editor.current").format(value=value_of(tt, field, tz, shop_limit)))
    tt_id = tt.id if tt else 0
    nav = []
    if field in OPTIONAL:
        label = _("button.skip") if creating else _("button.remove")
        nav.append(btn(label, TariffFormCb(action="skip", event_id=event_id, ticket_type_id=tt_id, field=field.value)))
    if creating and STEPS.index(field) > 0:
        nav.append(
            btn(
                _("button.step_back"),
                TariffFormCb(action="back", event_id=event_id, ticket_type_id=tt_id, field=field.value),
            )
        )
    nav.append(
        btn(
            _("button.cancel"),
            TariffFormCb(action="cancel", event_id=event_id, ticket_type_id=tt_id, field=field.value),
        )
    )
    kb = InlineKeyboardBuilder()
    kb.row(*nav)
    return "\n\n".join(lines), kb.as_markup()
