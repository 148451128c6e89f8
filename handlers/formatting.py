"""Money, dates and numbers per locale (Babel).

Babel parses its patterns and looks up locale data on every call: a twentieth of the event loop in a
rush went to formatting the same few prices and event dates again. The results are pure functions of
their arguments, so they are kept (bounded)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal, get_currency_symbol

from domain.money import Money, exponent

_LOCALES = {"ru": "ru_RU", "en": "en_GB"}


def babel_locale(lang: str) -> str:
    return _LOCALES.get(lang, "en_GB")


CACHED = 4096


def money(amount: Money, lang: str) -> str:
    """Whole amounts without kopeks ("1 500 ₽" / "1,500 ₽"), otherwise exact ("1 500,50 ₽")."""
    return _money(amount.minor, amount.currency, lang)


@lru_cache(maxsize=CACHED)
def _money(minor: int, currency: str, lang: str) -> str:
    amount = Money(minor, currency)
    digits = exponent(currency)
    whole = minor % (10**digits) == 0
    pattern = "#,##0" if whole or not digits else "#,##0." + "0" * digits
    number = format_decimal(amount.as_decimal(), format=pattern, locale=babel_locale(lang))
    # Babel's English locales spell the rouble "RUB"; people everywhere read "₽".
    symbol = get_currency_symbol(currency, locale="ru_RU" if currency == "RUB" else babel_locale(lang))
    return f"{number}\u00a0{symbol}"


def signed_money(amount: Money, lang: str) -> str:
    sign = "+" if amount.minor > 0 else "−" if amount.minor < 0 else ""
    return sign + money(Money(abs(amount.minor), amount.currency), lang)


@lru_cache(maxsize=CACHED)
def when(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    """ "Sat, 12 December 2026, 19:00" / "сб, 12 декабря 2026, 19:00"."""
    return format_datetime(moment.astimezone(tz), "EEE, d MMMM y, HH:mm", tzinfo=tz, locale=babel_locale(lang))


@lru_cache(maxsize=CACHED)
def short_when(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    return format_datetime(moment.astimezone(tz), "d MMM, HH:mm", tzinfo=tz, locale=babel_locale(lang))


@lru_cache(maxsize=CACHED)
def clock_time(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    return format_time(moment.astimezone(tz), "HH:mm", tzinfo=tz, locale=babel_locale(lang))


@lru_cache(maxsize=CACHED)
def day(value: date, lang: str) -> str:
    """ "25 December" / "25 декабря"."""
    return format_date(value, "d MMMM", locale=babel_locale(lang))
