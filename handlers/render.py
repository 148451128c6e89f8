"""Everything a reply says, built from the translated catalogues; no text literals in handlers."""

from __future__ import annotations

import secrets
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.codes import short_code
from domain.errors import DomainError
from domain.models import EntryKind, TicketStatus
from domain.money import Money
from domain.views import (
    CartView,
    EventCard,
    PurchaseResult,
    ScanView,
    SearchPage,
    TariffOffer,
    TicketsPage,
    TicketView,
    Verdict,
    WalletView,
)
from handlers import formatting as fmt
from handlers.callbacks import (
    AddCb,
    CartCb,
    CheckinCb,
    EventCb,
    LanguageCb,
    PayCb,
    SearchPageCb,
    TariffCb,
    TicketQrCb,
    TicketsPageCb,
)

COMMANDS = ("search", "cart", "tickets", "wallet", "language", "help")


def clip(text: str, limit: int) -> str:
    """Free text from organisers is unbounded; a Telegram message is not (4096 characters)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def lang() -> str:
    return I18n.get_current().current_locale


def money(amount: Money) -> str:
    return fmt.money(amount, lang())


def when(moment: datetime, tz: ZoneInfo) -> str:
    return fmt.when(moment, lang(), tz)


def tickets_n(n: int) -> str:
    return ngettext("plural.tickets", "plural.tickets.many", n).format(n=n)


def events_n(n: int) -> str:
    return ngettext("plural.events", "plural.events.many", n).format(n=n)


def chars_n(n: int) -> str:
    return ngettext("plural.characters", "plural.characters.many", n).format(n=n)


def minutes_n(n: int) -> str:
    return ngettext("plural.minutes", "plural.minutes.many", n).format(n=n)


# --- errors ---------------------------------------------------------------------------------


def render_error(error: DomainError, html: bool = True) -> str:
    """html=False for callback alerts, which Telegram shows as plain text."""
    params = dict(error.params)
    for key, value in params.items():
        if isinstance(value, Money):
            params[key] = money(value)
        elif isinstance(value, str) and html:
            params[key] = escape(value)
    if error.code == "error.sold_out" and params.get("available"):
        return _("error.sold_out.only_left").format(left=tickets_n(params["available"]), **params)
    try:
        return _(error.code).format(**params)
    except (KeyError, IndexError):
        return _(error.code)


# --- start, help, language ------------------------------------------------------------------


def command_list() -> str:
    return "\n".join(f"/{c} — {_('command.' + c)}" for c in COMMANDS)


def greeting(name: str, returning: bool = False) -> str:
    key = "start.welcome_back" if returning else "start.greeting"
    return _(key).format(name=escape(name)) + "\n\n" + command_list()


def help_text() -> str:
    return _("help.text") + "\n\n" + command_list()


def language_keyboard() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text="Русский", callback_data=LanguageCb(code="ru"))
    kb.button(text="English", callback_data=LanguageCb(code="en"))
    return kb.as_markup()


# --- catalog --------------------------------------------------------------------------------


def search_results(page: SearchPage, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup | None]:
    query = escape(page.query)
    if not page.total:
        return _("search.nothing").format(query=query), None
    lines = [_("search.header").format(query=query, found=events_n(page.total), page=page.page + 1, pages=page.pages)]
    if page.corrected_from:
        lines.insert(0, _("search.corrected").format(typed=escape(page.corrected_from), query=query))
    kb = InlineKeyboardBuilder()
    first = page.page * 20
    for n, item in enumerate(page.items, start=first + 1):
        event = item.event
        price = _("search.price_from").format(price=money(item.price_from)) if item.price_from else ""
        left = _("search.sold_out") if item.available == 0 else ""
        lines.append(
            f"{n}. <b>{escape(clip(event.title, 80))}</b> — {fmt.short_when(event.starts_at, lang(), tz)}, "
            f"{escape(clip(event.venue, 60))}{price}{left}"
        )
        kb.button(
            text=f"{n}. {event.title[:40]} · {fmt.short_when(event.starts_at, lang(), tz)}",
            callback_data=EventCb(event_id=event.id),
        )
    kb.adjust(1)
    _pager(kb, page.page, page.pages, lambda n: SearchPageCb(search_id=page.search_id, page=n))
    return "\n".join(lines), kb.as_markup()


def _pager(kb: InlineKeyboardBuilder, page: int, pages: int, callback) -> None:
    """◀️ / ▶️ under a list: only the directions that lead somewhere."""
    nav = []
    if page > 0:
        nav.append(_btn(_("button.prev"), callback(page - 1)))
    if page + 1 < pages:
        nav.append(_btn(_("button.next"), callback(page + 1)))
    if nav:
        kb.row(*nav)


def _btn(text: str, cb) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=cb.pack())


def event_card(card: EventCard, tz: ZoneInfo, admin: bool = False) -> tuple[str, InlineKeyboardMarkup]:
    e = card.event
    parts = [f"🎭 <b>{escape(e.title)}</b>"]
    if e.performers:
        parts.append(_("event.performers").format(performers=escape(clip(e.performers, 400))))
    parts.append(_("event.when").format(when=when(e.starts_at, tz)))
    parts.append(_("event.venue").format(venue=escape(e.venue)))
    if e.age_limit:
        parts.append(_("event.age").format(age=e.age_limit))
    if e.description:
        parts.append("\n" + escape(clip(e.description, 1500)))
    if e.conditions:
        parts.append("\n" + _("event.conditions").format(conditions=escape(clip(e.conditions, 600))))
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
        status = money(tt.price) if offer.on_sale else _("tariff.unavailable")
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
        row.append(_btn("➖", TariffCb(ticket_type_id=tt.id, qty=qty - 1)))
    if qty < offer.max_qty:
        row.append(_btn("➕", TariffCb(ticket_type_id=tt.id, qty=qty + 1)))
    if row:
        kb.row(*row)
    kb.row(
        _btn(
            _("button.add_to_cart").format(qty=qty),
            AddCb(ticket_type_id=tt.id, qty=qty, nonce=secrets.token_urlsafe(6)),
        )
    )
    kb.row(_btn(_("button.back_to_event"), EventCb(event_id=event.id, back=1)))
    return text, kb.as_markup()


def tariff_unavailable(event, offer: TariffOffer) -> tuple[str, InlineKeyboardMarkup]:
    kb = InlineKeyboardBuilder()
    kb.row(_btn(_("button.back_to_event"), EventCb(event_id=event.id, back=1)))
    text = _("tariff.not_on_sale").format(title=escape(event.title), tariff=escape(offer.ticket_type.name))
    return text, kb.as_markup()


def added_to_cart(view: CartView, tz: ZoneInfo, event_id: int) -> tuple[str, InlineKeyboardMarkup]:
    until = view.held_until
    text = _("cart.added").format(
        count=tickets_n(view.ticket_count),
        total=money(view.total),
        until=fmt.clock_time(until, lang(), tz) if until else "—",
    )
    kb = InlineKeyboardBuilder()
    kb.row(_btn(_("button.go_to_cart"), CartCb(op="show")))
    kb.row(_btn(_("button.back_to_event"), EventCb(event_id=event_id, back=1)))
    return text, kb.as_markup()


# --- cart -----------------------------------------------------------------------------------


def cart(view: CartView, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup | None]:
    if view.is_empty:
        return _("cart.empty"), None
    lines = [_("cart.header")]
    kb = InlineKeyboardBuilder()
    n = 0
    for line in view.ready:
        n += 1
        lines.append(
            _("cart.line").format(
                n=n,
                title=escape(clip(line.event_title, 80)),
                tariff=escape(line.tariff),
                qty=line.qty,
                price=money(line.unit_price),
                subtotal=money(line.subtotal),
                until=fmt.clock_time(line.held_until, lang(), tz) if line.held_until else "—",
            )
        )
        row = [_btn(f"➖ {n}", CartCb(op="dec", item_id=line.item_id, version=view.version))]
        if line.qty < view.max_per_order:
            row.append(_btn(f"➕ {n}", CartCb(op="inc", item_id=line.item_id, version=view.version)))
        row.append(_btn(f"🗑 {n}", CartCb(op="rm", item_id=line.item_id, version=view.version)))
        kb.row(*row)
    if view.unavailable:
        lines.append("\n" + _("cart.unavailable_header"))
        for line in view.unavailable:
            n += 1
            lines.append(
                _("cart.unavailable_line").format(
                    n=n,
                    title=escape(clip(line.event_title, 80)),
                    tariff=escape(line.tariff),
                    qty=line.qty,
                    reason=_("reason." + line.reason.value),
                )
            )
            row = []
            if line.reason.value == "hold_expired":
                row.append(
                    _btn(_("button.renew").format(n=n), CartCb(op="renew", item_id=line.item_id, version=view.version))
                )
            row.append(_btn(f"🗑 {n}", CartCb(op="rm", item_id=line.item_id, version=view.version)))
            kb.row(*row)
    if view.ready:
        lines.append("\n" + _("cart.total").format(total=money(view.total), count=tickets_n(view.ticket_count)))
        if view.held_until:
            lines.append(_("cart.held_until").format(until=fmt.clock_time(view.held_until, lang(), tz)))
        kb.row(_btn(_("button.pay_wallet").format(total=money(view.total)), PayCb(version=view.version)))
    return "\n".join(lines), kb.as_markup()


def purchase(result: PurchaseResult) -> str:
    if result.already_paid:
        return _("checkout.already_paid").format(order=result.order.id)
    return _("checkout.paid").format(
        order=result.order.id,
        total=money(result.order.total),
        count=tickets_n(len(result.tickets)),
        balance=money(result.balance) if result.balance else "—",
    )


def not_enough_money(total: Money, balance: Money, missing: Money, telegram_id: int) -> str:
    return _("checkout.not_enough").format(
        total=money(total), balance=money(balance), missing=money(missing), id=telegram_id
    )


# --- tickets --------------------------------------------------------------------------------


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
            )
        )
        kb.button(text=_("button.qr").format(n=n), callback_data=TicketQrCb(ticket_id=view.ticket.id))
    kb.adjust(5)
    _pager(kb, page.page, page.pages, lambda n: TicketsPageCb(page=n))
    return "\n".join(lines), kb.as_markup()


# --- wallet ---------------------------------------------------------------------------------


def wallet(view: WalletView, tz: ZoneInfo, telegram_id: int) -> str:
    lines = [_("wallet.balance").format(balance=money(view.balance))]
    if view.entries:
        lines.append("\n" + _("wallet.history"))
        for entry in view.entries:
            what = _("wallet.kind." + entry.kind.value)
            if entry.kind is EntryKind.PURCHASE and entry.order_id:
                what = _("wallet.kind.purchase_order").format(order=entry.order_id)
            lines.append(
                f"{fmt.short_when(entry.created_at, lang(), tz)} · {fmt.signed_money(entry.amount, lang())} · {what}"
            )
    else:
        lines.append("\n" + _("wallet.no_history"))
    lines.append("\n" + _("wallet.topup_hint").format(id=telegram_id))
    return "\n".join(lines)


# --- door -----------------------------------------------------------------------------------


def scan(view: ScanView, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup | None]:
    verdict = view.verdict
    if verdict is Verdict.UNKNOWN:
        return _("scan.unknown"), None
    if verdict is Verdict.EXISTS:
        key = "scan.exists.own" if view.own_ticket else "scan.exists"
        return _(key).format(title=escape(view.event.title) if view.event else ""), None
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
