"""The wallet is a ledger: every change is an entry with an idempotency key."""

from __future__ import annotations

from dataclasses import dataclass

from domain.clock import Clock
from domain.errors import InvalidAmount, UserNotFound
from domain.models import EntryKind, User, WalletEntry
from domain.money import Money
from domain.policies import AdminPolicy
from domain.ports import UnitOfWorkFactory
from domain.views import WalletView

MAX_CREDIT_MAJOR = 1_000_000


@dataclass(frozen=True, slots=True)
class CreditResult:
    target: User
    entry: WalletEntry
    duplicate: bool


class WalletService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, admins: AdminPolicy, currency: str) -> None:
        self._uow = uow
        self._clock = clock
        self._admins = admins
        self._currency = currency

    async def overview(self, user_id: int, limit: int = 10) -> WalletView:
        async with self._uow(write=False) as uow:
            balance = await uow.wallets.balance(user_id, self._currency)
            entries = await uow.wallets.history(user_id, limit)
        return WalletView(balance, entries)

    async def admin_credit(self, actor: User, target_telegram_id: int, amount_text: str, key: str) -> CreditResult:
        """Support credits a wallet by hand; the key (the admin's update) makes a redelivery harmless."""
        self._admins.ensure_admin(actor)
        amount = Money.parse(amount_text, self._currency)
        if not amount.is_positive or amount.as_decimal() > MAX_CREDIT_MAJOR:
            raise InvalidAmount(text=amount_text[:40])
        now = self._clock.now()
        async with self._uow() as uow:
            target = await uow.users.by_telegram_id(target_telegram_id)
            if target is None:
                raise UserNotFound(telegram_id=target_telegram_id)
            existing = await uow.wallets.entry_by_key(key)
            if existing is not None:
                return CreditResult(target, existing, duplicate=True)
            entry = await uow.wallets.apply(target.id, amount, EntryKind.CREDIT, key, now, actor_id=actor.id)
            assert entry is not None, "a positive credit cannot overdraw"
            await uow.commit()
        return CreditResult(target, entry, duplicate=False)
