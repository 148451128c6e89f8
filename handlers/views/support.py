"""Support cards: a person (/user) and an order (/order)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from domain.codes import short_code
from domain.views import OrderCard, UserCard
from handlers.views.attendees import shown
from handlers.views.base import _, escape, money, tickets_n, when
from handlers.views.organizer import person


def user_card(card: UserCard, tz: ZoneInfo, admin: bool) -> str:
    u = card.user
    roles = [r for r, on in ((_("support.role.organizer"), card.organizer), (_("support.role.admin"), admin)) if on]
    if card.staff_events:
        roles.append(_("support.role.staff").format(n=card.staff_events))
    lines = [
        _("support.user.title").format(person=person(u)),
        _("support.user.since").format(when=when(u.created_at, tz), lang=u.language.value),
        _("support.user.roles").format(roles=", ".join(roles) or _("support.role.customer")),
        _("support.user.balance").format(balance=money(card.balance)),
        _("support.user.tickets").format(tickets=tickets_n(card.tickets_total)),
        _("support.user.orders").format(shown=len(card.orders), total=card.orders_total),
    ]
    for order in card.orders:
        lines.append(
            _("support.order_line").format(
                id=order.id,
                total=money(order.total),
                status=_("order.status." + order.status.value),
                when=when(order.created_at, tz),
            )
        )
    return "\n".join(lines)


def order_card(card: OrderCard, tz: ZoneInfo) -> str:
    o = card.order
    lines = [
        _("support.order.title").format(id=o.id, status=_("order.status." + o.status.value)),
        _("support.order.buyer").format(person=person(card.buyer)),
        _("support.order.when").format(created=when(o.created_at, tz), paid=when(o.paid_at, tz) if o.paid_at else "—"),
        _("support.order.total").format(total=money(o.total)),
    ]
    for question in card.buyer_questions:  # asked once of the buyer, for the whole order
        answer = shown(o.buyer_answers.get(question.id))
        lines.append(_("support.order.buyer_answer").format(label=escape(question.label), answer=escape(answer)))
    for line in o.lines:
        lines.append(
            _("support.order.item").format(
                title=escape(line.title), tariff=escape(line.tariff), qty=line.qty, price=money(line.unit_price)
            )
        )
    for ticket in card.tickets:
        lines.append(
            _("support.order.ticket").format(
                code=short_code(ticket.secret),
                holder=escape(ticket.holder_name),
                status=_("ticket.status." + ticket.status.value),
            )
        )
    return "\n".join(lines)
