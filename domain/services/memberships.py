"""Memberships (D6): a customer buys a plan from the wallet, for one calendar month or renewed monthly; the
membership gives its plan's discount on tickets (domain.pricing reads it through
MembershipRepository.active_for) while a paid period covers the moment.

Rules kept here:
- One running membership per person. Buying while one runs is refused (MembershipActive): the customer
  finishes the one they have (cancelling its renewal if it renews) and buys another when it has ended.
  A membership bought once whose period is over but which the sweep has not closed yet does not stand in
  the way: the purchase closes it.
- A purchase is one transaction: the membership row and the wallet debit (key membership:{id}:1) land
  together or not at all. The Buy button carries a key of its own; a replayed press finds the membership
  it bought and charges nothing.
- Renewal is due work in the database: the sweep claims one due membership at a time (row lock, SKIP LOCKED
  on PostgreSQL), debits the period with the key membership:{id}:{period}, and moves the period on only
  if it is still the one it read. Two sweeps, a restart or a replay renew a period once.
- An empty wallet at renewal ends the membership (lapsed), charging nothing; cancelling renewal keeps the
  membership to the end of the period paid for, with no refund (the buy screen says so first).
- Each period costs what the membership cost when bought: an admin changing a plan's price changes what
  new buyers pay, not what renews. The discount and categories are the plan's own, as they are now.
- Whatever the sweep did is told to the holder through a notice row written in the same transaction and
  sent by the notice sweep (bot/memberships.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain import pricing
from domain.clock import Clock
from domain.errors import (
    DuplicateOperation,
    MembershipActive,
    MembershipNotFound,
    MembershipPlanNotFound,
    MembershipPlanRetired,
    NotEnoughMoney,
    PlanDiscountInvalid,
    PriceInvalid,
)
from domain.memberships import check_categories, next_period, parse_discount, parse_plan_name, period_end
from domain.models import (
    EntryKind,
    Membership,
    MembershipNotice,
    MembershipPlan,
    MembershipStatus,
    NoticeKind,
    User,
)
from domain.money import Money
from domain.policies import AdminPolicy
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.pricing import FULL
from domain.tariff_fields import max_price, parse_price

NOTICE_CLAIM_STALE = timedelta(minutes=5)  # a sender that has not marked a claimed notice by then died


def period_key(membership_id: int, period: int) -> str:
    """The wallet entry's idempotency key of one paid period: at most one charge per period, ever."""
    return f"membership:{membership_id}:{period}"


@dataclass(frozen=True, slots=True)
class MembershipOverview:
    """What /membership shows: the running membership with its plan, else the plans on sale."""

    membership: Membership | None
    plan: MembershipPlan | None
    plans: list[MembershipPlan]
    balance: Money
    now: datetime


@dataclass(frozen=True, slots=True)
class Purchase:
    membership: Membership
    plan: MembershipPlan
    balance: Money  # after the purchase
    duplicate: bool  # a replayed press: this membership was bought by an earlier one
    now: datetime


@dataclass(frozen=True, slots=True)
class Held:
    """A person's running membership as its screen shows it; changed: whether this call changed it."""

    membership: Membership
    plan: MembershipPlan
    now: datetime
    changed: bool = False


@dataclass(frozen=True, slots=True)
class RenewalRun:
    renewed: int = 0
    lapsed: int = 0
    ended: int = 0

    @property
    def total(self) -> int:
        return self.renewed + self.lapsed + self.ended


class MembershipService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, currency: str, tz: ZoneInfo) -> None:
        self._uow = uow
        self._clock = clock
        self._currency = currency
        self._tz = tz

    async def active_for(self, user_id: int) -> pricing.Membership | None:
        async with self._uow(write=False) as uow:
            return await uow.memberships.active_for(user_id, self._clock.now())

    async def overview(self, user: User) -> MembershipOverview:
        now = self._clock.now()
        async with self._uow(write=False) as uow:
            current = await uow.memberships.current(user.id)
            plans = await uow.memberships.plans() if current is None else []
            balance = await uow.wallets.balance(user.id, self._currency)
        membership, plan = current if current is not None else (None, None)
        return MembershipOverview(membership, plan, plans, balance, now)

    async def buy(self, user: User, plan_id: int, renew: bool, key: str) -> Purchase:
        """Pay the first period from the wallet; `key` names the press (a replay buys nothing more)."""
        now = self._clock.now()
        buy_key = f"{user.id}:{key}"[:80]
        async with self._uow() as uow:
            done = await uow.memberships.by_buy_key(buy_key)
            if done is not None:
                plan = await uow.memberships.plan(done.plan_id)
                balance = await uow.wallets.balance(user.id, self._currency)
                return Purchase(done, plan, balance, True, now)
            plan = await uow.memberships.plan(plan_id)
            if plan is None or plan.retired:
                raise MembershipPlanNotFound()
            running = await uow.memberships.current(user.id, lock=True)
            if running is not None:
                held, held_plan = running
                if held.renew or held.paid_until > now:
                    raise MembershipActive(plan=held_plan.name)
                await uow.memberships.end(held.id, held.period, MembershipStatus.ENDED, now)  # over: close it
            until = period_end(now, 1, self._tz)
            new = Membership(0, user.id, plan.id, MembershipStatus.ACTIVE, bool(renew), 1, now, until, plan.price)
            membership = await uow.memberships.add(new, buy_key)
            if membership is None:  # another press got there first
                raise MembershipActive(plan=plan.name)
            entry = await uow.wallets.apply(
                user.id, -plan.price, EntryKind.MEMBERSHIP, period_key(membership.id, 1), now, new_key=True
            )
            if entry is None:
                balance = await uow.wallets.balance(user.id, self._currency)
                raise NotEnoughMoney(total=plan.price, balance=balance, missing=plan.price - balance)
            await uow.commit()
        return Purchase(membership, plan, entry.balance_after, False, now)

    async def membership(self, user: User, membership_id: int) -> Held:
        """The person's own running membership; anyone else's, or an ended one, is not found."""
        async with self._uow(write=False) as uow:
            membership, plan = await _own_running(uow, user, membership_id)
        return Held(membership, plan, self._clock.now())

    async def cancel_renewal(self, user: User, membership_id: int) -> Held:
        """Renewal off: the membership runs to the end of the period paid for, nothing refunded. Returns
        whether this call switched it off (a second press finds it off and changes nothing)."""
        async with self._uow() as uow:
            membership, plan = await _own_running(uow, user, membership_id, lock=True)
            changed = await uow.memberships.set_renew(membership.id, False)
            await uow.commit()
        return Held(replace(membership, renew=False), plan, self._clock.now(), changed)

    async def renew_due(self, batch: int = 100) -> RenewalRun:
        """The sweep: every running membership whose paid period is over (up to `batch`), one transaction
        each. Renewing ones are charged the next period, or lapse when the wallet cannot pay it; the others
        end. Each outcome leaves a notice for the holder."""
        renewed = lapsed = ended = 0
        for _ in range(batch):
            async with self._uow() as uow:
                now = self._clock.now()
                due = await uow.memberships.claim_due(now)
                if due is None:
                    break
                outcome = await self._settle(uow, due, now)
                await uow.commit()
            renewed += outcome is NoticeKind.RENEWED
            lapsed += outcome is NoticeKind.LAPSED
            ended += outcome is NoticeKind.ENDED
        return RenewalRun(renewed, lapsed, ended)

    async def _settle(self, uow: UnitOfWork, due: Membership, now: datetime) -> NoticeKind | None:
        repo = uow.memberships
        if not due.renew:
            if not await repo.end(due.id, due.period, MembershipStatus.ENDED, now):
                return None
            await repo.add_notice(due.id, NoticeKind.ENDED, now, paid_until=due.paid_until)
            return NoticeKind.ENDED
        number, until = next_period(due.started_at, due.period, now, self._tz)
        try:
            key = period_key(due.id, number)
            entry = await uow.wallets.apply(due.user_id, -due.price, EntryKind.MEMBERSHIP, key, now)
        except DuplicateOperation:
            entry = True  # this period was paid already (never expected: the row lock orders renewals)
        if entry is None:
            if not await repo.end(due.id, due.period, MembershipStatus.LAPSED, now):
                return None
            await repo.add_notice(due.id, NoticeKind.LAPSED, now, amount=due.price, paid_until=due.paid_until)
            return NoticeKind.LAPSED
        if not await repo.extend(due.id, due.period, number, until):
            raise AssertionError(f"membership {due.id} changed under its row lock")
        await repo.add_notice(due.id, NoticeKind.RENEWED, now, amount=due.price, paid_until=until)
        return NoticeKind.RENEWED

    async def claim_notices(self, limit: int = 50) -> list[MembershipNotice]:
        now = self._clock.now()
        async with self._uow() as uow:
            notices = await uow.memberships.claim_notices(limit, now, now - NOTICE_CLAIM_STALE)
            await uow.commit()
        return notices

    async def notice_sent(self, notice_id: int) -> bool:
        async with self._uow(urgent=True) as uow:
            done = await uow.memberships.notice_sent(notice_id, self._clock.now())
            await uow.commit()
        return done


async def _own_running(
    uow: UnitOfWork, user: User, membership_id: int, lock: bool = False
) -> tuple[Membership, MembershipPlan]:
    membership = await uow.memberships.get(membership_id, lock=lock)
    if membership is None or membership.user_id != user.id or membership.status is not MembershipStatus.ACTIVE:
        raise MembershipNotFound()
    return membership, await uow.memberships.plan(membership.plan_id)


class PlanEditor:
    """Platform admins define the plans: create one, change its price, discount, categories or whether it
    combines, retire it (sold no more; memberships of it keep running). Every step checked again here."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, admins: AdminPolicy, currency: str) -> None:
        self._uow = uow
        self._clock = clock
        self._admins = admins
        self._currency = currency

    @property
    def currency(self) -> str:
        return self._currency

    def ensure_admin(self, user: User) -> None:
        self._admins.ensure_admin(user)

    def check_name(self, text: str) -> str:
        return parse_plan_name(text)

    def check_price(self, text: str) -> Money:
        return parse_price(text, self._currency)

    def check_discount(self, text: str) -> int:
        return parse_discount(text)

    async def plans(self, user: User) -> list[MembershipPlan]:
        """Every plan, retired ones too."""
        self._admins.ensure_admin(user)
        async with self._uow(write=False) as uow:
            return await uow.memberships.plans(retired=True)

    async def plan(self, user: User, plan_id: int) -> MembershipPlan:
        self._admins.ensure_admin(user)
        async with self._uow(write=False) as uow:
            plan = await uow.memberships.plan(plan_id)
        if plan is None:
            raise MembershipPlanNotFound()
        return plan

    async def create(
        self,
        user: User,
        name: str,
        price_minor: int,
        basis_points: int,
        categories: Iterable[str],
        combinable: bool,
    ) -> MembershipPlan:
        """The whole plan at once (the dialog's state can be tampered with: each value checked again)."""
        self._admins.ensure_admin(user)
        plan = MembershipPlan(
            0,
            parse_plan_name(str(name)),
            self._price(price_minor),
            _basis_points(basis_points),
            check_categories(str(c) for c in categories),
            bool(combinable),
        )
        async with self._uow() as uow:
            created = await uow.memberships.add_plan(plan, self._clock.now())
            await uow.commit()
        return created

    async def set_price(self, user: User, plan_id: int, text: str) -> MembershipPlan:
        price = self.check_price(text)
        return await self._change(user, plan_id, lambda p: replace(p, price=price))

    async def set_discount(self, user: User, plan_id: int, text: str) -> MembershipPlan:
        basis_points = self.check_discount(text)
        return await self._change(user, plan_id, lambda p: replace(p, basis_points=basis_points))

    async def set_category(self, user: User, plan_id: int, category: str, covered: bool) -> MembershipPlan:
        """Sets (not flips) whether the plan covers `category`: a second press of the same button is a no-op."""
        check_categories([category])

        def change(plan: MembershipPlan) -> MembershipPlan:
            categories = plan.categories | {category} if covered else plan.categories - {category}
            return replace(plan, categories=frozenset(categories))

        return await self._change(user, plan_id, change)

    async def set_combinable(self, user: User, plan_id: int, combinable: bool) -> MembershipPlan:
        return await self._change(user, plan_id, lambda p: replace(p, combinable=bool(combinable)))

    async def retire(self, user: User, plan_id: int) -> tuple[MembershipPlan, bool]:
        """Sold no more; whether this call retired it (a second press changes nothing)."""
        self._admins.ensure_admin(user)
        async with self._uow() as uow:
            plan = await uow.memberships.plan(plan_id, lock=True)
            if plan is None:
                raise MembershipPlanNotFound()
            changed = await uow.memberships.retire_plan(plan.id, self._clock.now())
            await uow.commit()
        return replace(plan, retired=True), changed

    async def _change(self, user: User, plan_id: int, change) -> MembershipPlan:
        self._admins.ensure_admin(user)
        async with self._uow() as uow:
            plan = await uow.memberships.plan(plan_id, lock=True)
            if plan is None:
                raise MembershipPlanNotFound()
            if plan.retired:
                raise MembershipPlanRetired(plan=plan.name)
            changed = change(plan)
            await uow.memberships.save_plan(changed)
            await uow.commit()
        return changed

    def _price(self, minor: int) -> Money:
        limit = max_price(self._currency)
        if not isinstance(minor, int) or isinstance(minor, bool) or not 0 < minor <= limit.minor:
            raise PriceInvalid(max=limit)
        return Money(minor, self._currency)


def _basis_points(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= FULL:
        raise PlanDiscountInvalid()
    return value
