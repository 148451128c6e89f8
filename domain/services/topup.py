"""Topping the wallet up by card through Telegram Payments: the invoice, the pre-checkout check, the credit.

Telegram takes the money between the pre-checkout answer and the successful_payment message; after that
the money is the customer's whatever happens, so the credit never refuses: it is keyed by Telegram's charge
id (a payment delivered twice credits once) and made in one transaction with the payment's record."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from domain.clock import Clock
from domain.errors import PaymentRefused, TopUpAmountInvalid, TopUpUnavailable
from domain.models import EntryKind, User
from domain.money import Money
from domain.ports import UnitOfWorkFactory
from domain.topup import LIMITS_MAJOR, TopUpPayload, limits, presets, within_limits

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TopUpResult:
    amount: Money
    balance: Money
    duplicate: bool  # this charge was credited before: nothing changed now


class TopUpService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, currency: str, available: bool) -> None:
        """`available`: a payment provider is configured (PAYMENT_PROVIDER_TOKEN); and the shop's currency
        must be one it has top-up limits for."""
        self._uow = uow
        self._clock = clock
        self._currency = currency
        self._available = available and currency in LIMITS_MAJOR

    @property
    def available(self) -> bool:
        return self._available

    def presets(self) -> list[Money]:
        self._ensure_available()
        return presets(self._currency)

    def limits(self) -> tuple[Money, Money]:
        return limits(self._currency)

    def invoice(self, user: User, amount: Money | str) -> TopUpPayload:
        """What to send an invoice for: a preset or a typed amount within the limits."""
        self._ensure_available()
        if isinstance(amount, str):
            amount = Money.parse(amount, self._currency)
        if amount.currency != self._currency or not within_limits(amount):
            low, high = limits(self._currency)
            raise TopUpAmountInvalid(min=low, max=high)
        return TopUpPayload(user.id, amount, secrets.token_hex(4))

    async def check(self, telegram_id: int, payload: str, currency: str, total: int) -> None:
        """The pre-checkout answer: the invoice is this person's, for this amount, in this currency."""
        asked = TopUpPayload.decode(payload)
        if asked is None or currency != asked.amount.currency or total != asked.amount.minor:
            raise PaymentRefused(reason="mismatch")
        if not self._available or not within_limits(asked.amount):
            raise PaymentRefused(reason="unavailable")
        async with self._uow(write=False) as uow:
            user = await uow.users.by_telegram_id(telegram_id)
        if user is None or user.id != asked.user_id:
            raise PaymentRefused(reason="not_yours")

    async def credit(
        self, payer: User, payload: str, currency: str, total: int, telegram_charge_id: str, provider_charge_id: str
    ) -> TopUpResult:
        """Money Telegram took from `payer`: to their wallet, once per charge, whatever the payload says."""
        amount = Money(total, currency)
        now = self._clock.now()
        async with self._uow() as uow:
            payment_id = await uow.payments.add(
                payer.id, "topup", amount, payload, telegram_charge_id, provider_charge_id, now
            )
            if payment_id is None:
                balance = await uow.wallets.balance(payer.id, currency)
                return TopUpResult(amount, balance, duplicate=True)
            entry = await uow.wallets.apply(
                payer.id, amount, EntryKind.TOPUP, f"payment:{telegram_charge_id}"[:120], now, new_key=True
            )
            assert entry is not None, "a positive credit cannot overdraw"
            await uow.payments.link_entry(payment_id, entry.id)
            await uow.commit()
        logger.info("wallet topped up by card: user_id=%s amount_minor=%s", payer.id, total)
        return TopUpResult(amount, entry.balance_after, duplicate=False)

    def _ensure_available(self) -> None:
        if not self._available:
            raise TopUpUnavailable()
