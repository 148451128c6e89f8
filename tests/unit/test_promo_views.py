"""What the organizer types into the promo console and reads back, without the database: each typed field
refuses garbage, 5,000 characters, NUL and emoji; percentages stay integers; a full list of the longest
codes or promotions stays one Telegram message in both languages with short callback data; every refusal
names its limits, with Russian plurals; and every text the console uses exists in both catalogues."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, build_i18n
from domain.errors import (
    DiscountInvalid,
    PercentInvalid,
    PromoAmountInvalid,
    PromoCodeInvalid,
    PromoLimitBelowUses,
    PromoNameInvalid,
    PromoNumberInvalid,
)
from domain.models import Event, EventStatus, TicketType
from domain.money import Money
from domain.pricing import Scope
from domain.promo_fields import (
    parse_amount,
    parse_code,
    parse_discount,
    parse_name,
    parse_percent_step,
    parse_weekdays,
    parse_whole,
)
from domain.promotions import MAX_NAME, CodeRule, PromotionKind, PromotionRule
from domain.services.promo_editor import CodeCard, CodeList, PromotionCard, PromotionList
from handlers.editing import visible_length
from handlers.views import promos as view
from handlers.views.base import render_error

I18N = build_i18n()
ZONE = __import__("zoneinfo").ZoneInfo("Europe/Moscow")
HOSTILE = ("", "   ", "😀", "\x00", "Ж" * 5000, "<b>x</b>", "DROP TABLE")


def _in(lang: str, render):
    with I18N.context(), I18N.use_locale(lang):
        return render()


@pytest.mark.parametrize(
    ("typed", "code"),
    [(" summer 26 ", "SUMMER26"), ("a-b_c", "A-B_C"), ("x" * 32, "X" * 32)],
)
def test_a_code_is_normalized(typed, code):
    assert parse_code(typed) == code


@pytest.mark.parametrize("typed", [*HOSTILE, "летний", "x" * 33, "a\x00b", "SALE!", "ß"])
def test_what_cannot_be_a_code_is_refused(typed):
    if typed in ("<b>x</b>", "DROP TABLE"):
        typed += "!"
    with pytest.raises(PromoCodeInvalid):
        parse_code(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("10 %", (1000, None)),
        ("12,5%", (1250, None)),
        ("33.33 %", (3333, None)),
        ("100 %", (10_000, None)),
        ("500", (None, Money(50_000, "RUB"))),
        ("1 500,50", (None, Money(150_050, "RUB"))),
    ],
)
def test_a_discount_is_a_percent_with_its_sign_or_else_an_amount(typed, expected):
    assert parse_discount(typed, "RUB") == expected


@pytest.mark.parametrize("typed", [*HOSTILE, "0 %", "101 %", "10.555 %", "-5", "0", "1e3", "2000000", "10 % 5"])
def test_a_bad_discount_is_refused(typed):
    with pytest.raises(DiscountInvalid):
        parse_discount(typed, "RUB")


def test_the_other_typed_fields():
    assert parse_percent_step("10") == parse_percent_step("10 %") == 1000
    assert parse_amount(" 2 000 ", "RUB") == Money(200_000, "RUB")
    assert parse_name("  Early   bird 🐦 ") == "Early bird 🐦"
    assert parse_whole("1 000", 1, 1000) == 1000
    assert parse_weekdays([0, 6, 7, -1, True, "1", 3]) == frozenset({0, 3, 6})
    assert parse_weekdays("0,1") == frozenset()
    for typed in HOSTILE:
        for parse, error in (
            (parse_percent_step, PercentInvalid),
            (lambda t: parse_amount(t, "RUB"), PromoAmountInvalid),
            (lambda t: parse_whole(t, 1, 100), PromoNumberInvalid),
        ):
            with pytest.raises(error):
                parse(typed)
    for typed in ("", " ", "😀🎉", "Ж" * (MAX_NAME + 1), "Ж" * 5000, "a\x00b"):
        with pytest.raises(PromoNameInvalid):
            parse_name(typed)
    for typed in ("0", "101", "3.5", "-3", "٣"):
        with pytest.raises(PromoNumberInvalid):
            parse_whole(typed, 1, 100)


@pytest.mark.parametrize(
    ("basis_points", "en", "ru"),
    [(1000, "10 %", "10 %"), (1250, "12.5 %", "12,5 %"), (3333, "33.33 %", "33,33 %"), (5, "0.05 %", "0,05 %")],
)
def test_a_percent_is_shown_without_a_float(basis_points, en, ru):
    assert _in("en", lambda: view.percent(basis_points)) == en
    assert _in("ru", lambda: view.percent(basis_points)) == ru


def test_russian_plurals_of_uses_and_days():
    assert [_in("ru", lambda n=n: view.uses_n(n)) for n in (1, 2, 5, 11, 21)] == [
        "1 использование",
        "2 использования",
        "5 использований",
        "11 использований",
        "21 использование",
    ]
    assert [_in("ru", lambda n=n: view.days_n(n)) for n in (1, 3, 14, 22)] == ["1 день", "3 дня", "14 дней", "22 дня"]
    assert _in("en", lambda: view.days_n(1)) == "1 day" and _in("en", lambda: view.uses_n(2)) == "2 uses"


def _event() -> Event:
    return Event(
        2**31 - 1, "Ж" * 300, datetime(2026, 12, 25, 16, tzinfo=UTC), "", EventStatus.PUBLISHED, organizer_id=1
    )


def _tariffs() -> list[TicketType]:
    return [
        TicketType(2**31 - 2, 2**31 - 1, "Т" * 200, Money(100, "RUB"), 10),
        TicketType(7, 1, "VIP", Money(1, "RUB"), 1),
    ]


def _code(n: int) -> CodeRule:
    return CodeRule(
        id=2**31 - 1 - n,
        code="W" * 32,
        name="Щ" * MAX_NAME,
        event_id=2**31 - 1,
        scope=Scope.tariff(2**31 - 2),
        amount=Money(100_000_050, "RUB"),
        max_uses=1_000_000,
        uses=999_999,
        active=bool(n % 2),
    )


def _promotion(n: int) -> PromotionRule:
    return PromotionRule(
        id=2**31 - 1 - n,
        event_id=2**31 - 1,
        kind=PromotionKind.EARLY,
        name="Щ" * MAX_NAME,
        basis_points=3333,
        weekdays=frozenset(range(7)),
        days_before=365,
        tariff_id=2**31 - 2,
    )


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_full_lists_and_cards_of_the_longest_values_are_one_message(lang):
    event, tariffs = _event(), _tariffs()
    screens = [
        _in(lang, lambda: view.code_list(CodeList(event, [_code(n) for n in range(view.SHOWN + 5)], tariffs))),
        _in(lang, lambda: view.code_list(CodeList(None, [_code(n) for n in range(view.SHOWN)], []))),
        _in(
            lang,
            lambda: view.promotion_list(PromotionList(event, [_promotion(n) for n in range(view.SHOWN + 1)], tariffs)),
        ),
    ]
    screens += [
        _in(lang, lambda: view.code_card(CodeCard(event, _code(0), tariffs), ZONE)),
        _in(lang, lambda: view.promotion_card(PromotionCard(event, _promotion(0), tariffs), ZONE)),
    ]
    for step in ("kind", "name", "count", "percent", "a", "b", "amount", "weekdays", "days", "tariff"):
        values = {"kind": "early", "name": "Щ" * MAX_NAME, "a": 7, "weekdays": [0, 1]}
        screens.append(
            _in(lang, lambda st=step, va=values: view.prompt("newpromo", st, 2**31 - 1, "Ж" * 300, va, tariffs))
        )
    for step in ("code", "discount", "scope"):
        values = {"code": "W" * 32, "discount": "1 000 000"}
        screens.append(
            _in(lang, lambda st=step, va=values: view.prompt("newcode", st, 2**31 - 1, "Ж" * 300, va, tariffs))
        )
    for option in ("name", "from", "until", "max", "pp", "min"):
        screens.append(_in(lang, lambda o=option: view.option_prompt("code", o, 2**31 - 1, 2**31 - 1, "Щ" * MAX_NAME)))
    for text, markup in screens:
        assert visible_length(text) <= 4096
        for row in markup.inline_keyboard:
            for button in row:
                assert len(button.callback_data.encode()) <= 64, button.callback_data


def test_a_list_shows_its_newest_and_says_how_many_there_are():
    text, markup = _in("en", lambda: view.code_list(CodeList(_event(), [_code(n) for n in range(35)], _tariffs())))
    assert "Shown: 25 of 35." in text
    assert "999999 of 1000000 used" in text
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert labels[:2] == ["1. " + "W" * 32, "2. " + "W" * 32] and "➕ New code" in labels


def test_a_cancelled_events_codes_have_no_buttons_to_change_them():
    event = _event()
    event.status = EventStatus.CANCELLED
    text, markup = _in("en", lambda: view.code_card(CodeCard(event, _code(0), _tariffs()), ZONE))
    assert "View only" in text
    assert [b.text for row in markup.inline_keyboard for b in row] == ["◀️ Codes"]


def test_the_errors_the_middleware_renders_name_their_limits():
    assert "от 1 до 32 латинских букв" in _in("ru", lambda: render_error(PromoCodeInvalid(max=32)))
    assert "не больше 1 000 000 ₽" in _in(
        "ru", lambda: render_error(DiscountInvalid(max=Money(100_000_000, "RUB")))
    ).replace("\xa0", " ")
    assert "from 2 to 100" in _in("en", lambda: render_error(PromoNumberInvalid(min=2, max=100)))
    assert "Uses counted already: 3." in _in("en", lambda: render_error(PromoLimitBelowUses(uses=3)))
    assert "Использований кода уже 3" in _in("ru", lambda: render_error(PromoLimitBelowUses(uses=3)))


def _keys_used() -> set[str]:
    """The msgids the console names literally (f-string keys are checked by their families below)."""
    sources = [Path(view.__file__), Path(view.__file__).parent.parent / "promos.py"]
    keys = set()
    for source in sources:
        keys |= set(re.findall(r'_\("([a-z_.]+)"\)', source.read_text()))
    return keys


def test_every_text_of_the_console_exists_in_both_catalogues():
    catalogues = {}
    for lang in ("en", "ru"):
        with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
            catalogues[lang] = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fp) if m.id}
    families = [f"promo.weekday.{d}" for d in range(7)]
    families += [f"promotion.kind.{k.value}" for k in PromotionKind]
    families += [f"button.promo_option.{o}" for o in ("name", "from", "until", "max", "pp", "min")]
    families += [f"promo.prompt.{s}" for s in ("code", "discount", "scope")]
    families += [f"promotion.prompt.{s}" for s in ("kind", "name", "count", "percent", "a", "b", "amount")]
    families += [f"promotion.prompt.{s}" for s in ("weekdays", "days", "tariff")]
    families += [f"promo.option.{o}" for o in ("name", "from", "until", "max", "pp", "min")]
    errors = [
        "error." + name
        for name in (
            "promo_not_found promo_code_invalid promo_code_taken discount_invalid percent_invalid "
            "promo_amount_invalid promo_name_invalid promo_number_invalid promo_limit_below_uses "
            "promo_window_invalid bundle_same_tariff weekdays_empty"
        ).split()
    ]
    wanted = _keys_used() | set(families) | set(errors) | {"command.promocodes", "plural.uses", "plural.days"}
    assert len(wanted) > 100
    for lang, ids in catalogues.items():
        assert wanted - ids == set(), lang
