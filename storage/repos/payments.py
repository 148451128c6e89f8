"""Payments received through Telegram Payments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from domain.money import Money
from storage.repos._base import Repo
from storage.tables import payments


class PaymentRepo(Repo):
    async def add(
        self,
        user_id: int,
        purpose: str,
        amount: Money,
        payload: str,
        telegram_charge_id: str,
        provider_charge_id: str,
        now: datetime,
    ) -> int | None:
        """The new payment's id, or None when this Telegram charge is recorded already (a redelivery; a
        concurrent one waits for the first to commit and then finds it)."""
        result = await self.conn.execute(
            self.insert(payments)
            .values(
                user_id=user_id,
                purpose=purpose,
                amount_minor=amount.minor,
                currency=amount.currency,
                payload=payload[:128],
                telegram_charge_id=telegram_charge_id[:255],
                provider_charge_id=provider_charge_id[:255],
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=[payments.c.telegram_charge_id])
            .returning(payments.c.id)
        )
        return result.scalar_one_or_none()

    async def link_entry(self, payment_id: int, entry_id: int) -> None:
        await self.conn.execute(update(payments).where(payments.c.id == payment_id).values(wallet_entry_id=entry_id))
