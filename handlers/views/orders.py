"""/orders: the person's orders, newest first, with what each cost and what became of its tickets."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.models import TicketStatus
from domain.views import OrderLineView, OrdersPage
from handlers.callbacks import OrdersPageCb
from handlers.views.base import _, clip, escape, fmt, lang, money, ngettext, pager, tickets_n


def orders_n(n: int) -> str:
    return ngettext("plural.orders", "plural.orders.many", n).format(n=n)


def orders_page(page: OrdersPage, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup | None]:
    if not page.total:
        return _("orders.empty"), None
    parts = [_("orders.header").format(count=orders_n(page.total), page=page.page + 1, pages=page.pages)]
    parts.extend(_order(item, tz) for item in page.items)
    kb = InlineKeyboardBuilder()
    pager(kb, page.page, page.pages, lambda n: OrdersPageCb(page=n))
    return "\n\n".join(parts), kb.as_markup() if page.pages > 1 else None


def _order(item: OrderLineView, tz: ZoneInfo) -> str:
    order = item.order
    lines = [
        _("orders.order").format(
            id=order.id,
            when=fmt.short_when(order.paid_at or order.created_at, lang(), tz),
            status=_("order.status." + order.status.value),
            total=money(order.total),
        )
    ]
    for line in order.lines:
        saved = line.unit_price * line.qty - line.paid
        lines.append(
            _("orders.line").format(
                title=escape(clip(line.title, 60)), tariff=escape(line.tariff), qty=line.qty, paid=money(line.paid)
            )
            + (_("orders.saved").format(saved=money(saved)) if saved.is_positive else "")
        )
    if item.tickets:
        counts = ", ".join(
            f"{_('ticket.status.' + status.value)} × {item.tickets[status.value]}"
            for status in TicketStatus
            if item.tickets.get(status.value)
        )
        lines.append(_("orders.tickets").format(count=tickets_n(sum(item.tickets.values())), statuses=counts))
    return "\n".join(lines)
