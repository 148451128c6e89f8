"""Memberships: the customer's screen (the running membership, or the plans with their Buy buttons and the
no-refund note), the cancel-renewal confirmation, the notices the sweep sends, and the admin's plans."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.event_fields import CATEGORIES
from domain.memberships import NAME_MAX, days_left, percent_text
from domain.models import Membership, MembershipNotice, MembershipPlan, NoticeKind
from domain.services.memberships import Held, MembershipOverview, Purchase
from domain.tariff_fields import max_price
from handlers.callbacks import (
    MembershipBuyCb,
    MembershipCancelCb,
    MembershipShowCb,
    NewPlanCb,
    PlanCategoriesCb,
    PlanEditCb,
    PlanFormCb,
    PlanListCb,
    PlanMenuCb,
    PlanRetireCb,
    PlanSetCb,
)
from handlers.views.base import _, btn, clip, days_n, escape, fmt, lang, money

NAME_CLIP = 40
# The new-plan dialog's steps: three typed, then buttons.
NAME, PRICE, DISCOUNT, CATEGORIES_STEP, COMBINABLE = "name", "price", "discount", "cats", "comb"
TYPED = (NAME, PRICE, DISCOUNT)


def _when(moment: datetime, tz: ZoneInfo) -> str:
    return fmt.when(moment, lang(), tz)


def categories_text(categories: Iterable[str]) -> str:
    chosen = [c for c in CATEGORIES if c in set(categories)]
    if not chosen:
        return _("membership.categories.all")
    return ", ".join(_("category." + c) for c in chosen)


def _terms(plan: MembershipPlan) -> list[str]:
    percent, categories = percent_text(plan.basis_points), categories_text(plan.categories)
    return [
        _("membership.discount").format(percent=percent, categories=categories),
        _("membership.combinable.yes") if plan.combinable else _("membership.combinable.no"),
    ]


# ------------------------------------------------------------------------------------------ customer


def overview(found: MembershipOverview, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup | None]:
    if found.membership is not None:
        return status(found.membership, found.plan, tz, found.now)
    return plans_for_sale(found, tz)


def status(
    membership: Membership, plan: MembershipPlan, tz: ZoneInfo, now: datetime
) -> tuple[str, InlineKeyboardMarkup | None]:
    until = _when(membership.paid_until, tz)
    lines = [_("membership.yours").format(plan=escape(plan.name)), *_terms(plan)]
    lines.append(_("membership.until").format(until=until, left=days_n(days_left(membership.paid_until, now))))
    kb = InlineKeyboardBuilder()
    if membership.renew:
        lines.append(_("membership.renewal.on").format(price=money(membership.price), when=until))
        kb.row(btn(_("button.membership_cancel_renewal"), MembershipCancelCb(membership_id=membership.id)))
    else:
        lines.append(_("membership.renewal.off").format(until=until))
    return "\n".join(lines), kb.as_markup() if membership.renew else None


def plans_for_sale(found: MembershipOverview, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup | None]:
    if not found.plans:
        return _("membership.none_on_sale"), None
    lines = [_("membership.plans.title"), ""]
    kb = InlineKeyboardBuilder()
    nonce = secrets.token_urlsafe(6)  # one per drawn keyboard: a double tap buys once
    for plan in found.plans:
        name = escape(clip(plan.name, NAME_CLIP))
        lines.append(_("membership.plans.line").format(plan=name, price=money(plan.price)))
        lines.extend("    " + line for line in _terms(plan))
        price = money(plan.price)
        kb.row(btn(_("button.membership_buy_once").format(plan=name, price=price), _buy(plan, 0, nonce)))
        kb.row(btn(_("button.membership_buy_renew").format(plan=name, price=price), _buy(plan, 1, nonce)))
    lines += ["", _("membership.no_refund"), _("membership.balance").format(balance=money(found.balance))]
    return "\n".join(lines), kb.as_markup()


def _buy(plan: MembershipPlan, renew: int, nonce: str) -> MembershipBuyCb:
    return MembershipBuyCb(plan_id=plan.id, renew=renew, nonce=nonce)


def bought(purchase: Purchase, tz: ZoneInfo) -> str:
    membership = purchase.membership
    key = "membership.bought.renew" if membership.renew else "membership.bought.once"
    return _(key).format(
        plan=escape(purchase.plan.name),
        price=money(membership.price),
        until=_when(membership.paid_until, tz),
        balance=money(purchase.balance),
    )


def already_bought() -> str:
    return _("membership.bought.already")


def held_status(held: Held, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup | None]:
    return status(held.membership, held.plan, tz, held.now)


def cancel_confirmation(held: Held, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    membership = held.membership
    text = _("membership.cancel.confirm").format(plan=escape(held.plan.name), until=_when(membership.paid_until, tz))
    kb = InlineKeyboardBuilder()
    kb.row(btn(_("button.membership_cancel_yes"), MembershipCancelCb(membership_id=membership.id, confirm=1)))
    kb.row(btn(_("button.membership_keep"), MembershipShowCb()))
    return text, kb.as_markup()


def cancelled(held: Held, tz: ZoneInfo) -> str:
    """A callback alert: plain text."""
    key = "membership.cancel.done" if held.changed else "membership.cancel.already"
    return _(key).format(plan=held.plan.name, until=_when(held.membership.paid_until, tz))


def notice(item: MembershipNotice, tz: ZoneInfo) -> str:
    plan = escape(item.plan)
    when = _when(item.paid_until, tz) if item.paid_until else ""
    if item.kind is NoticeKind.RENEWED:
        return _("membership.notice.renewed").format(plan=plan, amount=money(item.amount), until=when)
    if item.kind is NoticeKind.LAPSED:
        return _("membership.notice.lapsed").format(plan=plan, amount=money(item.amount), until=when)
    return _("membership.notice.ended").format(plan=plan, until=when)


# --------------------------------------------------------------------------------------------- admin


def plan_list(plans: list[MembershipPlan]) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("plans.title")]
    if not plans:
        lines.append(_("plans.empty"))
    kb = InlineKeyboardBuilder()
    for n, plan in enumerate(plans, start=1):
        lines.append(_plan_line(n, plan))
        kb.row(btn(f"✏️ {clip(plan.name, NAME_CLIP)}", PlanMenuCb(plan_id=plan.id)))
    kb.row(btn(_("button.new_plan"), NewPlanCb()))
    return "\n".join(lines), kb.as_markup()


def _plan_line(n: int, plan: MembershipPlan) -> str:
    line = _("plans.line").format(
        n=n,
        plan=escape(clip(plan.name, NAME_CLIP)),
        price=money(plan.price),
        percent=percent_text(plan.basis_points),
        categories=categories_text(plan.categories),
    )
    return line + (" · " + _("plans.retired") if plan.retired else "")


def plan_menu(plan: MembershipPlan) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        _("plans.card").format(plan=escape(plan.name), price=money(plan.price)),
        *_terms(plan),
    ]
    kb = InlineKeyboardBuilder()
    if plan.retired:
        lines.append(_("plans.card.retired"))
    else:
        kb.row(
            btn(_("button.plan_price"), PlanEditCb(plan_id=plan.id, field=PRICE)),
            btn(_("button.plan_discount"), PlanEditCb(plan_id=plan.id, field=DISCOUNT)),
        )
        kb.row(btn(_("button.plan_categories"), PlanCategoriesCb(plan_id=plan.id)))
        label = "button.plan_combinable.off" if plan.combinable else "button.plan_combinable.on"
        kb.row(btn(_(label), PlanSetCb(plan_id=plan.id, what="comb", on=0 if plan.combinable else 1)))
        kb.row(btn(_("button.plan_retire"), PlanRetireCb(plan_id=plan.id)))
    kb.row(btn(_("button.back_to_plans"), PlanListCb()))
    return "\n".join(lines), kb.as_markup()


def _category_buttons(kb: InlineKeyboardBuilder, chosen: frozenset[str], make) -> None:
    for code in CATEGORIES:
        covered = code in chosen
        label = ("☑️ " if covered else "⬜️ ") + _("category." + code)
        kb.button(text=label, callback_data=make(code, 0 if covered else 1))
    kb.adjust(2)


def plan_categories(plan: MembershipPlan) -> tuple[str, InlineKeyboardMarkup]:
    text = _("plans.categories").format(plan=escape(plan.name), categories=categories_text(plan.categories))
    kb = InlineKeyboardBuilder()
    _category_buttons(kb, plan.categories, lambda code, on: PlanSetCb(plan_id=plan.id, what="cat", value=code, on=on))
    kb.row(btn(_("button.done"), PlanMenuCb(plan_id=plan.id)))
    return text, kb.as_markup()


def retire_confirmation(plan: MembershipPlan) -> tuple[str, InlineKeyboardMarkup]:
    kb = InlineKeyboardBuilder()
    kb.row(btn(_("button.plan_retire_yes"), PlanRetireCb(plan_id=plan.id, confirm=1)))
    kb.row(btn(_("button.plan_back"), PlanMenuCb(plan_id=plan.id)))
    return _("plans.retire.confirm").format(plan=escape(plan.name)), kb.as_markup()


def retired(plan: MembershipPlan, now: bool) -> str:
    return _("plans.retire.done" if now else "plans.retire.already").format(plan=plan.name)


def edit_prompt(plan: MembershipPlan, field: str, currency: str) -> str:
    if field == PRICE:
        most = money(max_price(currency))
        return _("plans.edit.price").format(plan=escape(plan.name), price=money(plan.price), max=most)
    return _("plans.edit.discount").format(plan=escape(plan.name), percent=percent_text(plan.basis_points))


def form_prompt(step: str, values: dict, currency: str) -> tuple[str, InlineKeyboardMarkup]:
    """A step of the new-plan dialog: the typed ones with Cancel, the categories as set-buttons, then
    whether it combines as Yes / No."""
    kb = InlineKeyboardBuilder()
    if step == NAME:
        text = _("plans.form.name").format(max=NAME_MAX)
    elif step == PRICE:
        text = _("plans.form.price").format(max=money(max_price(currency)))
    elif step == DISCOUNT:
        text = _("plans.form.discount")
    elif step == CATEGORIES_STEP:
        chosen = frozenset(values.get("categories") or [])
        text = _("plans.form.categories").format(categories=categories_text(chosen))
        _category_buttons(kb, chosen, lambda code, on: PlanFormCb(action="cat", step=step, value=code, on=on))
        kb.row(btn(_("button.done"), PlanFormCb(action="done", step=step)))
    else:
        text = _("plans.form.combinable")
        kb.row(
            btn(_("button.plan_yes"), PlanFormCb(action="comb", step=step, on=1)),
            btn(_("button.plan_no"), PlanFormCb(action="comb", step=step, on=0)),
        )
    kb.row(btn(_("button.cancel"), PlanFormCb(action="cancel", step=step)))
    return text, kb.as_markup()


def created(plan: MembershipPlan) -> str:
    return _("plans.created").format(plan=escape(plan.name))
