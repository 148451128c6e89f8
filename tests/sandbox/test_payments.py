"""Payments: sendInvoice checked like the Bot API, a scripted payment (pre_checkout_query, the bot's answer,
successful_payment), the 10-second deadline, answers refused, redelivery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
    Update,
)

from sandbox import PaymentResult, Sandbox, ScriptedUser
from sandbox.callbacks import QUERY_TOO_OLD
from sandbox.payments import CURRENCIES

from .helpers import raw_call, start_polling

TOKEN = "381764678:TEST:12345"


def invoice_params(chat_id: int, **overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "chat_id": chat_id,
        "title": "Concert ticket",
        "description": "One seat, row 5",
        "payload": "order:42",
        "provider_token": TOKEN,
        "currency": "RUB",
        "prices": [{"label": "Ticket", "amount": 150000}],
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


@pytest.fixture
async def alice(sb: Sandbox) -> ScriptedUser:
    person = sb.user("Alice", user_id=700)
    await person.send("/start", wait=False)  # the chat becomes known to the bot
    await raw_call(sb, "getUpdates", offset=-1)
    await raw_call(sb, "getUpdates", offset=10_000)  # confirm it: the tests read later updates only
    return person


async def refused(sb: Sandbox, chat_id: int, error: str, /, **overrides: Any) -> None:
    status, body = await raw_call(sb, "sendInvoice", **invoice_params(chat_id, **overrides))
    assert (status, body) == (
        400,
        {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"},
    ), overrides


async def test_send_invoice_refusals(sb: Sandbox, alice: ScriptedUser) -> None:
    chat = alice.id
    for name in ("title", "description", "payload", "currency", "prices"):
        await refused(sb, chat, f'parameter "{name}" is required', **{name: ""})
    await refused(sb, chat, 'parameter "title" is required', title=None)
    await refused(sb, chat, "can't parse prices JSON object", prices="[{label:")
    await refused(sb, chat, "expected an Array of labeled prices", prices={"label": "x", "amount": 100})
    await refused(sb, chat, "there must be at least one price", prices=[])
    bad_prices = [
        ([5], "LabeledPrice must be an Object"),
        ([{"amount": 100}], 'Can\'t find field "label"'),
        ([{"label": "", "amount": 100}], "LabeledPrice label must be non-empty"),
        ([{"label": "x"}], 'Can\'t find field "amount"'),
        ([{"label": "x", "amount": 150.5}], 'Field "amount" must be a valid Number'),
        ([{"label": "x", "amount": "15k"}], 'Field "amount" must be a valid Number'),
        ([{"label": "x", "amount": [1]}], 'Field "amount" must be a Number'),
    ]
    for prices, problem in bad_prices:
        await refused(sb, chat, f"can't parse labeled price: {problem}", prices=prices)
    await refused(sb, chat, "total price must be positive", prices=[{"label": "x", "amount": 0}])
    discount_too_big = [{"label": "x", "amount": 1000}, {"label": "discount", "amount": -1000}]
    await refused(sb, chat, "total price must be positive", prices=discount_too_big)
    await refused(sb, chat, "too big amount of the currency specified", prices=[{"label": "x", "amount": 10**12}])
    await refused(sb, chat, 'can\'t parse "max_tip_amount" as Number', max_tip_amount="ten")
    await refused(sb, chat, "invalid max_tip_amount of the currency specified", max_tip_amount=-1)
    await refused(sb, chat, "suggested tip amount must be positive", max_tip_amount=500, suggested_tip_amounts=[0])
    await refused(
        sb,
        chat,
        "suggested tip amount can't be bigger than max_tip_amount",
        max_tip_amount=500,
        suggested_tip_amounts=[100, 600],
    )
    await refused(
        sb,
        chat,
        "there can be at most 4 suggested tip amounts",
        max_tip_amount=500,
        suggested_tip_amounts=[1, 2, 3, 4, 5],
    )
    await refused(sb, 424242, "chat not found")
    await refused(sb, chat, "INVOICE_PAYLOAD_INVALID", payload="p" * 129)
    await refused(sb, chat, "INVOICE_PAYLOAD_INVALID", payload="я" * 65)  # 130 bytes
    await refused(sb, chat, "CURRENCY_INVALID", currency="XYZ")
    await refused(sb, chat, "CURRENCY_INVALID", currency="XTR")  # Stars are not imitated
    await refused(sb, chat, "PAYMENT_PROVIDER_INVALID", provider_token=None)
    await refused(sb, chat, "PAYMENT_PROVIDER_INVALID", provider_token="")
    rub = CURRENCIES["RUB"]
    for amount in (rub.min_amount - 1, rub.max_amount + 1):
        await refused(sb, chat, "CURRENCY_TOTAL_AMOUNT_INVALID", prices=[{"label": "x", "amount": amount}])
    usd_under = [{"label": "x", "amount": 60}, {"label": "y", "amount": 39}]  # the total counts, US$0.99
    await refused(sb, chat, "CURRENCY_TOTAL_AMOUNT_INVALID", currency="USD", prices=usd_under)
    await refused(sb, chat, "invoice title is longer than 32 characters", title="t" * 33)
    await refused(sb, chat, "invoice description is longer than 255 characters", description="d" * 256)
    await refused(
        sb,
        chat,
        "suggested tip amounts must be strictly increasing",
        max_tip_amount=500,
        suggested_tip_amounts=[100, 100],
    )
    not_pay = {"inline_keyboard": [[{"text": "Cancel", "callback_data": "cancel"}, {"text": "Pay", "pay": True}]]}
    await refused(sb, chat, "the first button of an invoice must be a Pay button", reply_markup=not_pay)
    await refused(sb, chat, "inline keyboard expected", reply_markup={"keyboard": [["Pay"]]})
    assert sb.invoices == [] and alice.messages == []

    sb.provider_tokens = {"other:TEST:1"}
    await refused(sb, chat, "PAYMENT_PROVIDER_INVALID")
    sb.provider_tokens = None

    # the limits themselves, the longest title, description and payload, four tips: all accepted
    edge = [
        {"prices": [{"label": "x", "amount": rub.min_amount}]},
        {"prices": [{"label": "x", "amount": rub.max_amount}]},
        {"currency": "USD", "prices": [{"label": "x", "amount": 100}]},
        {"currency": "EUR", "prices": [{"label": "x", "amount": 500}, {"label": "discount", "amount": -100}]},
        {"title": "т" * 32, "description": "д" * 255, "payload": "я" * 64},
        {"max_tip_amount": 500, "suggested_tip_amounts": [100, 200, 300, 500]},
    ]
    for overrides in edge:
        status, body = await raw_call(sb, "sendInvoice", **invoice_params(chat, **overrides))
        assert status == 200 and body["ok"], (overrides, body)
    assert len(sb.invoices) == len(edge) == len(alice.messages)

    alice.block_bot()
    status, body = await raw_call(sb, "sendInvoice", **invoice_params(chat))
    assert status == 403 and body["description"] == "Forbidden: bot was blocked by the user"


async def test_invoice_message_through_aiogram(sb: Sandbox, bot: Bot, alice: ScriptedUser) -> None:
    pay_first = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="Pay 1 450 ₽", pay=True)],
            [InlineKeyboardButton(text="Cancel", callback_data="cancel")],
        ]
    )
    sent = await bot.send_invoice(
        alice.id,
        title="Concert ticket",
        description="One seat, row 5",
        payload="order:42",
        provider_token=TOKEN,
        currency="RUB",
        prices=[LabeledPrice(label="Ticket", amount=150000), LabeledPrice(label="Promo", amount=-5000)],
        start_parameter="order42",
        need_name=True,
        need_email=True,
        send_email_to_provider=True,
        max_tip_amount=10000,
        suggested_tip_amounts=[1000, 5000],
        photo_url="https://example.org/poster.jpg",
        protect_content=True,
        reply_markup=pay_first,
    )
    assert sent.invoice is not None
    assert (sent.invoice.title, sent.invoice.description, sent.invoice.currency) == (
        "Concert ticket",
        "One seat, row 5",
        "RUB",
    )
    assert sent.invoice.total_amount == 145000 and sent.invoice.start_parameter == "order42"
    assert sent.reply_markup is not None and sent.reply_markup.inline_keyboard[0][0].pay
    message = alice.last_message()
    assert message.invoice is not None and message.invoice.total_amount == 145000
    assert message.text is None and message.content == ""
    assert "order:42" not in str(message.raw) and TOKEN not in str(message.raw)  # kept by the sandbox only
    invoice = sb.invoices[-1]
    assert sb.invoice_of(message) is invoice and invoice.message is message
    assert (invoice.payload, invoice.provider_token) == ("order:42", TOKEN)
    assert invoice.prices == [{"label": "Ticket", "amount": 150000}, {"label": "Promo", "amount": -5000}]
    assert invoice.need_name and invoice.need_email and invoice.send_email_to_provider and not invoice.need_phone_number
    assert invoice.suggested_tip_amounts == [1000, 5000] and invoice.max_tip_amount == 10000
    assert invoice.protect_content and invoice.photo_url == "https://example.org/poster.jpg"
    with pytest.raises(AssertionError, match=r"is a Pay button; use `await user\.pay"):
        await alice.press("Pay 1 450")
    with pytest.raises(TelegramBadRequest, match="CURRENCY_TOTAL_AMOUNT_INVALID"):
        await bot.send_invoice(
            alice.id, "t", "d", "p", "RUB", [LabeledPrice(label="x", amount=100)], provider_token=TOKEN
        )


# ---------------------------------------------------------------------- paying, by hand over raw HTTP


async def next_updates(sb: Sandbox, offset: int) -> list[dict[str, Any]]:
    status, body = await raw_call(sb, "getUpdates", offset=offset, timeout=2)
    assert status == 200
    return body["result"]


async def test_paid_updates_are_what_aiogram_parses(sb: Sandbox, alice: ScriptedUser) -> None:
    await raw_call(sb, "sendInvoice", **invoice_params(alice.id, need_name=True, need_phone_number=True))
    invoice_message = alice.last_message()
    paying = asyncio.create_task(alice.pay(invoice_message, order_info={"email": "a@example.org"}))

    [update] = await next_updates(sb, 0)
    parsed = Update.model_validate(update)
    query = parsed.pre_checkout_query
    assert query is not None and parsed.message is None
    assert (query.currency, query.total_amount, query.invoice_payload) == ("RUB", 150000, "order:42")
    assert query.from_user.id == alice.id and query.from_user.first_name == "Alice"
    assert query.order_info is not None and query.order_info.name == "Alice" and query.order_info.phone_number
    assert query.order_info.email == "a@example.org"
    status, body = await raw_call(sb, "answerPreCheckoutQuery", pre_checkout_query_id=query.id, ok=True)
    assert (status, body) == (200, {"ok": True, "result": True})

    [update] = await next_updates(sb, parsed.update_id + 1)
    parsed = Update.model_validate(update)
    message = parsed.message
    assert message is not None and message.successful_payment is not None and message.text is None
    assert message.chat.id == alice.id and message.from_user is not None and message.from_user.id == alice.id
    payment = message.successful_payment
    assert (payment.currency, payment.total_amount, payment.invoice_payload) == ("RUB", 150000, "order:42")
    assert payment.order_info is not None and payment.order_info.name == "Alice"
    assert payment.telegram_payment_charge_id and payment.provider_payment_charge_id
    assert message.message_id > invoice_message.message_id
    await next_updates(sb, parsed.update_id + 1)  # confirm: pay() waits for the bot to process it

    result = await asyncio.wait_for(paying, 5)
    assert isinstance(result, PaymentResult) and result.paid and result.outcome == "paid"
    assert result.telegram_payment_charge_id == payment.telegram_payment_charge_id
    assert result.provider_payment_charge_id == payment.provider_payment_charge_id
    assert result.pre_checkout_query_id == query.id and result.error_message is None
    assert result.invoice is sb.invoices[0] and sb.payments == [result]
    assert result.message is not None and result.message.message_id == message.message_id
    assert not result.message.from_bot and alice.messages == [invoice_message]  # not a bot message


async def test_deadline_refuses_late_answers_and_delivers_nothing_more(alice: ScriptedUser) -> None:
    sb = alice._sandbox
    sb.pre_checkout_timeout = 0.3
    await raw_call(sb, "sendInvoice", **invoice_params(alice.id))
    paying = asyncio.create_task(alice.pay(alice.last_message()))
    [update] = await next_updates(sb, 0)
    result = await asyncio.wait_for(paying, 3)
    assert result.outcome == "timeout" and not result.paid
    assert result.error_message is None and result.telegram_payment_charge_id is None and result.message is None
    query_id = update["pre_checkout_query"]["id"]
    status, body = await raw_call(sb, "answerPreCheckoutQuery", pre_checkout_query_id=query_id, ok=True)
    assert (status, body["description"]) == (400, f"Bad Request: {QUERY_TOO_OLD}")
    assert await next_updates(sb, update["update_id"] + 1) == []  # no successful_payment


async def test_late_answer_is_refused_even_before_the_payer_gave_up(alice: ScriptedUser) -> None:
    sb = alice._sandbox
    sb.pre_checkout_timeout = 0.2
    await raw_call(sb, "sendInvoice", **invoice_params(alice.id))
    paying = asyncio.create_task(alice.pay(alice.last_message()))
    [update] = await next_updates(sb, 0)
    await asyncio.sleep(0.25)
    query_id = update["pre_checkout_query"]["id"]
    status, body = await raw_call(sb, "answerPreCheckoutQuery", pre_checkout_query_id=query_id, ok=True)
    assert (status, body["description"]) == (400, f"Bad Request: {QUERY_TOO_OLD}")
    assert (await asyncio.wait_for(paying, 3)).outcome == "timeout"


async def test_answers_checked_refusal_and_a_second_answer(alice: ScriptedUser) -> None:
    sb = alice._sandbox
    await raw_call(sb, "sendInvoice", **invoice_params(alice.id))
    paying = asyncio.create_task(alice.pay(alice.last_message()))
    [update] = await next_updates(sb, 0)
    query_id = update["pre_checkout_query"]["id"]
    too_old = f"Bad Request: {QUERY_TOO_OLD}"
    assert (await raw_call(sb, "answerPreCheckoutQuery", pre_checkout_query_id="12345", ok=True))[1][
        "description"
    ] == too_old
    status, body = await raw_call(sb, "answerPreCheckoutQuery", pre_checkout_query_id=query_id, ok=False)
    assert (status, body["description"]) == (400, 'Bad Request: parameter "error_message" is required')
    sold_out = "Sorry, the last seat was just sold"
    status, body = await raw_call(
        sb, "answerPreCheckoutQuery", pre_checkout_query_id=query_id, ok="false", error_message=sold_out
    )
    assert (status, body) == (200, {"ok": True, "result": True})
    for again in ({"ok": True}, {"ok": False, "error_message": "again"}):
        status, body = await raw_call(sb, "answerPreCheckoutQuery", pre_checkout_query_id=query_id, **again)
        assert (status, body["description"]) == (400, too_old)
    result = await asyncio.wait_for(paying, 3)
    assert result.outcome == "refused" and result.error_message == sold_out and not result.paid
    assert result.telegram_payment_charge_id is None and result.message is None
    assert await next_updates(sb, update["update_id"] + 1) == []  # nothing more delivered
    with pytest.raises(AssertionError, match="was not paid"):
        await alice.redeliver_successful_payment(result)


async def test_pay_needs_an_invoice_and_no_shipping(sb: Sandbox, bot: Bot, alice: ScriptedUser) -> None:
    await bot.send_message(alice.id, "not an invoice")
    with pytest.raises(AssertionError, match=r"Alice: message \d+ in chat 700 is not an invoice"):
        await alice.pay(alice.last_message())
    await raw_call(sb, "sendInvoice", **invoice_params(alice.id, is_flexible=True))
    with pytest.raises(AssertionError, match="shipping queries are not imitated"):
        await alice.pay(alice.last_message())
    await raw_call(sb, "sendInvoice", **invoice_params(alice.id, max_tip_amount=1000))
    with pytest.raises(AssertionError, match="a tip of 1001 is not allowed"):
        await alice.pay(alice.last_message(), tip=1001)
    bob = sb.user("Bob")
    with pytest.raises(AssertionError, match="Bob can't see invoice message"):
        await bob.pay(alice.last_message())
    assert sb.pending_update_ids == []


# ---------------------------------------------------------------------- paying a real aiogram bot


def shop_router(seen: list[Message], refuse: set[str]) -> Router:
    router = Router()

    @router.message(F.text == "/buy")
    async def buy(message: Message) -> None:
        await message.answer_invoice(
            title="Concert ticket",
            description="One seat, row 5",
            payload=f"order:{message.message_id}",
            provider_token=TOKEN,
            currency="RUB",
            prices=[LabeledPrice(label="Ticket", amount=150000)],
            max_tip_amount=20000,
        )

    @router.pre_checkout_query()
    async def checkout(query: PreCheckoutQuery) -> None:
        if query.invoice_payload in refuse:
            await query.answer(ok=False, error_message="Sold out")
        else:
            await query.answer(ok=True)

    @router.message(F.successful_payment)
    async def paid(message: Message) -> None:
        seen.append(message)
        assert message.successful_payment is not None
        await message.answer(f"paid {message.successful_payment.telegram_payment_charge_id}")

    return router


@pytest.fixture
async def shop(sb: Sandbox, bot: Bot) -> AsyncIterator[tuple[list[Message], set[str]]]:
    seen: list[Message] = []
    refuse: set[str] = set()
    dp, task = await start_polling(sb, bot, shop_router(seen, refuse))
    yield seen, refuse
    await dp.stop_polling()
    await task


async def test_pay_twice_and_redeliver(sb: Sandbox, shop: tuple[list[Message], set[str]]) -> None:
    seen, refuse = shop
    carol = sb.user("Carol")
    [invoice_message] = await carol.send("/buy")
    assert invoice_message.invoice is not None and invoice_message.invoice.total_amount == 150000

    first = await carol.pay(invoice_message)
    assert first.paid and [m.text for m in first.replies] == [f"paid {first.telegram_payment_charge_id}"]
    second = await carol.pay(invoice_message, tip=5000)  # the same invoice again: a new payment
    assert second.paid and second.total_amount == 155000
    assert second.telegram_payment_charge_id != first.telegram_payment_charge_id
    assert second.provider_payment_charge_id != first.provider_payment_charge_id
    assert len(seen) == 2

    assert carol._last_update is not None
    update_id_before = carol._last_update.update_id
    again = await carol.redeliver_successful_payment(first)
    assert carol._last_update.update_id > update_id_before
    assert carol._last_update.payload["message"]["successful_payment"] == first.successful_payment_json()
    assert [m.text for m in again] == [f"paid {first.telegram_payment_charge_id}"]
    assert len(seen) == 3
    original, repeated = seen[0], seen[2]
    assert repeated.successful_payment == original.successful_payment  # same charge ids, payload, amount
    assert repeated.message_id != original.message_id

    refuse.add(sb.invoices[0].payload)
    refused = await carol.pay(invoice_message)
    assert refused.outcome == "refused" and refused.error_message == "Sold out" and len(seen) == 3
    assert [p.outcome for p in sb.payments] == ["paid", "paid", "refused"]


async def test_payment_in_time_with_a_slow_bot_and_a_bot_that_never_answers(
    sb: Sandbox, bot: Bot, alice: ScriptedUser
) -> None:
    sb.pre_checkout_timeout = 0.5
    router = Router()
    answered: list[str] = []

    @router.pre_checkout_query()
    async def slow(query: PreCheckoutQuery) -> None:
        if query.invoice_payload == "slow":
            await asyncio.sleep(0.2)
            answered.append(query.id)
            await query.answer(ok=True)
        # other payloads: never answered

    @router.message(F.successful_payment)
    async def paid(message: Message) -> None:
        # without a message handler aiogram polls with allowed_updates=["pre_checkout_query"] and, as
        # Telegram does, the sandbox drops the successful_payment message: pay() then fails loudly
        await message.answer("thanks")

    dp, task = await start_polling(sb, bot, router)
    try:
        await raw_call(sb, "sendInvoice", **invoice_params(alice.id, payload="slow"))
        first = await alice.pay(alice.last_message())
        assert first.paid and len(answered) == 1 and [m.text for m in first.replies] == ["thanks"]
        await raw_call(sb, "sendInvoice", **invoice_params(alice.id, payload="ignored"))
        result = await alice.pay(alice.last_message())
        assert result.outcome == "timeout"
    finally:
        await dp.stop_polling()
        await task


async def test_pre_checkout_dropped_by_allowed_updates_fails_at_once(sb: Sandbox, alice: ScriptedUser) -> None:
    await raw_call(sb, "sendInvoice", **invoice_params(alice.id))
    paying = asyncio.create_task(alice.pay(alice.last_message()))
    await asyncio.sleep(0.05)
    assert await next_updates_allowed(sb, ["message"]) == []
    result = await asyncio.wait_for(paying, 1)  # not the 10 s deadline
    assert result.outcome == "timeout"


async def next_updates_allowed(sb: Sandbox, allowed: list[str]) -> list[dict[str, Any]]:
    status, body = await raw_call(sb, "getUpdates", timeout=0, allowed_updates=allowed)
    assert status == 200
    return body["result"]
