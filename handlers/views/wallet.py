"""The wallet: balance and history."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.models import EntryKind
from domain.money import Money
from domain.views import WalletView
from handlers.callbacks import TopUpCb
from handlers.views.base import _, btn, fmt, lang, money


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


def wallet_keyboard() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.row(btn(_("button.topup"), TopUpCb(op="menu")))
    return kb.as_markup()


def topup_menu(amounts: list[Money], low: Money, high: Money) -> tuple[str, InlineKeyboardMarkup]:
    kb = InlineKeyboardBuilder()
    for amount in amounts:
        kb.button(text=money(amount), callback_data=TopUpCb(op="pay", amount=amount.minor))
    kb.adjust(2)
    kb.row(btn(_("button.topup_other"), TopUpCb(op="other")))
    return _("topup.menu").format(min=money(low), max=money(high)), kb.as_markup()


def topup_ask(low: Money, high: Money) -> str:
    return _("topup.ask").format(min=money(low), max=money(high))


def invoice_texts(amount: Money) -> tuple[str, str, str]:
    """Title (at most 32 characters), description and price label of a top-up invoice."""
    return (
        _("topup.invoice.title"),
        _("topup.invoice.description").format(amount=money(amount)),
        _("topup.invoice.label"),
    )


def topped_up(amount: Money, balance: Money) -> str:
    return _("topup.done").format(amount=money(amount), balance=money(balance))
