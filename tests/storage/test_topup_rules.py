"""Topping up by card (Telegram Payments), on SQLite and PostgreSQL: the invoice's limits, the pre-checkout
check, and the credit, once per Telegram charge whatever is delivered twice or at once."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from domain.errors import InvalidAmount, PaymentRefused, TopUpAmountInvalid, TopUpUnavailable
from domain.models import TelegramProfile
from domain.money import Money
from domain.policies import AdminPolicy
from domain.services.topup import TopUpService
from domain.services.users import UserService
from domain.topup import TopUpPayload
from storage.tables import payments, wallet_entries
from storage.uow import UnitOfWorkFactory

RUB = "RUB"


async def _setup(engine, clock, available: bool = True):
    uow = UnitOfWorkFactory(engine)
    users = UserService(uow, clock, AdminPolicy())
    anna = await users.identify(TelegramProfile(7001, "Anna"))
    boris = await users.identify(TelegramProfile(7002, "Boris"))
    return uow, TopUpService(uow, clock, RUB, available=available), anna, boris


async def _count(engine, table) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table))).scalar_one()


async def test_an_invoice_is_for_a_preset_or_a_typed_amount_within_the_limits(engine, clock):
    _, topup, anna, _ = await _setup(engine, clock)
    assert [m.minor for m in topup.presets()] == [50_000, 100_000, 200_000, 500_000]
    assert topup.limits() == (Money(10_000, RUB), Money(10_000_000, RUB))
    assert topup.invoice(anna, "1 500,50").amount == Money(150_050, RUB)
    payload = topup.invoice(anna, Money(50_000, RUB))
    assert TopUpPayload.decode(payload.encode()) == payload and payload.user_id == anna.id
    assert topup.invoice(anna, "500").nonce != topup.invoice(anna, "500").nonce, "each invoice its own"
    for typed in ("99.99", "100000.01", "0", "-500"):
        with pytest.raises(TopUpAmountInvalid) as refused:
            topup.invoice(anna, typed)
        assert refused.value.params == {"min": Money(10_000, RUB), "max": Money(10_000_000, RUB)}
    for typed in ("lots", "١٠٠٠", "1e4", "x" * 5000):
        with pytest.raises(InvalidAmount):
            topup.invoice(anna, typed)


async def test_without_a_provider_nothing_is_offered(engine, clock):
    _, topup, anna, _ = await _setup(engine, clock, available=False)
    with pytest.raises(TopUpUnavailable):
        topup.presets()
    with pytest.raises(TopUpUnavailable):
        topup.invoice(anna, "500")
    payload = TopUpPayload(anna.id, Money(50_000, RUB), "00c0ffee").encode()
    with pytest.raises(PaymentRefused):
        await topup.check(anna.telegram_id, payload, RUB, 50_000)


async def test_the_pre_checkout_accepts_only_the_invoice_as_it_was_sent(engine, clock):
    _, topup, anna, boris = await _setup(engine, clock)
    payload = topup.invoice(anna, "500").encode()
    await topup.check(anna.telegram_id, payload, RUB, 50_000)
    refusals = [
        (boris.telegram_id, payload, RUB, 50_000, "not_yours"),
        (anna.telegram_id, payload, RUB, 49_999, "mismatch"),
        (anna.telegram_id, payload, "USD", 50_000, "mismatch"),
        (anna.telegram_id, "topup:garbage", RUB, 50_000, "mismatch"),
        (anna.telegram_id, TopUpPayload(anna.id, Money(1, RUB), "00000000").encode(), RUB, 1, "unavailable"),
        (99_999, payload, RUB, 50_000, "not_yours"),
    ]
    for telegram_id, text, currency, total, reason in refusals:
        with pytest.raises(PaymentRefused) as refused:
            await topup.check(telegram_id, text, currency, total)
        assert refused.value.params == {"reason": reason}


async def test_a_charge_credits_once_however_often_it_is_delivered(engine, clock):
    _, topup, anna, _ = await _setup(engine, clock)
    payload = topup.invoice(anna, "1000").encode()
    first = await topup.credit(anna, payload, RUB, 100_000, "tg-1", "prov-1")
    again = await topup.credit(anna, payload, RUB, 100_000, "tg-1", "prov-1")
    assert (first.duplicate, first.amount, first.balance) == (False, Money(100_000, RUB), Money(100_000, RUB))
    assert (again.duplicate, again.amount, again.balance) == (True, Money(100_000, RUB), Money(100_000, RUB))
    second = await topup.credit(anna, payload, RUB, 100_000, "tg-2", "prov-2")  # the invoice paid twice
    assert second.balance == Money(200_000, RUB)
    async with engine.connect() as conn:
        rows = (await conn.execute(select(payments).order_by(payments.c.id))).all()
        entries = (await conn.execute(select(wallet_entries).order_by(wallet_entries.c.id))).all()
    assert [(r.telegram_charge_id, r.provider_charge_id, r.amount_minor, r.purpose) for r in rows] == [
        ("tg-1", "prov-1", 100_000, "topup"), ("tg-2", "prov-2", 100_000, "topup"),
    ]  # fmt: skip
    assert [(e.kind, e.amount_minor, e.idempotency_key) for e in entries] == [
        ("topup", 100_000, "payment:tg-1"), ("topup", 100_000, "payment:tg-2"),
    ]  # fmt: skip
    assert [r.wallet_entry_id for r in rows] == [e.id for e in entries]


async def test_one_charge_delivered_five_times_at_once_credits_once(engine, clock):
    _, topup, anna, _ = await _setup(engine, clock)
    payload = topup.invoice(anna, "2000").encode()
    results = await asyncio.gather(*(topup.credit(anna, payload, RUB, 200_000, "tg-x", "prov-x") for _ in range(5)))
    assert sorted(r.duplicate for r in results) == [False, True, True, True, True]
    assert (await _count(engine, payments), await _count(engine, wallet_entries)) == (1, 1)


async def test_money_taken_by_telegram_lands_even_when_the_payload_is_not_understood(engine, clock):
    _, topup, anna, _ = await _setup(engine, clock)
    result = await topup.credit(anna, "something else", RUB, 12_345, "tg-odd", "prov-odd")
    assert (result.duplicate, result.balance) == (False, Money(12_345, RUB))


async def test_charge_ids_and_payloads_longer_than_their_columns_are_kept_cut(engine, clock):
    """Telegram's ids are short; a longer one is kept to the column's length rather than losing the money."""
    _, topup, anna, _ = await _setup(engine, clock)
    result = await topup.credit(anna, "p" * 300, RUB, 50_000, "t" * 300, "v" * 300)
    assert not result.duplicate
    async with engine.connect() as conn:
        row = (await conn.execute(select(payments))).one()
        entry = (await conn.execute(select(wallet_entries))).one()
    assert (len(row.payload), len(row.telegram_charge_id), len(row.provider_charge_id)) == (128, 255, 255)
    assert len(entry.idempotency_key) == 120
