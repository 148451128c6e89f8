"""Pure rules of the domain: no database, no clock but the one passed in."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import pytest

from domain.codes import (
    ALPHABET,
    SECRET_LENGTH,
    new_ticket_secret,
    parse_ticket_payload,
    ticket_payload,
)
from domain.errors import EventNotOnSale, InvalidQuantity, LimitReached, SalesClosed
from domain.models import (
    CartItem,
    Event,
    EventStatus,
    ItemKind,
    ItemState,
    Language,
    TicketStatus,
    TicketType,
    UnavailableReason,
)
from domain.money import Money
from domain.policies import HoldPolicy
from domain.search import normalize
from domain.views import CartLine, CartView, Verdict

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PRICE = Money(150_000, "RUB")


def item(state: ItemState = ItemState.HELD, held_until: datetime | None = NOW + timedelta(minutes=15), qty: int = 2):
    return CartItem(1, 1, ItemKind.TICKET, qty, PRICE, state, held_until, ticket_type_id=1, event_id=1)


# --- CartItem -----------------------------------------------------------------------------------------------------


def test_hold_active_only_while_held_and_before_deadline():
    until = NOW + timedelta(minutes=15)
    assert item(held_until=until).hold_active(NOW)
    assert item(held_until=until).hold_active(until - timedelta(microseconds=1))
    assert not item(held_until=until).hold_active(until)  # the deadline itself is already expired
    assert not item(held_until=until).hold_active(until + timedelta(seconds=1))
    assert not item(held_until=None).hold_active(NOW)
    for state in (ItemState.EXPIRED, ItemState.ORDERED, ItemState.REMOVED):
        assert not item(state=state, held_until=until).hold_active(NOW)


def test_subtotal_is_unit_price_times_qty():
    assert item(qty=3).subtotal == Money(450_000, "RUB")
    assert item(qty=1).subtotal == PRICE


# --- TicketType ---------------------------------------------------------------------------------------------------


def tariff(**kw) -> TicketType:
    return TicketType(1, 1, "Standard", PRICE, kw.pop("quantity", 100), **kw)


def test_available_never_negative():
    assert tariff().available == 100
    assert tariff(sold=30, held=20).available == 50
    assert tariff(quantity=10, sold=10).available == 0
    assert tariff(quantity=10, sold=8, held=5).available == 0  # inconsistent row still reads as sold out


def test_sales_window():
    start, end = NOW, NOW + timedelta(days=1)
    tt = tariff(sales_start=start, sales_end=end)
    assert not tt.sales_open(start - timedelta(seconds=1))
    assert tt.sales_open(start)
    assert tt.sales_open(end - timedelta(seconds=1))
    assert not tt.sales_open(end)
    assert tariff().sales_open(NOW)
    assert tariff(sales_start=start).sales_open(NOW + timedelta(days=365))
    assert tariff(sales_end=end).sales_open(NOW - timedelta(days=365))
    with pytest.raises(SalesClosed):
        tt.ensure_sales_open(end)
    tt.ensure_sales_open(start)


# --- Event --------------------------------------------------------------------------------------------------------


def event(status: EventStatus, starts_in: timedelta = timedelta(days=10)) -> Event:
    return Event(1, "Маузер", NOW + starts_in, "Таганка", status)


def test_ensure_on_sale():
    event(EventStatus.PUBLISHED).ensure_on_sale(NOW)
    for status in (EventStatus.DRAFT, EventStatus.CANCELLED, EventStatus.FINISHED):
        with pytest.raises(EventNotOnSale):
            event(status).ensure_on_sale(NOW)
    with pytest.raises(EventNotOnSale):
        event(EventStatus.PUBLISHED, starts_in=timedelta(0)).ensure_on_sale(NOW)  # starts right now
    with pytest.raises(EventNotOnSale):
        event(EventStatus.PUBLISHED, starts_in=-timedelta(hours=1)).ensure_on_sale(NOW)


# --- HoldPolicy ---------------------------------------------------------------------------------------------------


def test_check_quantity():
    policy = HoldPolicy(hold_minutes=15, max_per_order=10)
    assert policy.hold_for == timedelta(minutes=15)
    policy.check_quantity(1, 0)
    policy.check_quantity(10, 0)
    policy.check_quantity(3, 7)
    for bad in (0, -1, 11):
        with pytest.raises(InvalidQuantity):
            policy.check_quantity(bad, 0)
    with pytest.raises(LimitReached) as info:
        policy.check_quantity(4, 7)
    assert info.value.params == {"max": 10, "in_cart": 7}
    with pytest.raises(LimitReached):
        policy.check_quantity(1, 10)


# --- CartView -----------------------------------------------------------------------------------------------------


def line(item_id: int, qty: int, held_until: datetime | None, reason: UnavailableReason | None = None) -> CartLine:
    return CartLine(
        item_id, 1, "Маузер", NOW + timedelta(days=10), "Standard", qty, PRICE, PRICE * qty, held_until, reason
    )


def test_cart_view_totals():
    first = NOW + timedelta(minutes=15)
    second = NOW + timedelta(minutes=5)
    ready = [line(1, 2, first), line(2, 3, second)]
    gone = [line(3, 4, None, UnavailableReason.HOLD_EXPIRED)]
    view = CartView(1, 7, ready, gone, PRICE * 5, 10)
    assert view.ticket_count == 5  # unavailable lines are not counted
    assert view.held_until == second  # the earliest hold decides when the cart expires
    assert not view.is_empty
    assert view.total == Money(750_000, "RUB")


def test_empty_cart_view():
    view = CartView(1, 0, [], [], Money.zero("RUB"), 10)
    assert view.is_empty
    assert view.ticket_count == 0
    assert view.held_until is None
    only_gone = CartView(1, 0, [], [line(1, 1, None, UnavailableReason.SOLD_OUT)], Money.zero("RUB"), 10)
    assert not only_gone.is_empty
    assert only_gone.held_until is None


# --- Verdict ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (TicketStatus.VALID, Verdict.VALID),
        (TicketStatus.USED, Verdict.ALREADY_USED),
        (TicketStatus.REFUNDED, Verdict.REFUNDED),
        (TicketStatus.CANCELLED, Verdict.CANCELLED),
        (TicketStatus.PENDING, Verdict.NOT_PAID),
    ],
)
def test_verdict_for_status(status, verdict):
    assert Verdict.for_status(status) is verdict


def test_every_ticket_status_has_a_verdict():
    assert {Verdict.for_status(s) for s in TicketStatus} <= set(Verdict)


# --- codes --------------------------------------------------------------------------------------------------------


def test_new_ticket_secret():
    secrets = {new_ticket_secret() for _ in range(200)}
    assert len(secrets) == 200
    for secret in secrets:
        assert len(secret) == SECRET_LENGTH == 32
        assert set(secret) <= set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 31
    assert not set("il0o1") & set(ALPHABET)
    assert 157 < SECRET_LENGTH * math.log2(len(ALPHABET)) < 159


def test_ticket_payload_fits_deep_link():
    for _ in range(50):
        secret = new_ticket_secret()
        payload = ticket_payload(secret)
        assert len(payload) <= 64
        assert re.fullmatch(r"[A-Za-z0-9_-]+", payload)
        assert parse_ticket_payload(payload) == secret


def test_parse_ticket_payload():
    secret = new_ticket_secret()
    assert parse_ticket_payload(f"t_{secret}") == secret
    assert parse_ticket_payload(f"  t_{secret}\n") == secret
    assert parse_ticket_payload(secret) == secret  # typed at the door without the prefix
    assert parse_ticket_payload(secret.upper()) == secret  # typed in capitals
    for garbage in (
        "",
        "t_",
        "hello",
        "t_" + secret[:-1],
        secret + "a",
        "t_" + "0" * 32,
        "x_" + secret,
        "t_" + secret + "\x00",
        "/start",
        "t_" + "a" * 31 + "!",
    ):
        assert parse_ticket_payload(garbage) is None, garbage


# --- language, search ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("ru-RU", Language.RU),
        ("ru", Language.RU),
        ("RU", Language.RU),
        ("uk", Language.RU),
        ("en", Language.EN),
        ("en-GB", Language.EN),
        ("de", Language.EN),
        ("", Language.EN),
        (None, Language.EN),
    ],
)
def test_language_from_telegram(code, language):
    assert Language.from_telegram(code) is language


def test_normalize():
    assert normalize("МАУЗЁР") == "маузер"
    assert normalize("  Ёлка \t на   Таганке ") == "елка на таганке"
    assert normalize("Straße") == "strasse"
    assert normalize("") == ""


def test_cart_lines_are_limited():
    import pytest

    from domain.errors import CartFull
    from domain.policies import HoldPolicy

    policy = HoldPolicy(max_cart_lines=3)
    policy.check_lines(2)
    with pytest.raises(CartFull):
        policy.check_lines(3)
