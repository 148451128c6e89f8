"""The wallet: balance and history."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from domain.models import EntryKind
from domain.views import WalletView
from handlers.views.base import _, fmt, lang, money


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
