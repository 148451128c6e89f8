"""Topping the wallet up by card through Telegram Payments, driven as a person would: /wallet → 💳 Top up →
an amount → Telegram's payment form (the sandbox plays it: pre-checkout query, then successful_payment).
A payment delivered twice is credited once; an invoice changed on the way is refused before any money is
taken; a checkout short of money offers the missing amount; without a provider, top-up says so."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from storage.tables import payments
from tests.e2e.conftest import balance, credited, make_event, open_tariff, start_bot, stop_bot
from tests.e2e.test_stale_buttons import plain

T = {
    "en": {
        "topup": "💳 Top up",
        "menu": "Top up your wallet by card",
        "other": "Another amount",
        "ask": "Type the amount, from 100 ₽ to 100,000 ₽",
        "title": "Wallet top-up",
        "done_1000": "✅ Paid: 1,000 ₽ is in your wallet. Balance: 1,000 ₽.",
        "done_1500": "✅ Paid: 1,500.50 ₽ is in your wallet. Balance: 2,500.50 ₽.",
        "range": "A top-up is from 100 ₽ to 100,000 ₽.",
        "refused": "This invoice is no longer valid: nothing was charged.",
        "add": "Add to cart",
        "pay": "Accept and pay from wallet",
        "missing": "💳 Top up 1,000 ₽ by card",
        "unavailable": "Topping up by card is not available yet",
    },
    "ru": {
        "topup": "💳 Пополнить",
        "menu": "Пополнение кошелька картой",
        "other": "Другая сумма",
        "ask": "Введите сумму от 100 ₽ до 100 000 ₽",
        "title": "Пополнение кошелька",
        "done_1000": "✅ Оплачено: 1 000 ₽ зачислено в кошелёк. Баланс: 1 000 ₽.",
        "done_1500": "✅ Оплачено: 1 500,50 ₽ зачислено в кошелёк. Баланс: 2 500,50 ₽.",
        "range": "Пополнение — от 100 ₽ до 100 000 ₽.",
        "refused": "Этот счёт больше недействителен: деньги не списаны.",
        "add": "В корзину",
        "pay": "Принимаю условия, оплатить с кошелька",
        "missing": "💳 Пополнить на 1 000 ₽ картой",
        "unavailable": "Пополнение картой пока недоступно",
    },
}


@pytest.fixture
async def paying_bot(sandbox, sqlite_engine, clock) -> AsyncIterator:
    app, task = await start_bot(sandbox, sqlite_engine, clock, payment_provider_token="381764678:TEST:provider")
    yield app
    await stop_bot(app, task)


async def _press_amount(person, label: str) -> None:
    """Money on a button has no-break spaces: find it as it reads."""
    for message in reversed(person.messages):
        for row in message.buttons:
            for button in row:
                if plain(button.text) == label:
                    await person.press_button(message, button)
                    return
    raise AssertionError(f"no button reading {label!r}")


def _invoices(person) -> list:
    return [m for m in person.messages if m.invoice is not None]


async def _charges(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(payments))).scalar_one()


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_a_top_up_by_card_is_credited_once_even_when_delivered_twice(sandbox, paying_bot, lang):
    t = T[lang]
    anna = sandbox.user("Anna", lang=lang)
    await anna.send("/start")
    await anna.send("/wallet")
    await anna.press(t["topup"])
    assert t["menu"] in plain(anna.last_text())
    await _press_amount(anna, "1,000 ₽" if lang == "en" else "1 000 ₽")
    (invoice,) = _invoices(anna)
    assert (invoice.invoice.title, invoice.invoice.currency, invoice.invoice.total_amount) == (
        t["title"], "RUB", 100_000,
    )  # fmt: skip
    result = await anna.pay(invoice)
    assert result.paid, result
    assert t["done_1000"] in plain(anna.last_text())
    assert await balance(paying_bot.engine, anna.id) == 100_000

    await anna.redeliver_successful_payment(result)  # Telegram delivers the same payment again
    assert await balance(paying_bot.engine, anna.id) == 100_000 and await _charges(paying_bot.engine) == 1
    assert sum(t["done_1000"] in plain(m.text) for m in anna.messages) == 1, "told once"

    # Another amount, typed: refused outside the limits, then an invoice for exactly what was typed.
    await anna.press(t["other"])
    assert t["ask"] in plain(anna.last_text())
    await anna.send("50")
    assert t["range"] in plain(anna.last_text())
    await anna.send("1 500,50" if lang == "ru" else "1500.50")
    result = await anna.pay(_invoices(anna)[-1])
    assert result.paid and t["done_1500"] in plain(anna.last_text())
    assert await balance(paying_bot.engine, anna.id) == 250_050


async def test_an_invoice_whose_payload_no_longer_matches_is_refused_before_money_is_taken(sandbox, paying_bot):
    anna = sandbox.user("Anna")
    await anna.send("/start")
    await anna.send("/wallet")
    await anna.press("💳 Top up")
    await _press_amount(anna, "500 ₽")
    invoice = _invoices(anna)[-1]
    sent = sandbox.invoice_of(invoice)  # what Telegram will hand back to the bot, tampered with
    sent.payload = sent.payload.replace(":50000:", ":5000000:")  # a payload that no longer matches the price
    result = await anna.pay(invoice)
    assert result.outcome == "refused" and T["en"]["refused"] in result.error_message
    assert await balance(paying_bot.engine, anna.id) == 0 and await _charges(paying_bot.engine) == 0


async def test_a_checkout_short_of_money_offers_the_missing_amount(sandbox, paying_bot, admin, clock):
    await make_event(paying_bot.engine, clock)  # Маузер: Standard 1,500 ₽
    anna = await credited(sandbox, admin, "Anna", "en", amount="500")
    await open_tariff(anna)
    await anna.press(T["en"]["add"])
    await anna.press("👤 Who are the tickets for?")
    await anna.press("🙋")
    await anna.press(T["en"]["pay"])
    assert "Not enough money" in plain(anna.last_text())
    await _press_amount(anna, T["en"]["missing"])
    result = await anna.pay(_invoices(anna)[-1])
    assert result.paid and await balance(paying_bot.engine, anna.id) == 150_000
    cart = next(m for m in reversed(anna.messages) if any("Accept and pay" in b for b in m.button_labels()))
    await anna.press(T["en"]["pay"], message=cart)
    assert await balance(paying_bot.engine, anna.id) == 0
    assert any(m.photo is not None for m in anna.messages), "the ticket"


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_without_a_provider_top_up_says_it_is_not_available(sandbox, bot_app, lang):
    anna = sandbox.user("Anna", lang=lang)
    await anna.send("/start")
    await anna.send("/wallet")
    await anna.press(T[lang]["topup"])
    assert T[lang]["unavailable"] in plain(anna.last_alert())
    assert not _invoices(anna) and not sandbox.invoices
