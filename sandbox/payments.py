"""Payments in fiat currencies (Telegram Stars are not imitated): sendInvoice checked as the Bot API
checks it, the ``pre_checkout_query`` a scripted user's payment causes, answerPreCheckoutQuery, and the
``successful_payment`` message that follows an accepted checkout (:meth:`ScriptedUser.pay`).

Where the checks and their wording come from
--------------------------------------------
* The Bot API reference (sendInvoice, LabeledPrice, answerPreCheckoutQuery): title 1-32 characters,
  description 1-255 characters, payload 1-128 bytes, at most 4 suggested tips, positive, strictly
  increasing and not above max_tip_amount; a given inline keyboard's first button must be a Pay button;
  "The Bot API must receive an answer within 10 seconds after the pre-checkout query was sent";
  error_message is required when ok is False.
* The Bot API server's source (github.com/tdlib/telegram-bot-api, telegram-bot-api/Client.cpp, read
  2026-05; its JSON helpers in tdlib/td tdutils/td/utils/JsonBuilder.cpp): a missing or empty required
  parameter answers ``parameter "title" is required``; ``can't parse prices JSON object``;
  ``can't parse labeled price: LabeledPrice label must be non-empty`` / ``Can't find field "amount"`` /
  ``Field "amount" must be a valid Number``; ``there must be at least one price``; ``expected an Array of
  labeled prices``; ``can't parse "max_tip_amount" as Number``; the MTProto error QUERY_ID_INVALID is
  answered as "query is too old and response timeout expired or query ID is invalid"; boolean
  parameters are true for "true", "yes" or "1".
* TDLib (tdlib/td, td/telegram/InputInvoice.cpp): ``Total price must be positive`` (single prices may
  be negative: discounts), ``Too big amount of the currency specified`` (|amount| > 999999999999),
  ``Suggested tip amount must be positive``, ``Suggested tip amount can't be bigger than
  max_tip_amount``, ``There can be at most 4 suggested tip amounts``, ``Invalid max_tip_amount of the
  currency specified``; the Bot API lower-cases the first letter of such messages.
* Telegram's server errors, as reported by bot developers (issues TelegramBot/Api#136,
  rubenlagus/TelegramBots#1445, python-telegram-bot#2394) and listed by MTProto libraries (pyrogram's
  400_BAD_REQUEST.tsv): ``CURRENCY_TOTAL_AMOUNT_INVALID`` (total outside the currency's limits),
  ``PAYMENT_PROVIDER_INVALID`` (no or unknown provider token for a fiat currency),
  ``INVOICE_PAYLOAD_INVALID`` (payload over 128 bytes).

Not found, so the wording below is the sandbox's own (a test should not match on it): a title or a
description too long, an unsupported currency (``CURRENCY_INVALID``: I found no confirmed Telegram
text for it), suggested tips not strictly increasing, and a first button that is not a Pay button.

Currency limits
---------------
Telegram publishes https://core.telegram.org/bots/payments/currencies.json: for each currency ``exp``
(digits after the decimal point) and ``min_amount``/``max_amount`` in the smallest units, the
equivalents of US$1 and US$10,000 at the day's exchange rate (USD itself: 100 and 1000000).  The figures
in :data:`CURRENCIES` are copied from the copy of that file stored in github.com/MarshalX/telegram-crawler
(data/core.telegram.org/bots/payments/currencies.json, commit 02f06174e50bae7b77a669b3eaa98e43585acbf4;
an older crawl, when a dollar cost about 75 roubles): RUB 74.87-748748.98, USD 1.00-10000.00,
EUR 0.82-8278.05, GBP 0.72-7203.65.  The rouble and euro limits follow the exchange rate, so Telegram's
today are not these; a test that needs others sets ``sandbox.currencies`` (same shape).

What is not imitated: Telegram Stars (XTR), shipping queries (``is_flexible`` invoices are accepted, but
:meth:`ScriptedUser.pay` refuses to pay them), tips chosen by the payer beyond ``tip=``, refunds.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .callbacks import QUERY_TOO_OLD
from .markup import bad_request, parse_markup
from .models import InvoiceInfo, SandboxMessage

if TYPE_CHECKING:
    from .chats import _Chat
    from .client import ScriptedUser
    from .groups import SandboxGroup
    from .updates import _Pending, _Tracker

__all__ = ["CURRENCIES", "Currency", "PaymentResult", "PaymentsMixin", "SentInvoice"]

MAX_TITLE = 32
MAX_DESCRIPTION = 255
MAX_PAYLOAD_BYTES = 128
MAX_SUGGESTED_TIPS = 4
MAX_AMOUNT = 999_999_999_999  # TDLib's check_currency_amount


@dataclass(frozen=True)
class Currency:
    """One entry of Telegram's currencies.json: digits after the point and the total's limits in the
    smallest units of the currency."""

    code: str
    exp: int
    min_amount: int
    max_amount: int


CURRENCIES: dict[str, Currency] = {
    "RUB": Currency("RUB", 2, 7487, 74874898),
    "USD": Currency("USD", 2, 100, 1000000),
    "EUR": Currency("EUR", 2, 82, 827805),
    "GBP": Currency("GBP", 2, 72, 720365),
}
"""The currencies the sandbox accepts, with limits from a stored copy of currencies.json (see above)."""


@dataclass
class SentInvoice:
    """An invoice the bot sent, with what Telegram keeps from the bot's request but does not show in the
    message (``payload``, ``provider_token``, the price breakdown, the tip settings and need_* flags)."""

    message: SandboxMessage
    title: str
    description: str
    payload: str
    provider_token: str
    currency: str
    prices: list[dict[str, Any]]
    total_amount: int
    max_tip_amount: int = 0
    suggested_tip_amounts: list[int] = field(default_factory=list)
    start_parameter: str = ""
    provider_data: str = ""
    photo_url: str = ""
    need_name: bool = False
    need_phone_number: bool = False
    need_email: bool = False
    need_shipping_address: bool = False
    send_phone_number_to_provider: bool = False
    send_email_to_provider: bool = False
    is_flexible: bool = False
    protect_content: bool = False

    @property
    def chat_id(self) -> int:
        return self.message.chat_id


@dataclass
class PaymentResult:
    """What became of one :meth:`ScriptedUser.pay`.

    ``outcome``: "paid" (the bot answered ok=True; a successful_payment message was posted), "refused"
    (ok=False; ``error_message`` is the bot's text, shown to the payer by Telegram) or "timeout" (no answer
    within ``Sandbox.pre_checkout_timeout``; nothing more was delivered).  ``replies``: bot messages sent
    or edited in the payer's private chat (and the invoice's chat) meanwhile; with ``wait=False`` only
    those sent before the pre-checkout answer.
    """

    outcome: Literal["paid", "refused", "timeout"]
    invoice: SentInvoice
    pre_checkout_query_id: str
    currency: str
    total_amount: int
    invoice_payload: str
    error_message: str | None = None
    telegram_payment_charge_id: str | None = None
    provider_payment_charge_id: str | None = None
    order_info: dict[str, Any] | None = None
    message: SandboxMessage | None = None  # the payer's successful_payment message (outcome "paid")
    replies: list[SandboxMessage] = field(default_factory=list)

    @property
    def paid(self) -> bool:
        return self.outcome == "paid"

    def successful_payment_json(self) -> dict[str, Any]:
        """The SuccessfulPayment object Telegram delivers for this payment (outcome "paid" only)."""
        if self.telegram_payment_charge_id is None or self.provider_payment_charge_id is None:
            raise AssertionError(f"payment {self.pre_checkout_query_id} was not paid ({self.outcome})")
        body: dict[str, Any] = {
            "currency": self.currency,
            "total_amount": self.total_amount,
            "invoice_payload": self.invoice_payload,
            "telegram_payment_charge_id": self.telegram_payment_charge_id,
            "provider_payment_charge_id": self.provider_payment_charge_id,
        }
        if self.order_info:
            body["order_info"] = self.order_info
        return body


@dataclass
class _PreCheckout:
    query_id: str
    user_id: int
    invoice: SentInvoice
    posted_at: float
    answered: asyncio.Future[tuple[bool, str | None]]
    expired: bool = False


def _to_bool(value: Any) -> bool:
    """The Bot API server's reading of a boolean parameter: "true", "yes" or "1" (any case)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "yes", "1"}


def _string(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _required(params: dict[str, Any], name: str) -> str:
    value = _string(params, name)
    if not value:
        raise bad_request(f'parameter "{name}" is required')
    return value


def _json_arg(params: dict[str, Any], name: str) -> Any:
    """A JSON-serialized parameter: a string in form data, already decoded in a JSON body."""
    value = params.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    return value


def _integer(value: Any) -> int | None:
    """td::to_integer_safe: a JSON number or string holding an integer (no fraction, no exponent)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    if isinstance(value, float):
        text = repr(value)
    body = text[1:] if text.startswith("-") else text
    return int(text) if body.isdigit() and body.isascii() else None


def _labeled_prices(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise bad_request("expected an Array of labeled prices")
    prices = []
    for item in raw:
        if not isinstance(item, dict):
            problem = "LabeledPrice must be an Object"
        elif "label" not in item:
            problem = 'Can\'t find field "label"'
        elif not isinstance(item["label"], (str, int, float)) or isinstance(item["label"], bool):
            problem = 'Field "label" must be of type String'
        elif str(item["label"]) == "":
            problem = "LabeledPrice label must be non-empty"
        elif "amount" not in item:
            problem = 'Can\'t find field "amount"'
        elif not isinstance(item["amount"], (str, int, float)) or isinstance(item["amount"], bool):
            problem = 'Field "amount" must be a Number'
        elif _integer(item["amount"]) is None:
            problem = 'Field "amount" must be a valid Number'
        else:
            prices.append({"label": str(item["label"]), "amount": _integer(item["amount"])})
            continue
        raise bad_request(f"can't parse labeled price: {problem}")
    if not prices:
        raise bad_request("there must be at least one price")
    return prices


def _suggested_tips(params: dict[str, Any]) -> list[int]:
    raw = params.get("suggested_tip_amounts")
    if raw is None or raw == "":
        return []
    raw = _json_arg(params, "suggested_tip_amounts")
    if not isinstance(raw, list):
        raise bad_request("expected an Array of suggested tip amounts")
    tips = []
    for item in raw:
        if isinstance(item, bool) or not isinstance(item, (int, float, str)):
            raise bad_request("suggested tip amount must be of type Number or String")
        amount = _integer(item)
        if amount is None:
            raise bad_request("can't parse suggested tip amount as Number")
        tips.append(amount)
    return tips


class PaymentsMixin:
    """sendInvoice and answerPreCheckoutQuery.

    ``pre_checkout_timeout`` (seconds, Telegram's 10 by default): how long a payment waits for
    answerPreCheckoutQuery; an answer later than that is refused with "query is too old ...".
    ``currencies``: the accepted currencies and their limits (:data:`CURRENCIES`).
    ``provider_tokens``: the tokens BotFather would have given this bot (None: any non-empty token).
    """

    API_METHODS: ClassVar[dict[str, str]] = {
        "sendInvoice": "_send_invoice",
        "answerPreCheckoutQuery": "_answer_pre_checkout_query",
    }

    bot_id: int
    pre_checkout_timeout: float
    _chats: dict[int, _Chat]
    _groups: dict[int, SandboxGroup]
    _users_by_id: dict[int, ScriptedUser]
    _known_chats: set[int]

    def _setup_payments(self) -> None:
        self.currencies: dict[str, Currency] = dict(CURRENCIES)
        self.provider_tokens: set[str] | None = None
        self.invoices: list[SentInvoice] = []  # every invoice the bot sent, oldest first
        self.payments: list[PaymentResult] = []  # every ScriptedUser.pay, oldest first
        self._invoice_by_message: dict[tuple[int, int], SentInvoice] = {}
        self._pre_checkouts: dict[str, _PreCheckout] = {}
        self._pre_checkout_counter = itertools.count(1)
        self._charge_counter = itertools.count(1)

    def invoice_of(self, message: SandboxMessage) -> SentInvoice | None:
        """The invoice the bot sent as ``message`` (None when it is not an invoice)."""
        return self._invoice_by_message.get((message.chat_id, message.message_id))

    # ------------------------------------------------------------------ sendInvoice

    async def _send_invoice(self, params: dict[str, Any]) -> dict[str, Any]:
        # the Bot API server's own parsing, in its order (Client::get_input_message_invoice)
        title = _required(params, "title")
        description = _required(params, "description")
        payload = _required(params, "payload")
        provider_token = _string(params, "provider_token")
        currency = _required(params, "currency")
        _required(params, "prices")
        prices = _labeled_prices(_json_arg(params, "prices"))
        max_tip_amount = 0
        if _string(params, "max_tip_amount"):
            parsed = _integer(params["max_tip_amount"])
            if parsed is None:
                raise bad_request('can\'t parse "max_tip_amount" as Number')
            max_tip_amount = parsed
        tips = _suggested_tips(params)
        # TDLib's checks (InputInvoice::process_input_message_invoice)
        total = 0
        for price in prices:
            if abs(price["amount"]) > MAX_AMOUNT:
                raise bad_request("too big amount of the currency specified")
            total += price["amount"]
        if total <= 0:
            raise bad_request("total price must be positive")
        if total > MAX_AMOUNT:
            raise bad_request("total price is too big")
        if max_tip_amount < 0 or max_tip_amount > MAX_AMOUNT:
            raise bad_request("invalid max_tip_amount of the currency specified")
        for tip in tips:
            if tip <= 0:
                raise bad_request("suggested tip amount must be positive")
            if tip > max_tip_amount:
                raise bad_request("suggested tip amount can't be bigger than max_tip_amount")
        if len(tips) > MAX_SUGGESTED_TIPS:
            raise bad_request("there can be at most 4 suggested tip amounts")
        chat_id = self._require_chat(params)
        markup = parse_markup(params.get("reply_markup"), inline_only=True)
        # Telegram's server
        if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
            raise bad_request("INVOICE_PAYLOAD_INVALID")
        known = self.currencies.get(currency)
        if known is None:
            raise bad_request("CURRENCY_INVALID")  # the sandbox's wording: see the module docstring
        if not provider_token or (self.provider_tokens is not None and provider_token not in self.provider_tokens):
            raise bad_request("PAYMENT_PROVIDER_INVALID")
        if not known.min_amount <= total <= known.max_amount:
            raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
        if len(title) > MAX_TITLE:
            raise bad_request(f"invoice title is longer than {MAX_TITLE} characters")  # the sandbox's wording
        if len(description) > MAX_DESCRIPTION:
            raise bad_request(f"invoice description is longer than {MAX_DESCRIPTION} characters")
        if any(later <= earlier for earlier, later in itertools.pairwise(tips)):
            raise bad_request("suggested tip amounts must be strictly increasing")  # the sandbox's wording
        rows = (markup or {}).get("inline_keyboard") or []
        if rows and (not rows[0] or rows[0][0].get("pay") is not True):
            raise bad_request("the first button of an invoice must be a Pay button")  # the sandbox's wording
        self._check_flood(chat_id)
        message = self._new_bot_message(chat_id)
        start_parameter = _string(params, "start_parameter")
        message.invoice = InvoiceInfo(title, description, currency, total, start_parameter)
        self._apply_markup(message, markup)
        sent = SentInvoice(
            message=message,
            title=title,
            description=description,
            payload=payload,
            provider_token=provider_token,
            currency=currency,
            prices=prices,
            total_amount=total,
            max_tip_amount=max_tip_amount,
            suggested_tip_amounts=tips,
            start_parameter=start_parameter,
            provider_data=_string(params, "provider_data"),
            photo_url=_string(params, "photo_url"),
            **{
                flag: _to_bool(params.get(flag, ""))
                for flag in (
                    "need_name",
                    "need_phone_number",
                    "need_email",
                    "need_shipping_address",
                    "send_phone_number_to_provider",
                    "send_email_to_provider",
                    "is_flexible",
                    "protect_content",
                )
            },
        )
        self.invoices.append(sent)
        self._invoice_by_message[(chat_id, message.message_id)] = sent
        self._commit(message, "sent", markup)
        return message.raw

    # ------------------------------------------------------------------ paying

    async def _pay(
        self,
        person: ScriptedUser,
        message: SandboxMessage,
        *,
        wait: bool,
        tip: int,
        order_info: dict[str, Any] | None,
    ) -> PaymentResult:
        invoice = self._invoice_for_payment(person, message)
        if tip < 0 or tip > invoice.max_tip_amount:
            raise AssertionError(
                f"{person.name}: a tip of {tip} is not allowed by this invoice "
                f"(max_tip_amount={invoice.max_tip_amount})"
            )
        info = self._order_info(person, invoice, order_info)
        total = invoice.total_amount + tip
        query_id = f"{person.id}{next(self._pre_checkout_counter):07d}"
        body: dict[str, Any] = {
            "id": query_id,
            "from": self._user_json(person),
            "currency": invoice.currency,
            "total_amount": total,
            "invoice_payload": invoice.payload,
        }
        if info:
            body["order_info"] = info
        loop = asyncio.get_running_loop()
        query = _PreCheckout(query_id, person.id, invoice, time.monotonic(), loop.create_future())
        self._pre_checkouts[query_id] = query
        pending, tracker = self._post_update(
            "pre_checkout_query", body, person.id, f"pre-checkout query {query_id} from {person.name}"
        )
        person._last_update = pending
        ok, error_message = await self._await_pre_checkout(query, tracker)
        result = PaymentResult(
            outcome="paid" if ok else ("timeout" if error_message is None else "refused"),
            invoice=invoice,
            pre_checkout_query_id=query_id,
            currency=invoice.currency,
            total_amount=total,
            invoice_payload=invoice.payload,
            error_message=error_message,
            order_info=info or None,
        )
        self.payments.append(result)
        if ok:
            charge = next(self._charge_counter)
            result.telegram_payment_charge_id = f"{self.bot_id}_{person.id}_{charge}"
            result.provider_payment_charge_id = f"sandbox_{charge}_{uuid.uuid4().hex[:16]}"
            paid_tracker = self._post_successful_payment(person, result, "successful payment")
            result.message = self._chat(person.id).messages[paid_tracker[0].payload["message"]["message_id"]]
            if wait:
                await self._wait(paid_tracker[1])
        result.replies = self._payment_replies(person, invoice, tracker.start_seq)
        return result

    async def _redeliver_successful_payment(
        self, person: ScriptedUser, result: PaymentResult, *, wait: bool
    ) -> list[SandboxMessage]:
        if not result.paid:
            raise AssertionError(
                f"{person.name}: payment {result.pre_checkout_query_id} was not paid ({result.outcome})"
            )
        _pending, tracker = self._post_successful_payment(person, result, "successful payment delivered again")
        return await self._wait(tracker) if wait else []

    def _post_successful_payment(
        self, person: ScriptedUser, result: PaymentResult, described: str
    ) -> tuple[_Pending, _Tracker]:
        """The payer's service message with ``successful_payment``, in the payer's private chat (where
        Telegram delivers it for invoices in private chats; for invoices in groups the sandbox assumes the
        same)."""
        self._known_chats.add(person.id)
        payload = self._incoming_message(
            person.id,
            "",
            sender=self._user_json(person),
            extra={"successful_payment": result.successful_payment_json()},
        )
        pending, tracker = self._post_update(
            "message", payload, person.id, f"{described} {result.telegram_payment_charge_id} from {person.name}"
        )
        person._last_update = pending
        return pending, tracker

    async def _await_pre_checkout(self, query: _PreCheckout, tracker: _Tracker) -> tuple[bool, str | None]:
        """(ok, error_message) of the bot's answer; (False, None) when none came in time."""
        deadline = query.posted_at + self.pre_checkout_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            done, _ = await asyncio.wait(
                {query.answered, tracker.future}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
            )
            if query.answered in done:
                return query.answered.result()
            if tracker.future in done and tracker.future.result().startswith("dropped"):
                break  # the bot will never see the query (allowed_updates, drop_pending_updates)
            if tracker.future in done:
                try:
                    return await asyncio.wait_for(asyncio.shield(query.answered), max(deadline - time.monotonic(), 0))
                except TimeoutError:
                    break
        query.expired = True
        if not query.answered.done():
            query.answered.cancel()
        return False, None

    def _invoice_for_payment(self, person: ScriptedUser, message: SandboxMessage) -> SentInvoice:
        invoice = self.invoice_of(message)
        if invoice is None or message.invoice is None:
            raise AssertionError(
                f"{person.name}: message {message.message_id} in chat {message.chat_id} is not an invoice; "
                f"only a message the bot sent with sendInvoice can be paid"
            )
        if message.deleted:
            raise AssertionError(f"{person.name}: the invoice message {message.message_id} was deleted")
        group = self._groups.get(message.chat_id)
        if message.chat_id != person.id and (group is None or person not in group.members):
            raise AssertionError(
                f"{person.name} can't see invoice message {message.message_id} in chat {message.chat_id}"
            )
        if invoice.is_flexible or invoice.need_shipping_address:
            raise AssertionError(
                f"{person.name}: invoice {invoice.title!r} asks for a shipping address; shipping queries are "
                f"not imitated by the sandbox"
            )
        return invoice

    @staticmethod
    def _order_info(person: ScriptedUser, invoice: SentInvoice, given: dict[str, Any] | None) -> dict[str, Any]:
        """What the payer fills in for the need_* fields (their name, a made-up phone and e-mail unless
        ``given``); only the fields the invoice asks for."""
        defaults = {
            "name": person.name,
            "phone_number": f"1555{person.id:07d}",
            "email": f"{person.name.lower().replace(' ', '.')}@example.org",
        }
        info = dict(given or {})
        wanted = {
            "name": invoice.need_name,
            "phone_number": invoice.need_phone_number or invoice.send_phone_number_to_provider,
            "email": invoice.need_email or invoice.send_email_to_provider,
        }
        for key, needed in wanted.items():
            if needed and not info.get(key):
                info[key] = defaults[key]
        return {k: v for k, v in info.items() if v not in (None, "")}

    def _payment_replies(self, person: ScriptedUser, invoice: SentInvoice, seq: int) -> list[SandboxMessage]:
        chat_ids = list(dict.fromkeys([person.id, invoice.chat_id]))
        return [m for chat_id in chat_ids for m in self._messages_since(chat_id, seq)]

    # ------------------------------------------------------------------ answerPreCheckoutQuery

    async def _answer_pre_checkout_query(self, params: dict[str, Any]) -> bool:
        query = self._pre_checkouts.get(_string(params, "pre_checkout_query_id"))
        ok = _to_bool(params.get("ok", ""))
        error_message = _string(params, "error_message")
        if not ok and not error_message:
            raise bad_request('parameter "error_message" is required')
        if query is None or query.expired or query.answered.done():
            raise bad_request(QUERY_TOO_OLD)  # Telegram's QUERY_ID_INVALID, as the Bot API words it
        if time.monotonic() - query.posted_at > self.pre_checkout_timeout:
            query.expired = True
            raise bad_request(QUERY_TOO_OLD)
        query.answered.set_result((True, None) if ok else (False, error_message))
        return True
