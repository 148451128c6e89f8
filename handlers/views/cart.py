"""The cart and the outcome of paying for it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.money import Money
from domain.terms import Conditions, EventConditions
from domain.views import CartView, PurchaseResult
from handlers.callbacks import CartCb, EventCb, PayCb, TopUpCb
from handlers.views import attendees as attendees_view
from handlers.views import cart_pricing
from handlers.views.base import _, btn, clip, escape, fmt, lang, money, tickets_n

CONDITIONS_IN_CART = 300  # characters of each event's own conditions shown in the cart, up to three events


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
        if discounts := cart_pricing.line_discounts(line):
            lines.append(discounts)
        names = [escape(clip(a.name, 40)) if a.name else "—" for a in line.attendees]
        lines.append("    👤 " + ", ".join(names))
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
    cart_pricing.summary(view, lines, kb)
    if view.ready:
        lines.append("")
        lines.extend(cart_pricing.total(view))
        if view.held_until:
            lines.append(_("cart.held_until").format(until=fmt.clock_time(view.held_until, lang(), tz)))
        if missing := attendees_view.missing_line(view):
            lines.append(missing)
        clipped = _conditions(view.conditions, lines)
        kb.row(attendees_view.cart_button(view))
        if clipped:
            kb.row(btn(_("button.conditions_full"), CartCb(op="terms", version=view.version)))
        kb.row(
            btn(
                _("button.pay_wallet").format(total=money(view.total)),
                PayCb(version=view.version, terms=view.terms, total=view.total.minor),
            )
        )
    if back_to_event is not None:
        kb.row(btn(_("button.back_to_event"), EventCb(event_id=back_to_event, back=1)))
    return "\n".join(lines), kb.as_markup()


def _conditions(conditions: Conditions, lines: list[str]) -> bool:
    """What Pay accepts, above the button. Ten events' conditions in full would not fit one message: each is
    cut to what fits, and a button shows them whole (True when something was cut)."""
    stated = conditions.stated
    room = CONDITIONS_IN_CART if len(stated) <= 3 else CONDITIONS_IN_CART // 3
    lines.append("\n" + _("cart.conditions_header"))
    for event in stated:
        lines.append(
            _("cart.conditions_line").format(title=escape(clip(event.title, 60)), conditions=_stated(event, room))
        )
    lines.append(_("cart.sale_terms"))
    lines.append(_("cart.accept_hint"))
    return any(len(event.text) > room for event in stated)


def _stated(event: EventConditions, room: int | None) -> str:
    parts = [_("cart.age").format(age=event.age_limit)] if event.age_limit else []
    if event.text:
        parts.append(escape(event.text if room is None else clip(event.text, room)))
    return " · ".join(parts)


def conditions_in_full(conditions: Conditions) -> list[str]:
    """Every event's conditions uncut, as few messages as Telegram's 4,096 characters allow."""
    messages, current = [], _("cart.conditions_full_header")
    for event in conditions.stated:
        part = _("cart.conditions_line").format(title=escape(clip(event.title, 200)), conditions=_stated(event, None))
        if len(current) + len(part) + 2 > 4000:
            messages.append(current)
            current = part
        else:
            current += "\n\n" + part
    messages.append(current + "\n\n" + _("cart.sale_terms"))
    return messages


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


def top_up_offer(missing: Money, least: Money) -> InlineKeyboardMarkup:
    """The missing amount as a top-up, pre-filled (at least the smallest top-up there is)."""
    amount = missing if missing.minor >= least.minor else least
    kb = InlineKeyboardBuilder()
    kb.row(btn(_("button.topup_missing").format(amount=money(amount)), TopUpCb(op="pay", amount=amount.minor)))
    return kb.as_markup()
