"""Membership plans, memberships and the notices the renewal sweep leaves for their holders."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from domain import pricing
from domain.models import Membership, MembershipNotice, MembershipPlan, MembershipStatus, NoticeKind
from domain.money import Money
from storage.repos._base import Repo
from storage.repos.users import _user
from storage.tables import membership_notices, membership_plans, memberships, users

_ACTIVE = MembershipStatus.ACTIVE.value


def _categories(text: str) -> frozenset[str]:
    return frozenset(json.loads(text or "[]"))


def _plan(row) -> MembershipPlan:
    return MembershipPlan(
        id=row.id,
        name=row.name,
        price=Money(row.price_minor, row.currency),
        basis_points=row.basis_points,
        categories=_categories(row.categories),
        combinable=bool(row.combinable),
        retired=row.retired_at is not None,
    )


def _membership(row) -> Membership:
    return Membership(
        id=row.id,
        user_id=row.user_id,
        plan_id=row.plan_id,
        status=MembershipStatus(row.status),
        renew=bool(row.renew),
        period=row.period,
        started_at=row.started_at,
        paid_until=row.paid_until,
        price=Money(row.price_minor, row.currency),
        ended_at=row.ended_at,
    )


class MembershipRepo(Repo):
    # ------------------------------------------------------------------------------------------ plans

    async def plans(self, retired: bool = False) -> list[MembershipPlan]:
        """Plans on sale (with retired=True: every plan), oldest first."""
        stmt = select(membership_plans).order_by(membership_plans.c.id)
        if not retired:
            stmt = stmt.where(membership_plans.c.retired_at.is_(None))
        return [_plan(r) for r in await self.conn.execute(stmt)]

    async def plan(self, plan_id: int, lock: bool = False) -> MembershipPlan | None:
        stmt = select(membership_plans).where(membership_plans.c.id == plan_id)
        if lock and self.conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return _plan(row) if row else None

    async def add_plan(self, plan: MembershipPlan, now: datetime) -> MembershipPlan:
        row = (
            await self.conn.execute(
                insert(membership_plans)
                .values(
                    name=plan.name,
                    price_minor=plan.price.minor,
                    currency=plan.price.currency,
                    basis_points=plan.basis_points,
                    categories=json.dumps(sorted(plan.categories)),
                    combinable=plan.combinable,
                    created_at=now,
                )
                .returning(*membership_plans.c)
            )
        ).one()
        return _plan(row)

    async def save_plan(self, plan: MembershipPlan) -> bool:
        """Price, discount, categories and combinability of a plan still on sale; False when it is retired."""
        stmt = (
            update(membership_plans)
            .where(membership_plans.c.id == plan.id, membership_plans.c.retired_at.is_(None))
            .values(
                price_minor=plan.price.minor,
                currency=plan.price.currency,
                basis_points=plan.basis_points,
                categories=json.dumps(sorted(plan.categories)),
                combinable=plan.combinable,
            )
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    async def retire_plan(self, plan_id: int, now: datetime) -> bool:
        """Sold no more; True for the one call that retired it."""
        stmt = (
            update(membership_plans)
            .where(membership_plans.c.id == plan_id, membership_plans.c.retired_at.is_(None))
            .values(retired_at=now)
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    # ------------------------------------------------------------------------------------ memberships

    async def active_for(self, user_id: int, now: datetime) -> pricing.Membership | None:
        """The pricing input of the person's membership whose paid period covers `now`, in one statement."""
        stmt = (
            select(
                membership_plans.c.name,
                membership_plans.c.basis_points,
                membership_plans.c.categories,
                membership_plans.c.combinable,
            )
            .select_from(memberships.join(membership_plans, membership_plans.c.id == memberships.c.plan_id))
            .where(
                memberships.c.user_id == user_id,
                memberships.c.status == _ACTIVE,
                memberships.c.started_at <= now,
                memberships.c.paid_until > now,
            )
            .limit(1)
        )
        row = (await self.conn.execute(stmt)).first()
        if row is None:
            return None
        return pricing.Membership(
            plan=row.name,
            basis_points=row.basis_points,
            categories=_categories(row.categories),
            combinable=bool(row.combinable),
        )

    async def get(self, membership_id: int, lock: bool = False) -> Membership | None:
        stmt = select(memberships).where(memberships.c.id == membership_id)
        if lock and self.conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return _membership(row) if row else None

    async def current(self, user_id: int, lock: bool = False) -> tuple[Membership, MembershipPlan] | None:
        """The person's running membership (status active: at most one) with its plan."""
        stmt = select(memberships).where(memberships.c.user_id == user_id, memberships.c.status == _ACTIVE)
        if lock and self.conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        if row is None:
            return None
        membership = _membership(row)
        return membership, await self.plan(membership.plan_id)

    async def by_buy_key(self, buy_key: str) -> Membership | None:
        row = (await self.conn.execute(select(memberships).where(memberships.c.buy_key == buy_key))).first()
        return _membership(row) if row else None

    async def add(self, membership: Membership, buy_key: str) -> Membership | None:
        """None when the person has a running membership already (two Buy presses at once: one wins)."""
        try:
            row = (
                await self.conn.execute(
                    insert(memberships)
                    .values(
                        user_id=membership.user_id,
                        plan_id=membership.plan_id,
                        status=membership.status.value,
                        renew=membership.renew,
                        period=membership.period,
                        started_at=membership.started_at,
                        paid_until=membership.paid_until,
                        price_minor=membership.price.minor,
                        currency=membership.price.currency,
                        buy_key=buy_key,
                    )
                    .returning(*memberships.c)
                )
            ).one()
        except IntegrityError as exc:
            if "buy_key" in str(exc.orig) or "active_user" in str(exc.orig) or "memberships.user_id" in str(exc.orig):
                return None
            raise
        return _membership(row)

    async def set_renew(self, membership_id: int, renew: bool) -> bool:
        """True when it changed (a running membership only)."""
        stmt = (
            update(memberships)
            .where(
                memberships.c.id == membership_id,
                memberships.c.status == _ACTIVE,
                memberships.c.renew.is_(not renew),
            )
            .values(renew=renew)
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    async def claim_due(self, now: datetime) -> Membership | None:
        """One running membership whose paid period is over, locked for this transaction; on PostgreSQL one
        another sweep holds is skipped (SKIP LOCKED), on SQLite BEGIN IMMEDIATE made this the only writer."""
        stmt = (
            select(memberships)
            .where(memberships.c.status == _ACTIVE, memberships.c.paid_until <= now)
            .order_by(memberships.c.paid_until, memberships.c.id)
            .limit(1)
        )
        if self.conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        row = (await self.conn.execute(stmt)).first()
        return _membership(row) if row else None

    async def extend(self, membership_id: int, from_period: int, to_period: int, paid_until: datetime) -> bool:
        """Paid for period `to_period`, ending at paid_until; conditional on `from_period` being the last
        one paid, so a second renewal of the same period changes nothing."""
        stmt = (
            update(memberships)
            .where(
                memberships.c.id == membership_id,
                memberships.c.status == _ACTIVE,
                memberships.c.period == from_period,
            )
            .values(period=to_period, paid_until=paid_until)
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    async def end(self, membership_id: int, period: int, status: MembershipStatus, now: datetime) -> bool:
        """A running membership whose last paid period is `period` ends (ended or lapsed)."""
        stmt = (
            update(memberships)
            .where(
                memberships.c.id == membership_id,
                memberships.c.status == _ACTIVE,
                memberships.c.period == period,
            )
            .values(status=status.value, ended_at=now)
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    # ---------------------------------------------------------------------------------------- notices

    async def add_notice(
        self,
        membership_id: int,
        kind: NoticeKind,
        now: datetime,
        amount: Money | None = None,
        paid_until: datetime | None = None,
    ) -> None:
        await self.conn.execute(
            insert(membership_notices).values(
                membership_id=membership_id,
                kind=kind.value,
                amount_minor=amount.minor if amount else None,
                currency=amount.currency if amount else None,
                paid_until=paid_until,
                created_at=now,
            )
        )

    async def claim_notices(self, limit: int, now: datetime, stale_before: datetime) -> list[MembershipNotice]:
        """Up to `limit` unsent notices, oldest first, marked claimed now: never one another sender claimed
        after `stale_before` (it is still at work); one claimed before that is a dead sender's."""
        n = membership_notices.c
        pick = (
            select(n.id)
            .where(n.sent_at.is_(None), or_(n.claimed_at.is_(None), n.claimed_at < stale_before))
            .order_by(n.id)
            .limit(limit)
        )
        if self.conn.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        ids = [r.id for r in await self.conn.execute(pick)]
        if not ids:
            return []
        await self.conn.execute(update(membership_notices).where(n.id.in_(ids)).values(claimed_at=now))
        stmt = (
            select(
                n.id.label("notice_id"),
                n.kind,
                n.amount_minor,
                n.currency.label("notice_currency"),
                n.paid_until.label("notice_paid_until"),
                membership_plans.c.name.label("plan_name"),
                users,
            )
            .select_from(
                membership_notices.join(memberships, memberships.c.id == n.membership_id)
                .join(membership_plans, membership_plans.c.id == memberships.c.plan_id)
                .join(users, users.c.id == memberships.c.user_id)
            )
            .where(n.id.in_(ids))
            .order_by(n.id)
        )
        return [
            MembershipNotice(
                id=r.notice_id,
                user=_user(r),
                kind=NoticeKind(r.kind),
                plan=r.plan_name,
                amount=Money(r.amount_minor, r.notice_currency) if r.amount_minor is not None else None,
                paid_until=r.notice_paid_until,
            )
            for r in await self.conn.execute(stmt)
        ]

    async def notice_sent(self, notice_id: int, now: datetime) -> bool:
        stmt = (
            update(membership_notices)
            .where(membership_notices.c.id == notice_id, membership_notices.c.sent_at.is_(None))
            .values(sent_at=now)
        )
        return (await self.conn.execute(stmt)).rowcount == 1
