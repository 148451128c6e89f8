"""What every view shares: translation, escaping, clipping, money and dates per locale, plurals, errors."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.errors import DomainError
from domain.money import Money
from handlers import formatting as fmt

__all__ = ["_", "escape", "fmt"]


def clip(text: str, limit: int) -> str:
    """Free text from organisers is unbounded; a Telegram message is not (4096 characters)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def lang() -> str:
    return I18n.get_current().current_locale


def money(amount: Money) -> str:
    return fmt.money(amount, lang())


def when(moment: datetime | None, tz: ZoneInfo) -> str:
    """A draft may have no date yet."""
    return fmt.when(moment, lang(), tz) if moment is not None else _("editor.no_date")


def tickets_n(n: int) -> str:
    return ngettext("plural.tickets", "plural.tickets.many", n).format(n=n)


def events_n(n: int) -> str:
    return ngettext("plural.events", "plural.events.many", n).format(n=n)


def chars_n(n: int) -> str:
    return ngettext("plural.characters", "plural.characters.many", n).format(n=n)


def options_n(n: int) -> str:
    return ngettext("plural.options", "plural.options.many", n).format(n=n)


def minutes_n(n: int) -> str:
    return ngettext("plural.minutes", "plural.minutes.many", n).format(n=n)


def days_n(n: int) -> str:
    return ngettext("plural.days", "plural.days.many", n).format(n=n)


def seconds_n(n: int) -> str:
    return ngettext("plural.seconds", "plural.seconds.many", n).format(n=n)


def render_error(error: DomainError, html: bool = True) -> str:
    """html=False for callback alerts, which Telegram shows as plain text."""
    params = dict(error.params)
    for key, value in params.items():
        if isinstance(value, Money):
            params[key] = money(value)
        elif key.endswith("_tickets") and isinstance(value, int):
            params[key] = tickets_n(value)
        elif key == "minutes" and isinstance(value, int):
            params[key] = minutes_n(value)
        elif key in ("max_label", "max_option", "length") and isinstance(value, int):
            params[key] = chars_n(value)
        elif key in ("min_options", "max_options") and isinstance(value, int):
            params[key] = options_n(value)
        elif isinstance(value, str) and html:
            params[key] = escape(value)
    if error.code == "error.sold_out" and params.get("available"):
        return _("error.sold_out.only_left").format(left=tickets_n(params["available"]), **params)
    if error.code == "error.too_many_attempts" and "seconds" in params:
        return _(error.code).format(wait=seconds_n(params["seconds"]))
    try:
        return _(error.code).format(**params)
    except (KeyError, IndexError):
        return _(error.code)


def pager(kb: InlineKeyboardBuilder, page: int, pages: int, callback) -> None:
    """◀️ / ▶️ under a list: only the directions that lead somewhere."""
    nav = []
    if page > 0:
        nav.append(btn(_("button.prev"), callback(page - 1)))
    if page + 1 < pages:
        nav.append(btn(_("button.next"), callback(page + 1)))
    if nav:
        kb.row(*nav)


def btn(text: str, cb) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=cb.pack())
