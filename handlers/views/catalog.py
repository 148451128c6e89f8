"""Search results, the event card, the tariff picker."""

from __future__ import annotations

import secrets
from datetime import date
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.event_fields import CATEGORIES
from domain.search import PERIODS, SearchFilter
from domain.views import EventCard, SearchPage, TariffOffer
from handlers.callbacks import (
    AddCb,
    CartCb,
    EventCb,
    SearchCategoriesCb,
    SearchDayCb,
    SearchFilterCb,
    SearchPageCb,
    TariffCb,
)
from handlers.editing import visible_length
from handlers.views.base import _, btn, clip, escape, events_n, fmt, lang, minutes_n, money, pager, tickets_n, when


def search_results(page: SearchPage, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup | None]:
    query = escape(page.query)
    filters = _filters_line(page.filters)
    kb = InlineKeyboardBuilder()
    if not page.total:
        if not page.filters.active:
            return _("search.nothing").format(query=query), None
        _filter_rows(kb, page)
        return _("search.nothing_filtered").format(query=query, filters=filters), kb.as_markup()
    found = _("search.many").format(n=page.total) if page.capped else events_n(page.total)
    lines = [_("search.header").format(query=query, filters=filters, found=found, page=page.page + 1, pages=page.pages)]
    if page.corrected_from:
        lines.insert(0, _("search.corrected").format(typed=escape(page.corrected_from), query=query))
    first = page.page * 20
    for n, item in enumerate(page.items, start=first + 1):
        event = item.event
        price = _("search.price_from").format(price=money(item.price_from)) if item.price_from else ""
        left = _("search.sold_out") if item.available == 0 else ""
        lines.append(
            f"{n}. <b>{escape(clip(event.title, 80))}</b> — {fmt.short_when(event.starts_at, lang(), tz)}, "
            f"{escape(clip(event.venue, 60))}{price}{left}"
        )
        kb.row(
            btn(
                f"{n}. {event.title[:40]} · {fmt.short_when(event.starts_at, lang(), tz)}",
                EventCb(event_id=event.id),
            )
        )
    pager(kb, page.page, page.pages, lambda n: SearchPageCb(search_id=page.search_id, page=n))
    _filter_rows(kb, page)
    return "\n".join(lines), kb.as_markup()


def _period_name(period: str) -> str:
    if period in PERIODS:
        return _(f"search.period.{period}")
    return fmt.day(date.fromisoformat(period), lang())


def _filters_line(filters: SearchFilter) -> str:
    """ " · 🎵 Concerts · this weekend" after the query, or nothing."""
    parts = [_(f"category.{filters.category}")] if filters.category else []
    parts += [_period_name(filters.period)] if filters.period else []
    return "".join(f" · {escape(p)}" for p in parts)


def _filter_rows(kb: InlineKeyboardBuilder, page: SearchPage) -> None:
    """Date filters (the active one ticked; pressed again, it goes), the category chooser, and a way back."""
    f, sid = page.filters, page.search_id
    row = []
    for period in PERIODS:
        active = f.period == period
        label = ("✅ " if active else "") + _(f"search.button.{period}")
        row.append(
            btn(label, SearchFilterCb(search_id=sid, category=f.category or "", period="" if active else period))
        )
    kb.row(*row)
    typed_day = f.period is not None and f.period not in PERIODS
    day_label = "✅ " + _period_name(f.period) if typed_day else _("search.button.day")
    day_target = (
        SearchFilterCb(search_id=sid, category=f.category or "", period="") if typed_day else SearchDayCb(search_id=sid)
    )
    category = _(f"category.{f.category}") if f.category else _("search.category_any")
    kb.row(
        btn(day_label, day_target),
        btn(_("search.button.category").format(category=category), SearchCategoriesCb(search_id=sid)),
    )
    if f.active:
        kb.row(btn(_("search.button.clear"), SearchFilterCb(search_id=sid)))


def search_categories(search_id: int, filters: SearchFilter) -> tuple[str, InlineKeyboardMarkup]:
    kb = InlineKeyboardBuilder()
    period = filters.period or ""
    for code in CATEGORIES:
        label = ("✅ " if filters.category == code else "") + _(f"category.{code}")
        kb.button(text=label, callback_data=SearchFilterCb(search_id=search_id, category=code, period=period))
    kb.adjust(2)
    kb.row(btn(_("search.category_any"), SearchFilterCb(search_id=search_id, period=period)))
    kb.row(btn(_("button.prev"), SearchPageCb(search_id=search_id, page=0)))
    return _("search.choose_category"), kb.as_markup()


def event_card(
    card: EventCard, tz: ZoneInfo, admin: bool = False, limit: int | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """limit: a poster's caption holds 1,024 characters; the description goes first, then the conditions
    are shortened, so the date, venue, prices and what is left always show."""
    for description, conditions in ((1500, 600), (0, 600), (0, 200), (0, 0)):
        text, markup = _event_card(card, tz, admin, description, conditions)
        if limit is None or visible_length(text) <= limit:
            break
    return text, markup


def _event_card(
    card: EventCard, tz: ZoneInfo, admin: bool, description: int, conditions: int
) -> tuple[str, InlineKeyboardMarkup]:
    e = card.event
    parts = [f"🎭 <b>{escape(e.title)}</b>"]
    if e.performers:
        parts.append(_("event.performers").format(performers=escape(clip(e.performers, 400))))
    parts.append(_("event.when").format(when=when(e.starts_at, tz)))
    parts.append(_("event.venue").format(venue=escape(e.venue)))
    if e.age_limit:
        parts.append(_("event.age").format(age=e.age_limit))
    if e.description and description:
        parts.append("\n" + escape(clip(e.description, description)))
    if e.conditions and conditions:
        parts.append("\n" + _("event.conditions").format(conditions=escape(clip(e.conditions, conditions))))
    parts.append("")
    if card.price_from and card.price_to and card.price_from != card.price_to:
        parts.append(_("event.prices").format(low=money(card.price_from), high=money(card.price_to)))
    elif card.price_from:
        parts.append(_("event.price").format(price=money(card.price_from)))
    if card.available:
        parts.append(_("event.available").format(left=tickets_n(card.available)))
    else:
        parts.append(_("event.sold_out"))
    parts.append(_("event.hold").format(minutes=minutes_n(card.hold_minutes)))
    if admin:
        parts.append(_("event.admin_id").format(id=e.id))
    kb = InlineKeyboardBuilder()
    for offer in card.tariffs:
        tt = offer.ticket_type
        status = money(tt.price) if offer.on_sale else unavailable_reason(offer, tz)
        kb.button(text=f"{clip(tt.name, 40)} · {status}", callback_data=TariffCb(ticket_type_id=tt.id, qty=1))
    kb.button(text=_("button.cart"), callback_data=CartCb(op="show"))
    kb.adjust(1)
    return "\n".join(parts), kb.as_markup()


def tariff_picker(event, offer: TariffOffer, qty: int) -> tuple[str, InlineKeyboardMarkup]:
    tt = offer.ticket_type
    text = _("tariff.picker").format(
        title=escape(event.title),
        tariff=escape(tt.name),
        price=money(tt.price),
        left=tickets_n(tt.available),
        qty=tickets_n(qty),
        total=money(tt.price * qty),
    )
    kb = InlineKeyboardBuilder()
    row = []
    if qty > 1:
        row.append(btn("➖", TariffCb(ticket_type_id=tt.id, qty=qty - 1)))
    if qty < offer.max_qty:
        row.append(btn("➕", TariffCb(ticket_type_id=tt.id, qty=qty + 1)))
    if row:
        kb.row(*row)
    kb.row(
        btn(
            _("button.add_to_cart").format(qty=qty),
            AddCb(ticket_type_id=tt.id, qty=qty, nonce=secrets.token_urlsafe(6)),
        )
    )
    kb.row(btn(_("button.back_to_event"), EventCb(event_id=event.id, back=1)))
    return text, kb.as_markup()


def unavailable_reason(offer: TariffOffer, tz: ZoneInfo) -> str:
    """Early bird not open yet says when it opens; closed and sold out say so."""
    if offer.reason == "not_yet":
        return _("tariff.reason.not_yet").format(date=fmt.short_when(offer.ticket_type.sales_start, lang(), tz))
    if offer.reason in ("closed", "sold_out"):
        return _("tariff.reason." + offer.reason)
    return _("tariff.unavailable")


def tariff_unavailable(event, offer: TariffOffer, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    kb = InlineKeyboardBuilder()
    kb.row(btn(_("button.back_to_event"), EventCb(event_id=event.id, back=1)))
    text = _("tariff.not_on_sale").format(
        title=escape(event.title), tariff=escape(offer.ticket_type.name), reason=unavailable_reason(offer, tz)
    )
    return text, kb.as_markup()


def inline_summary(item, tz: ZoneInfo) -> str:
    """One plain line under an inline result: when, where, from what price (or sold out)."""
    e = item.event
    parts = [fmt.short_when(e.starts_at, lang(), tz), e.venue]
    if item.available and item.price_from:
        parts.append(_("inline.from").format(price=money(item.price_from)))
    elif not item.available:
        parts.append(_("inline.sold_out"))
    return " · ".join(parts)
