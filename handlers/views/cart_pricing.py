"""The cart's numbers with their reasons: each line's discounts, the codes typed and the promotions that
apply or could apply, the saving. Every number comes from domain.pricing through the CartView."""

from __future__ import annotations

from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.pricing import AppliedRule, NotApplied, Reason, Source
from domain.views import CartLine, CartView
from handlers.callbacks import CartCb, CodeCb
from handlers.views.base import _, btn, clip, escape, money, tickets_n

NAME = 40  # characters of a rule's name in the cart: ten lines with their discounts stay under 4,096


def line_discounts(line: CartLine) -> str | None:
    """'−200 ₽ Autumn 10 %, −50 ₽ Gala → 1 750 ₽' under a line that has any."""
    if not line.discounts:
        return None
    parts = ", ".join(f"−{money(d.amount)} {escape(clip(d.name, NAME))}" for d in line.discounts)
    return _("cart.line_discounts").format(discounts=parts, total=money(line.paid))


def summary(view: CartView, lines: list[str], kb: InlineKeyboardBuilder) -> None:
    """The codes in the order typed, then the automatic discounts, then the total with the saving."""
    pricing = view.pricing
    applied = {(rule.source, rule.ref): rule for rule in pricing.applied} if pricing else {}
    refused = {(entry.source, entry.ref): entry for entry in pricing.not_applied} if pricing else {}
    if view.codes:
        lines.append("\n" + _("cart.codes_header"))
        for code in view.codes:
            lines.append(_code_line(code, view, applied.get((Source.CODE, code)), refused.get((Source.CODE, code))))
        kb.row(*[btn(f"✖ {code}", CodeCb(code=code, version=view.version)) for code in view.codes[:3]])
        if len(view.codes) > 3:
            kb.row(*[btn(f"✖ {code}", CodeCb(code=code, version=view.version)) for code in view.codes[3:]])
    automatic = [rule for rule in pricing.applied if rule.source is not Source.CODE] if pricing else []
    hints = [entry for entry in pricing.not_applied if entry.source is not Source.CODE] if pricing else []
    if automatic or hints:
        lines.append("\n" + _("cart.promotions_header"))
        for rule in automatic:
            lines.append(_("cart.rule_applied").format(name=escape(clip(rule.name, NAME)), amount=money(rule.amount)))
        for entry in hints:
            lines.append(_("cart.rule_hint").format(name=escape(clip(entry.name, NAME)), reason=reason(entry)))
    if view.ready:
        kb.row(btn(_("button.promo_code"), CartCb(op="code", version=view.version)))


def _code_line(code: str, view: CartView, rule: AppliedRule | None, entry: NotApplied | None) -> str:
    if rule is not None:
        return _("cart.code_applied").format(code=code, name=escape(clip(rule.name, NAME)), amount=money(rule.amount))
    if code in view.withdrawn:
        return _("cart.code_not_applied").format(code=code, reason=_("reason.promo.withdrawn"))
    if entry is not None:
        return _("cart.code_not_applied").format(code=code, reason=reason(entry))
    return _("cart.code_not_applied").format(code=code, reason=_("reason.promo.nothing_ready"))


def reason(entry: NotApplied) -> str:
    """Why a rule gives this cart nothing, in words, with what is missing where pricing says."""
    if entry.reason is Reason.MINIMUM_NOT_MET and entry.missing is not None:
        return _("reason.promo.minimum_not_met").format(missing=money(entry.missing))
    if entry.reason is Reason.TOO_FEW_TICKETS and entry.missing_tickets:
        return _("reason.promo.too_few_tickets").format(tickets=tickets_n(entry.missing_tickets))
    if entry.reason is Reason.DOES_NOT_COMBINE:
        names = ", ".join(escape(clip(name, NAME)) for name in entry.conflicts_with)
        return _("reason.promo.does_not_combine").format(names=names)
    return _("reason.promo." + entry.reason.value)


def total(view: CartView) -> list[str]:
    """The total for the tickets, and under it the list price and the saving when something was taken off."""
    found = [_("cart.total").format(total=money(view.total), count=tickets_n(view.ticket_count))]
    if view.pricing is not None and view.pricing.discount.is_positive:
        found.append(
            _("cart.saving").format(undiscounted=money(view.pricing.undiscounted), saving=money(view.pricing.discount))
        )
    return found


def code_outcome(view: CartView, code: str) -> str:
    """The answer to a typed code: what it took off, or why it does not apply yet (it stays in the cart)."""
    pricing = view.pricing
    for rule in pricing.applied if pricing else ():
        if rule.source is Source.CODE and rule.ref == code:
            return _("promo.applied").format(code=code, amount=money(rule.amount))
    for entry in pricing.not_applied if pricing else ():
        if entry.source is Source.CODE and entry.ref == code:
            return _("promo.kept").format(code=code, reason=reason(entry))
    return _("promo.kept").format(code=code, reason=_("reason.promo.nothing_ready"))
