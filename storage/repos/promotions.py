"""Promo codes with their uses, and the automatic promotions of events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update

from domain.money import Money
from domain.pricing import Scope, ScopeKind
from domain.promotions import CartCode, CodeRule, PromotionKind, PromotionRule, weekdays_mask, weekdays_of
from storage.repos._base import Repo
from storage.tables import promo_code_uses, promo_codes, promotions


def _money(minor: int | None, currency: str) -> Money | None:
    return Money(minor, currency) if minor is not None else None


def _code(row) -> CodeRule:
    kind = ScopeKind(row.scope_kind)
    return CodeRule(
        id=row.id,
        code=row.code,
        name=row.name,
        event_id=row.event_id,
        scope=Scope(kind, row.scope_target if kind is not ScopeKind.CART else None),
        basis_points=row.basis_points,
        amount=_money(row.amount_minor, row.currency),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        max_uses=row.max_uses,
        max_uses_per_person=row.max_uses_per_person,
        min_cart=_money(row.min_cart_minor, row.currency),
        combinable=row.combinable,
        active=row.active,
        uses=row.uses,
    )


def _code_values(rule: CodeRule, currency: str) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "event_id": rule.event_id,
        "scope_kind": rule.scope.kind.value,
        "scope_target": rule.scope.target,
        "basis_points": rule.basis_points,
        "amount_minor": rule.amount.minor if rule.amount is not None else None,
        "currency": currency,
        "valid_from": rule.valid_from,
        "valid_until": rule.valid_until,
        "max_uses": rule.max_uses,
        "max_uses_per_person": rule.max_uses_per_person,
        "min_cart_minor": rule.min_cart.minor if rule.min_cart is not None else None,
        "combinable": rule.combinable,
        "active": rule.active,
    }


def _promotion(row) -> PromotionRule:
    return PromotionRule(
        id=row.id,
        event_id=row.event_id,
        kind=PromotionKind(row.kind),
        name=row.name,
        basis_points=row.basis_points,
        amount=_money(row.amount_minor, row.currency),
        min_tickets=row.min_tickets,
        tariff_a=row.tariff_a,
        tariff_b=row.tariff_b,
        weekdays=weekdays_of(row.weekdays),
        days_before=row.days_before,
        tariff_id=row.tariff_id,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        combinable=row.combinable,
        active=row.active,
    )


def _promotion_values(rule: PromotionRule, currency: str) -> dict[str, Any]:
    return {
        "event_id": rule.event_id,
        "kind": rule.kind.value,
        "name": rule.name,
        "basis_points": rule.basis_points,
        "amount_minor": rule.amount.minor if rule.amount is not None else None,
        "currency": currency,
        "min_tickets": rule.min_tickets,
        "tariff_a": rule.tariff_a,
        "tariff_b": rule.tariff_b,
        "weekdays": weekdays_mask(rule.weekdays),
        "days_before": rule.days_before,
        "tariff_id": rule.tariff_id,
        "valid_from": rule.valid_from,
        "valid_until": rule.valid_until,
        "combinable": rule.combinable,
        "active": rule.active,
    }


class PromotionRepo(Repo):
    # ------------------------------------------------------------------------------------------ codes

    async def code(self, code: str) -> CodeRule | None:
        row = (await self.conn.execute(select(promo_codes).where(promo_codes.c.code == code))).first()
        return _code(row) if row else None

    async def code_by_id(self, code_id: int, lock: bool = False) -> CodeRule | None:
        """lock: FOR UPDATE on PostgreSQL (SQLite's writer already excludes every other): an edit then sees
        the uses a payment committed meanwhile, and two edits of one code never lose one."""
        stmt = select(promo_codes).where(promo_codes.c.id == code_id)
        row = (await self.conn.execute(stmt.with_for_update() if lock else stmt)).first()
        return _code(row) if row else None

    async def in_cart(self, codes: list[str], user_id: int) -> dict[str, CartCode]:
        """The stored codes among `codes`, each with how many paid orders of this person carry it (one
        statement). A code missing from the answer no longer exists."""
        if not codes:
            return {}
        person_uses = (
            select(func.count())
            .select_from(promo_code_uses)
            .where(promo_code_uses.c.code_id == promo_codes.c.id, promo_code_uses.c.user_id == user_id)
            .scalar_subquery()
        )
        stmt = select(promo_codes, person_uses.label("person_uses")).where(promo_codes.c.code.in_(codes))
        return {row.code: CartCode(_code(row), row.person_uses) for row in await self.conn.execute(stmt)}

    async def person_uses(self, code_id: int, user_id: int) -> int:
        stmt = select(func.count()).where(promo_code_uses.c.code_id == code_id, promo_code_uses.c.user_id == user_id)
        return (await self.conn.execute(stmt)).scalar_one()

    async def take_use(self, code_id: int, order_id: int, user_id: int, now: datetime) -> bool:
        """Count one use for a paid order; False when its last use is gone (another order took it first)."""
        result = await self.conn.execute(
            update(promo_codes)
            .where(
                promo_codes.c.id == code_id,
                or_(promo_codes.c.max_uses.is_(None), promo_codes.c.uses < promo_codes.c.max_uses),
            )
            .values(uses=promo_codes.c.uses + 1)
        )
        if result.rowcount != 1:
            return False
        await self.conn.execute(
            insert(promo_code_uses).values(code_id=code_id, order_id=order_id, user_id=user_id, used_at=now)
        )
        return True

    async def add_code(self, rule: CodeRule, currency: str, created_by: int | None, now: datetime) -> CodeRule | None:
        """None when the code's text is taken (by any event: a typed code must name one definition)."""
        values = _code_values(rule, currency) | {"created_by": created_by, "created_at": now}
        result = await self.conn.execute(
            self.insert(promo_codes).values(**values).on_conflict_do_nothing().returning(promo_codes.c.id)
        )
        code_id = result.scalar_one_or_none()
        return None if code_id is None else await self.code_by_id(code_id)

    async def update_code(self, rule: CodeRule, currency: str) -> None:
        values = _code_values(rule, currency)
        del values["code"], values["event_id"]  # neither ever changes: they are what buyers and reports know
        await self.conn.execute(update(promo_codes).where(promo_codes.c.id == rule.id).values(**values))

    async def codes_of(self, event_id: int | None) -> list[CodeRule]:
        """An event's codes, or (None) the shop-wide ones, newest first."""
        where = promo_codes.c.event_id.is_(None) if event_id is None else promo_codes.c.event_id == event_id
        stmt = select(promo_codes).where(where).order_by(promo_codes.c.id.desc())
        return [_code(row) for row in await self.conn.execute(stmt)]

    # ------------------------------------------------------------------------------------- promotions

    async def for_events(self, event_ids: list[int]) -> list[PromotionRule]:
        """The active promotions of these events: what a cart holding them is priced with."""
        if not event_ids:
            return []
        stmt = select(promotions).where(and_(promotions.c.event_id.in_(event_ids), promotions.c.active))
        return [_promotion(row) for row in await self.conn.execute(stmt)]

    async def promotions_of(self, event_id: int) -> list[PromotionRule]:
        stmt = select(promotions).where(promotions.c.event_id == event_id).order_by(promotions.c.id)
        return [_promotion(row) for row in await self.conn.execute(stmt)]

    async def promotion(self, promotion_id: int) -> PromotionRule | None:
        row = (await self.conn.execute(select(promotions).where(promotions.c.id == promotion_id))).first()
        return _promotion(row) if row else None

    async def add_promotion(self, rule: PromotionRule, currency: str, now: datetime) -> PromotionRule:
        values = _promotion_values(rule, currency) | {"created_at": now}
        result = await self.conn.execute(insert(promotions).values(**values).returning(promotions.c.id))
        return await self.promotion(result.scalar_one())

    async def update_promotion(self, rule: PromotionRule, currency: str) -> None:
        values = _promotion_values(rule, currency)
        del values["event_id"], values["kind"]
        await self.conn.execute(update(promotions).where(promotions.c.id == rule.id).values(**values))
