from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.errors import DuplicateOperation
from domain.models import EntryKind, WalletEntry
from domain.money import Money
from storage.repos._base import Repo
from storage.tables import wallet_entries, wallets


def _entry(row) -> WalletEntry:
    return WalletEntry(
        id=row.id,
        user_id=row.user_id,
        amount=Money(row.amount_minor, row.currency),
        kind=EntryKind(row.kind),
        idempotency_key=row.idempotency_key,
        balance_after=Money(row.balance_after_minor, row.currency),
        created_at=row.created_at,
        order_id=row.order_id,
    )


class WalletRepo(Repo):
    async def balance(self, user_id: int, currency: str) -> Money:
        row = (await self.conn.execute(select(wallets).where(wallets.c.user_id == user_id))).first()
        return Money(row.balance_minor, row.currency) if row else Money.zero(currency)

    async def apply(
        self,
        user_id: int,
        amount: Money,
        kind: EntryKind,
        idempotency_key: str,
        now: datetime,
        order_id: int | None = None,
        actor_id: int | None = None,
        new_key: bool = False,
    ) -> WalletEntry | None:
        # The key is checked before the balance moves: a replay is a duplicate even when it would
        # no longer fit the balance. A concurrent replay still fails on the unique index below,
        # which aborts the whole transaction. A key naming what this transaction just created
        # (new_key) cannot have been used: the unique index alone guards it.
        if not new_key and await self.entry_by_key(idempotency_key) is not None:
            raise DuplicateOperation(key=idempotency_key)
        if amount.minor >= 0:  # a debit needs a wallet with money in it already
            await self.conn.execute(
                self.insert(wallets)
                .values(user_id=user_id, balance_minor=0, currency=amount.currency, updated_at=now)
                .on_conflict_do_nothing(index_elements=[wallets.c.user_id])
            )
        stmt = update(wallets).where(wallets.c.user_id == user_id, wallets.c.currency == amount.currency)
        if amount.minor < 0:
            # The balance never goes below zero: the debit applies only if it fits, atomically.
            stmt = stmt.where(wallets.c.balance_minor + amount.minor >= 0)
        row = (
            await self.conn.execute(
                stmt.values(balance_minor=wallets.c.balance_minor + amount.minor, updated_at=now).returning(
                    wallets.c.balance_minor
                )
            )
        ).first()
        if row is None:
            return None
        try:
            result = await self.conn.execute(
                insert(wallet_entries)
                .values(
                    user_id=user_id,
                    amount_minor=amount.minor,
                    currency=amount.currency,
                    kind=kind.value,
                    idempotency_key=idempotency_key,
                    order_id=order_id,
                    actor_id=actor_id,
                    balance_after_minor=row.balance_minor,
                    created_at=now,
                )
                .returning(*wallet_entries.c)
            )
        except IntegrityError as exc:
            if "idempotency_key" not in str(exc.orig):
                raise
            raise DuplicateOperation(key=idempotency_key) from exc
        return _entry(result.one())

    async def entry_by_key(self, idempotency_key: str) -> WalletEntry | None:
        row = (
            await self.conn.execute(select(wallet_entries).where(wallet_entries.c.idempotency_key == idempotency_key))
        ).first()
        return _entry(row) if row else None

    async def history(self, user_id: int, limit: int) -> list[WalletEntry]:
        rows = await self.conn.execute(
            select(wallet_entries)
            .where(wallet_entries.c.user_id == user_id)
            .order_by(wallet_entries.c.id.desc())
            .limit(limit)
        )
        return [_entry(r) for r in rows]

    async def entries_sum(self, user_id: int) -> int:
        stmt = select(func.coalesce(func.sum(wallet_entries.c.amount_minor), 0)).where(
            wallet_entries.c.user_id == user_id
        )
        return int((await self.conn.execute(stmt)).scalar_one())
