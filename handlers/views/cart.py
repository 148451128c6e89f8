"""The cart and the outcome of paying for it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.money import Money
from domain.views import CartView, PurchaseResult
from handlers.callbacks import CartCb, EventCb, PayCb
from handlers.views.base import _, btn, clip, escape, fmt, lang, money, tickets_n


def cart(view: CartView, tz: ZoneInfo, back_to_event: int | None = None) -> tuple[str, InlineKeyboardMarkup | None]:
    """back_to_event: the cart shown right after adding a ticket offers the way back to that event's card."""
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
        row = [btn(f"➖ {n}", CartCb(op="dec", item_id=line.item_id, version=view.version))]
        if line.qty < view.max_per_order:
            row.append(btn(f"➕ {n}", CartCb(op="inc", item_id=line.item_id, version=view.version)))
        row.append(btn(f"🗑 {n}", CartCb(op="rm", item_id=line.item_id, version=view.version)))
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
                    btn(_("button.renew").format(n=n), CartCb(op="renew", item_id=line.item_id, version=view.version))
                )
            row.append(btn(f"🗑 {n}", CartCb(op="rm", item_id=line.item_id, version=view.version)))
            kb.row(*row)
    if view.ready:
        lines.append("\n" + _("cart.total").format(total=money(view.total), count=tickets_n(view.ticket_count)))
        if view.held_until:
            lines.append(_("cart.held_until").format(until=fmt.clock_time(view.held_until, lang(), tz)))
        kb.row(btn(_("button.pay_wallet").format(total=money(view.total)), PayCb(version=view.version)))
    if back_to_event is not None:
        kb.row(btn(_("button.back_to_event"), EventCb(event_id=back_to_event, back=1)))
    return "\n".join(lines), kb.as_markup()


def added_toast(view: CartView, tz: ZoneInfo) -> str:
    """A small confirmation as a callback toast: the cart itself replaces the tariff picker."""
    until = fmt.clock_time(view.held_until, lang(), tz) if view.held_until else "—"
    return _("cart.added.toast").format(until=until)


def purchase(result: PurchaseResult, delivering: bool = False) -> str:
    if result.already_paid and not delivering:
        return _("checkout.already_paid").format(order=result.order.id)
    return _("checkout.paid").format(
        order=result.order.id,
        total=money(result.order.total),
        count=tickets_n(len(result.tickets)),
        balance=money(result.balance) if result.balance else "—",
    )


def tickets_will_follow(result: PurchaseResult) -> str:
    return _("checkout.tickets_will_follow").format(order=result.order.id)


def not_enough_money(total: Money, balance: Money, missing: Money, telegram_id: int) -> str:
    return _("checkout.not_enough").format(
        total=money(total), balance=money(balance), missing=money(missing), id=telegram_id
    )
