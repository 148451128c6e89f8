"""The promo codes and automatic promotions of an event (or the shop's codes) as their organizer or an
admin sees them: the lists, one code's or promotion's card with a button per option, the steps of the
dialogs that make them, and the prompt for one option."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.models import TicketType
from domain.pricing import ScopeKind
from domain.promo_fields import MAX_DAYS_BEFORE, MAX_TICKETS, MAX_USES, MIN_TICKETS, CodeOption, Flag, PromotionOption
from domain.promotions import MAX_NAME, CodeRule, PromotionKind, PromotionRule
from domain.services.promo_editor import CodeCard, CodeList, PromotionCard, PromotionList
from handlers.callbacks import (
    EventMenuCb,
    NewPromoCodeCb,
    NewPromotionCb,
    PromoCodeCb,
    PromoCodesCb,
    PromoCodeSetCb,
    PromoFormCb,
    PromotionCb,
    PromotionsCb,
    PromotionSetCb,
)
from handlers.views.base import _, btn, chars_n, clip, escape, lang, money, tickets_n, when

# What a dialog is about (kept in its state)
NEW_CODE, NEW_PROMOTION, CODE, PROMOTION = "newcode", "newpromo", "code", "promo"
# The steps of the code dialog; SCOPE is an event's only (the shop's codes apply to the whole cart)
CODE_TEXT, DISCOUNT, SCOPE = "code", "discount", "scope"
# The steps of the promotion dialog, by kind
KIND, NAME, COUNT, PERCENT, TARIFF_A, TARIFF_B, AMOUNT, WEEKDAYS, DAYS, TARIFF = (
    "kind",
    "name",
    "count",
    "percent",
    "a",
    "b",
    "amount",
    "weekdays",
    "days",
    "tariff",
)
KINDS = (PromotionKind.QUANTITY, PromotionKind.BUNDLE, PromotionKind.EARLY)
PROMOTION_STEPS = {
    PromotionKind.QUANTITY: (KIND, NAME, COUNT, PERCENT),
    PromotionKind.BUNDLE: (KIND, NAME, TARIFF_A, TARIFF_B, AMOUNT),
    PromotionKind.EARLY: (KIND, NAME, PERCENT, WEEKDAYS, DAYS, TARIFF),
}
TYPED = frozenset({CODE_TEXT, DISCOUNT, NAME, COUNT, PERCENT, AMOUNT, DAYS})
SHOWN = 25  # codes listed in one message (the newest), each line at most ~140 characters
PROMOTIONS_SHOWN = 15  # promotions listed in one message (the oldest), each line at most ~200 characters
CODE_OPTIONS = tuple(CodeOption)
NAME_CLIP, TARIFF_CLIP = 40, 30


def uses_n(n: int) -> str:
    return ngettext("plural.uses", "plural.uses.many", n).format(n=n)


def days_n(n: int) -> str:
    return ngettext("plural.days", "plural.days.many", n).format(n=n)


def percent(basis_points: int) -> str:
    """10 % or 12.5 % (12,5 % in Russian): basis points without a float."""
    whole, fraction = divmod(basis_points, 100)
    number = str(whole) if not fraction else f"{whole}.{fraction:02d}".rstrip("0")
    return (number.replace(".", ",") if lang() == "ru" else number) + " %"


def code_steps(shop: bool) -> tuple[str, ...]:
    return (CODE_TEXT, DISCOUNT) if shop else (CODE_TEXT, DISCOUNT, SCOPE)


def promotion_steps(kind: str | None) -> tuple[str, ...]:
    try:
        return PROMOTION_STEPS[PromotionKind(kind)]
    except ValueError:
        return (KIND, NAME)


def _tariff(tariff_id: int | None, tariffs: list[TicketType]) -> str:
    name = next((t.name for t in tariffs if t.id == tariff_id), "—")
    return escape(clip(name, TARIFF_CLIP))


def discount_of(rule: CodeRule) -> str:
    return percent(rule.basis_points) if rule.basis_points is not None else money(rule.amount)


def scope_of(rule: CodeRule, tariffs: list[TicketType]) -> str:
    if rule.scope.kind is ScopeKind.CART:
        return _("promo.scope.cart")
    if rule.scope.kind is ScopeKind.EVENT:
        return _("promo.scope.event")
    return _("promo.scope.tariff").format(name=_tariff(rule.scope.target, tariffs))


def uses_of(rule: CodeRule) -> str:
    if rule.max_uses is None:
        return _("promo.uses.unlimited").format(uses=rule.uses)
    return _("promo.uses.limited").format(uses=rule.uses, max=rule.max_uses)


def status_of(active: bool) -> str:
    return _("promo.status.active") if active else _("promo.status.withdrawn")


def weekdays_of(days) -> str:
    return ", ".join(_("promo.weekday." + str(d)) for d in sorted(days))


def rule_of(rule: PromotionRule, tariffs: list[TicketType]) -> str:
    """What a promotion gives, in one line."""
    if rule.kind is PromotionKind.QUANTITY:
        return _("promotion.rule.quantity").format(
            tickets=tickets_n(rule.min_tickets or 0), percent=percent(rule.basis_points or 0)
        )
    if rule.kind is PromotionKind.BUNDLE:
        return _("promotion.rule.bundle").format(
            a=_tariff(rule.tariff_a, tariffs), b=_tariff(rule.tariff_b, tariffs), amount=money(rule.amount)
        )
    scope = (
        _("promo.scope.event")
        if rule.tariff_id is None
        else _("promo.scope.tariff").format(name=_tariff(rule.tariff_id, tariffs))
    )
    return _("promotion.rule.early").format(
        days=weekdays_of(rule.weekdays),
        before=days_n(rule.days_before or 0),
        percent=percent(rule.basis_points or 0),
        scope=scope,
    )


def _window(valid_from: datetime | None, valid_until: datetime | None, tz: ZoneInfo) -> str:
    if valid_from is None and valid_until is None:
        return _("promo.window.always")
    parts = []
    if valid_from is not None:
        parts.append(_("promo.window.from").format(when=when(valid_from, tz)))
    if valid_until is not None:
        parts.append(_("promo.window.until").format(when=when(valid_until, tz)))
    return " ".join(parts)


def _yes_no(value: bool) -> str:
    return _("promo.yes") if value else _("promo.no")


def _back_to_event(kb: InlineKeyboardBuilder, event_id: int | None) -> None:
    if event_id is not None:
        kb.row(btn(_("button.back_to_event_menu"), EventMenuCb(event_id=event_id)))


# ------------------------------------------------------------------------------------------------ codes


def code_list(found: CodeList) -> tuple[str, InlineKeyboardMarkup]:
    event = found.event
    if event is None:
        lines = [_("promo.list.title_shop"), _("promo.list.intro_shop")]
    else:
        lines = [_("promo.list.title").format(title=escape(clip(event.title, 100))), _("promo.list.intro")]
    if not found.codes:
        lines.append(_("promo.list.empty"))
    shown = found.codes[:SHOWN]
    for n, rule in enumerate(shown, start=1):
        lines.append(
            _("promo.list.line").format(
                n=n,
                code=rule.code,
                discount=discount_of(rule),
                scope=scope_of(rule, found.tariffs),
                uses=uses_of(rule),
                status=status_of(rule.active),
            )
        )
    if len(found.codes) > SHOWN:
        lines.append(_("promo.list.more").format(shown=SHOWN, total=len(found.codes)))
    if not found.editable:
        lines.append(_("promo.read_only"))
    kb = InlineKeyboardBuilder()
    for n, rule in enumerate(shown, start=1):
        kb.button(text=f"{n}. {rule.code}", callback_data=PromoCodeCb(code_id=rule.id))
    kb.adjust(2)
    if found.editable:
        kb.row(btn(_("button.new_promo_code"), NewPromoCodeCb(event_id=event.id if event else 0)))
    _back_to_event(kb, event.id if event else None)
    return "\n".join(lines), kb.as_markup()


def code_card(card: CodeCard, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    rule = card.rule
    where = (
        _("promo.card.shop")
        if card.event is None
        else _("promo.card.event").format(title=escape(clip(card.event.title, 100)))
    )
    per_person = (
        _("promo.card.per_person").format(uses=uses_n(rule.max_uses_per_person))
        if rule.max_uses_per_person is not None
        else _("promo.no_limit")
    )
    minimum = money(rule.min_cart) if rule.min_cart is not None else _("promo.no_minimum")
    lines = [
        _("promo.card.title").format(code=rule.code),
        where,
        "",
        _("promo.card.name").format(name=escape(rule.name)),
        _("promo.card.discount").format(discount=discount_of(rule)),
        _("promo.card.scope").format(scope=scope_of(rule, card.tariffs)),
        _("promo.card.window").format(window=_window(rule.valid_from, rule.valid_until, tz)),
        _("promo.card.uses").format(uses=uses_of(rule)),
        _("promo.card.per_person_line").format(value=per_person),
        _("promo.card.minimum").format(value=minimum),
        _("promo.card.combinable").format(value=_yes_no(rule.combinable)),
        _("promo.card.status").format(status=status_of(rule.active)),
    ]
    if not rule.active:
        lines.append(_("promo.card.withdrawn_note"))
    if not card.editable:
        lines.append(_("promo.read_only"))
    kb = InlineKeyboardBuilder()
    if card.editable:
        for option in CODE_OPTIONS:
            kb.button(
                text=_("button.promo_option." + option.value),
                callback_data=PromoCodeSetCb(code_id=rule.id, option=option.value),
            )
        kb.adjust(2)
        kb.row(
            btn(
                _("button.promo_combinable.yes" if rule.combinable else "button.promo_combinable.no"),
                PromoCodeSetCb(code_id=rule.id, option=Flag.COMBINABLE.value, value=int(not rule.combinable)),
            )
        )
        kb.row(
            btn(
                _("button.promo_withdraw" if rule.active else "button.promo_restore"),
                PromoCodeSetCb(code_id=rule.id, option=Flag.ACTIVE.value, value=int(not rule.active)),
            )
        )
    kb.row(btn(_("button.promo_codes_back"), PromoCodesCb(event_id=rule.event_id or 0)))
    return "\n".join(lines), kb.as_markup()


# ------------------------------------------------------------------------------------------- promotions


def promotion_list(found: PromotionList) -> tuple[str, InlineKeyboardMarkup]:
    event = found.event
    lines = [_("promotion.list.title").format(title=escape(clip(event.title, 100))), _("promotion.list.intro")]
    if not found.promotions:
        lines.append(_("promotion.list.empty"))
    shown = found.promotions[:PROMOTIONS_SHOWN]
    for n, rule in enumerate(shown, start=1):
        lines.append(
            _("promotion.list.line").format(
                n=n,
                name=escape(clip(rule.name, NAME_CLIP)),
                rule=rule_of(rule, found.tariffs),
                status=status_of(rule.active),
            )
        )
    if len(found.promotions) > PROMOTIONS_SHOWN:
        lines.append(_("promo.list.more").format(shown=PROMOTIONS_SHOWN, total=len(found.promotions)))
    if not found.editable:
        lines.append(_("promo.read_only"))
    kb = InlineKeyboardBuilder()
    for n, rule in enumerate(shown, start=1):
        kb.button(text=f"{n}. {clip(rule.name, 20)}", callback_data=PromotionCb(promotion_id=rule.id))
    kb.adjust(2)
    if found.editable:
        kb.row(btn(_("button.new_promotion"), NewPromotionCb(event_id=event.id)))
    _back_to_event(kb, event.id)
    return "\n".join(lines), kb.as_markup()


def promotion_card(card: PromotionCard, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    rule = card.rule
    lines = [
        _("promotion.card.title").format(name=escape(rule.name)),
        _("promo.card.event").format(title=escape(clip(card.event.title, 100))),
        "",
        _("promotion.card.kind").format(kind=_("promotion.kind." + rule.kind.value)),
        _("promotion.card.rule").format(rule=rule_of(rule, card.tariffs)),
        _("promo.card.window").format(window=_window(rule.valid_from, rule.valid_until, tz)),
        _("promo.card.combinable").format(value=_yes_no(rule.combinable)),
        _("promo.card.status").format(status=status_of(rule.active)),
    ]
    if not card.editable:
        lines.append(_("promo.read_only"))
    kb = InlineKeyboardBuilder()
    if card.editable:
        for option in PromotionOption:
            kb.button(
                text=_("button.promo_option." + option.value),
                callback_data=PromotionSetCb(promotion_id=rule.id, option=option.value),
            )
        kb.adjust(3)
        kb.row(
            btn(
                _("button.promo_combinable.yes" if rule.combinable else "button.promo_combinable.no"),
                PromotionSetCb(promotion_id=rule.id, option=Flag.COMBINABLE.value, value=int(not rule.combinable)),
            )
        )
        kb.row(
            btn(
                _("button.promo_withdraw" if rule.active else "button.promo_restore"),
                PromotionSetCb(promotion_id=rule.id, option=Flag.ACTIVE.value, value=int(not rule.active)),
            )
        )
    kb.row(btn(_("button.promotions_back"), PromotionsCb(event_id=rule.event_id)))
    return "\n".join(lines), kb.as_markup()


def switched(flag: Flag, value: bool, changed: bool) -> str:
    """The alert after a switch: what it is now, or that it was so already (a second press)."""
    key = {
        (Flag.ACTIVE, True): "promo.switched.restored",
        (Flag.ACTIVE, False): "promo.switched.withdrawn",
        (Flag.COMBINABLE, True): "promo.switched.combines",
        (Flag.COMBINABLE, False): "promo.switched.alone",
    }[(flag, bool(value))]
    return _(key) if changed else _("promo.switched.already").format(now=_(key))


# ---------------------------------------------------------------------------------------------- dialogs


def _limits() -> dict[str, str]:
    return {
        "max_name": chars_n(MAX_NAME),
        "min_tickets": str(MIN_TICKETS),
        "max_tickets": str(MAX_TICKETS),
        "max_days": str(MAX_DAYS_BEFORE),
        "max_uses": str(MAX_USES),
    }


def _ticked(text: str, chosen: bool) -> str:
    return "✓ " + text if chosen else text


def _summary(values: dict, step: str, tariffs: list[TicketType]) -> list[str]:
    lines = []
    if step != CODE_TEXT and values.get(CODE_TEXT):
        lines.append(_("promo.summary.code").format(code=escape(values[CODE_TEXT])))
    if step != DISCOUNT and values.get(DISCOUNT):
        lines.append(_("promo.summary.discount").format(discount=escape(values[DISCOUNT])))
    if step != KIND and values.get(KIND) in {k.value for k in KINDS}:
        lines.append(_("promotion.summary.kind").format(kind=_("promotion.kind." + values[KIND])))
    if step != NAME and values.get(NAME):
        lines.append(_("promotion.summary.name").format(name=escape(values[NAME])))
    return lines


def prompt(
    what: str, step: str, event_id: int, title: str | None, values: dict, tariffs: list[TicketType]
) -> tuple[str, InlineKeyboardMarkup]:
    """One step of the code dialog (what NEW_CODE; title None: the shop's) or the promotion dialog."""
    if what == NEW_CODE:
        steps = code_steps(shop=title is None)
        key = "promo.new_shop" if title is None else "promo.new"
        prefix = "promo.prompt."
    else:
        steps = promotion_steps(values.get(KIND))
        key, prefix = "promotion.new", "promotion.prompt."
    position = steps.index(step) + 1 if step in steps else 1
    total = len(steps) if what == NEW_CODE or values.get(KIND) else 0
    header = _(key).format(title=escape(clip(title or "", 100)), n=position, total=total or "…")
    text = _(prefix + step).format(**_limits())
    if step in TYPED and values.get(step):
        text += "\n" + _("editor.current").format(value=escape(str(values[step])))
    kb = InlineKeyboardBuilder()

    def form(action: str, number: int = 0) -> PromoFormCb:
        return PromoFormCb(action=action, event_id=event_id, step=step, number=number)

    if step == SCOPE:
        kb.row(btn(_("button.promo_whole_event"), form("tariff", 0)))
        for t in tariffs:
            kb.row(btn(_("button.promo_tariff").format(name=clip(t.name, 40)), form("tariff", t.id)))
    elif step == KIND:
        for n, kind in enumerate(KINDS):
            kb.row(btn(_ticked(_("promotion.kind." + kind.value), values.get(KIND) == kind.value), form("kind", n)))
    elif step in (TARIFF_A, TARIFF_B):
        choices = [t for t in tariffs if step == TARIFF_A or t.id != values.get(TARIFF_A)]
        if len(tariffs) < 2:
            text += "\n\n" + _("promotion.bundle.two_tariffs")
        else:
            for t in choices:
                chosen = values.get(step) == t.id
                kb.row(
                    btn(_ticked(_("button.promo_tariff").format(name=clip(t.name, 40)), chosen), form("tariff", t.id))
                )
    elif step == WEEKDAYS:
        chosen = set(values.get(WEEKDAYS) or [])
        for day in range(7):
            kb.button(text=_ticked(_("promo.weekday." + str(day)), day in chosen), callback_data=form("day", day))
        kb.adjust(4, 3)
        kb.row(btn(_("button.promo_weekdays_done"), form("done")))
    elif step == TARIFF:
        kb.row(btn(_("button.promo_whole_event"), form("tariff", 0)))
        for t in tariffs:
            kb.row(btn(_("button.promo_tariff").format(name=clip(t.name, 40)), form("tariff", t.id)))
    kb.row(btn(_("button.step_back"), form("back")), btn(_("button.cancel"), form("cancel")))
    summary = _summary(values, step, tariffs)
    parts = [header] + (["\n".join(summary)] if summary else []) + [text]
    return "\n\n".join(parts), kb.as_markup()


def option_prompt(
    what: str, option: str, event_id: int, target: int, current: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The prompt for one option of a code (what CODE) or a promotion (PROMOTION): what to type, the value it
    has now, Remove where the option may be empty, and Cancel."""
    text = _("promo.option." + option).format(**_limits())
    if current is not None:
        text += "\n\n" + _("editor.current").format(value=current)
    kb = InlineKeyboardBuilder()

    def form(action: str) -> PromoFormCb:
        return PromoFormCb(action=action, event_id=event_id, target=target, step=option)

    nav = []
    if what == CODE or option != PromotionOption.NAME.value:  # a code's name goes back to the code
        nav.append(btn(_("button.remove"), form("clear")))
    nav.append(btn(_("button.cancel"), form("cancel")))
    kb.row(*nav)
    return text, kb.as_markup()


def code_option_value(card: CodeCard, option: CodeOption, tz: ZoneInfo) -> str | None:
    rule = card.rule
    if option is CodeOption.NAME:
        return escape(rule.name)
    if option is CodeOption.VALID_FROM:
        return when(rule.valid_from, tz) if rule.valid_from else None
    if option is CodeOption.VALID_UNTIL:
        return when(rule.valid_until, tz) if rule.valid_until else None
    if option is CodeOption.MAX_USES:
        return str(rule.max_uses) if rule.max_uses is not None else None
    if option is CodeOption.PER_PERSON:
        return str(rule.max_uses_per_person) if rule.max_uses_per_person is not None else None
    return money(rule.min_cart) if rule.min_cart is not None else None


def promotion_option_value(card: PromotionCard, option: PromotionOption, tz: ZoneInfo) -> str | None:
    rule = card.rule
    if option is PromotionOption.NAME:
        return escape(rule.name)
    moment = rule.valid_from if option is PromotionOption.VALID_FROM else rule.valid_until
    return when(moment, tz) if moment else None


def code_added(rule: CodeRule) -> str:
    return _("promo.added").format(code=rule.code)


def promotion_added(rule: PromotionRule) -> str:
    return _("promotion.added").format(name=escape(clip(rule.name, 100)))
