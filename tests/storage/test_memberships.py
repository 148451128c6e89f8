"""Memberships on SQLite and PostgreSQL: a purchase charges once and one membership runs at a time, a period
is renewed once whatever sweeps run at once, an empty wallet lapses it charging nothing, the pricing input is
there only while a paid period covers the moment, and every outcome leaves one notice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from domain.errors import (
    MembershipActive,
    MembershipNotFound,
    MembershipPlanNotFound,
    MembershipPlanRetired,
    NotAdmin,
    NotEnoughMoney,
)
from domain.models import EntryKind, MembershipStatus, NoticeKind, TelegramProfile
from domain.money import Money
from domain.policies import AdminPolicy
from domain.pricing import Membership as PricingMembership
from domain.services.memberships import MembershipService, PlanEditor
from storage.tables import membership_notices, memberships, wallet_entries
from storage.uow import UnitOfWorkFactory

TZ = ZoneInfo("Europe/Moscow")
ADMIN = 900_001


async def _setup(engine, clock, credit: int = 100_000):
    uow = UnitOfWorkFactory(engine)
    async with uow() as u:
        admin = await u.users.upsert_profile(TelegramProfile(ADMIN, "Admin"), clock.now())
        anna = await u.users.upsert_profile(TelegramProfile(1, "Anna"), clock.now())
        if credit:
            await u.wallets.apply(anna.id, Money(credit, "RUB"), EntryKind.CREDIT, "credit:1", clock.now())
        await u.commit()
    editor = PlanEditor(uow, clock, AdminPolicy(frozenset({ADMIN})), "RUB")
    plan = await editor.create(admin, "Gold", 50_000, 1000, ["theatre"], True)
    return uow, editor, MembershipService(uow, clock, "RUB", TZ), admin, anna, plan


async def _balance(uow, user_id: int) -> int:
    async with uow(write=False) as u:
        return (await u.wallets.balance(user_id, "RUB")).minor


async def _count(engine, table, *where) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def test_a_purchase_charges_once_and_a_replayed_press_buys_nothing_more(engine, clock):
    uow, _editor, service, _admin, anna, plan = await _setup(engine, clock)
    bought = await service.buy(anna, plan.id, renew=True, key="k1")
    assert not bought.duplicate and bought.balance == Money(50_000, "RUB")
    assert bought.membership.paid_until == datetime(2026, 12, 23, 12, 0, tzinfo=UTC)
    again = await service.buy(anna, plan.id, renew=True, key="k1")
    assert again.duplicate and again.membership.id == bought.membership.id
    assert await _balance(uow, anna.id) == 50_000
    with pytest.raises(MembershipActive):
        await service.buy(anna, plan.id, renew=False, key="k2")  # one running membership at a time
    assert await _balance(uow, anna.id) == 50_000
    assert await _count(engine, memberships) == 1


async def test_two_presses_at_once_buy_one_membership(engine, clock):
    uow, _editor, service, _admin, anna, plan = await _setup(engine, clock)
    results = await asyncio.gather(
        *(service.buy(anna, plan.id, renew=False, key=f"k{i}") for i in range(4)), return_exceptions=True
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert all(isinstance(r, MembershipActive) for r in results if isinstance(r, Exception)), results
    assert await _balance(uow, anna.id) == 50_000
    assert await _count(engine, memberships) == 1


async def test_buying_without_money_is_refused_and_changes_nothing(engine, clock):
    uow, _editor, service, _admin, anna, plan = await _setup(engine, clock, credit=30_000)
    with pytest.raises(NotEnoughMoney) as refused:
        await service.buy(anna, plan.id, renew=True, key="k1")
    assert refused.value.params["missing"] == Money(20_000, "RUB")
    assert await _balance(uow, anna.id) == 30_000
    assert await _count(engine, memberships) == 0
    async with uow(write=False) as u:
        assert await u.memberships.active_for(anna.id, clock.now()) is None


async def test_a_retired_plan_or_a_forged_one_is_not_sold_but_running_memberships_keep_going(engine, clock):
    uow, editor, service, admin, anna, plan = await _setup(engine, clock)
    await service.buy(anna, plan.id, renew=True, key="k1")
    retired, changed = await editor.retire(admin, plan.id)
    assert changed and retired.retired
    assert (await editor.retire(admin, plan.id))[1] is False
    with pytest.raises(MembershipPlanRetired):
        await editor.set_price(admin, plan.id, "700")
    async with uow() as u:
        boris = await u.users.upsert_profile(TelegramProfile(2, "Boris"), clock.now())
        await u.wallets.apply(boris.id, Money(100_000, "RUB"), EntryKind.CREDIT, "credit:2", clock.now())
        await u.commit()
    for plan_id in (plan.id, 999):
        with pytest.raises(MembershipPlanNotFound):
            await service.buy(boris, plan_id, renew=False, key="k9")
    clock.advance(days=31)
    assert (await service.renew_due()).renewed == 1, "a retired plan's members still renew"
    assert (await service.overview(boris)).plans == []


async def test_only_admins_edit_plans_and_changes_reach_the_pricing_input(engine, clock):
    uow, editor, service, admin, anna, plan = await _setup(engine, clock)
    with pytest.raises(NotAdmin):
        await editor.create(anna, "Mine", 100, 10_000, [], True)
    with pytest.raises(NotAdmin):
        await editor.set_discount(anna, plan.id, "100")
    await service.buy(anna, plan.id, renew=False, key="k1")
    await editor.set_discount(admin, plan.id, "12,5 %")
    await editor.set_category(admin, plan.id, "concert", True)
    await editor.set_category(admin, plan.id, "concert", True)  # sets, does not flip
    await editor.set_combinable(admin, plan.id, False)
    await editor.set_price(admin, plan.id, "900")
    async with uow(write=False) as u:
        got = await u.memberships.active_for(anna.id, clock.now())
    assert got == PricingMembership("Gold", 1250, frozenset({"theatre", "concert"}), False)
    assert (await service.overview(anna)).membership.price == Money(50_000, "RUB"), "a new price is for new buyers"


async def test_active_for_only_while_the_paid_period_covers_the_moment(engine, clock):
    uow, _editor, service, _admin, anna, plan = await _setup(engine, clock)
    async with uow(write=False) as u:
        assert await u.memberships.active_for(anna.id, clock.now()) is None
    bought = await service.buy(anna, plan.id, renew=False, key="k1")
    until = bought.membership.paid_until
    expected = PricingMembership("Gold", 1000, frozenset({"theatre"}), True)
    async with uow(write=False) as u:
        assert await u.memberships.active_for(anna.id, clock.now()) == expected
        assert await u.memberships.active_for(anna.id, clock.now().replace(hour=11)) is None, "not before it began"
        assert await u.memberships.active_for(anna.id, until) is None, "the end is not covered"
        assert await u.memberships.active_for(anna.id, until - timedelta(seconds=1)) == expected, "the last second is"
        other = await u.users.upsert_profile(TelegramProfile(2, "Boris"), clock.now())
        assert await u.memberships.active_for(other.id, clock.now()) is None


async def test_two_sweeps_at_once_renew_a_period_once(engine, clock):
    uow, _editor, service, _admin, anna, plan = await _setup(engine, clock)
    bought = await service.buy(anna, plan.id, renew=True, key="k1")
    clock.set(bought.membership.paid_until)
    second = MembershipService(uow, clock, "RUB", TZ)  # another process
    runs = await asyncio.gather(service.renew_due(), second.renew_due(), service.renew_due())
    assert sum(r.renewed for r in runs) == 1 and sum(r.total for r in runs) == 1
    assert await _balance(uow, anna.id) == 0
    assert await service.renew_due() == type(runs[0])()  # nothing more is due
    keys = await _keys(engine)
    assert keys == [f"membership:{bought.membership.id}:1", f"membership:{bought.membership.id}:2"]
    async with uow(write=False) as u:
        membership = await u.memberships.get(bought.membership.id)
    assert membership.period == 2 and membership.paid_until == datetime(2027, 1, 23, 12, 0, tzinfo=UTC)
    assert await _count(engine, membership_notices, membership_notices.c.kind == NoticeKind.RENEWED.value) == 1


async def _keys(engine) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(wallet_entries.c.idempotency_key)
            .where(wallet_entries.c.kind == EntryKind.MEMBERSHIP.value)
            .order_by(wallet_entries.c.id)
        )
        return [r[0] for r in rows]


async def test_a_renewal_on_an_empty_wallet_lapses_and_charges_nothing(engine, clock):
    uow, _editor, service, _admin, anna, plan = await _setup(engine, clock, credit=70_000)
    bought = await service.buy(anna, plan.id, renew=True, key="k1")
    clock.set(bought.membership.paid_until)
    run = await service.renew_due()
    assert run.lapsed == 1 and run.renewed == 0
    assert await _balance(uow, anna.id) == 20_000
    assert await _keys(engine) == [f"membership:{bought.membership.id}:1"]
    async with uow(write=False) as u:
        membership = await u.memberships.get(bought.membership.id)
        assert await u.memberships.active_for(anna.id, clock.now()) is None
    assert membership.status is MembershipStatus.LAPSED and membership.ended_at == clock.now()
    notices = await service.claim_notices()
    assert [(n.kind, n.plan, n.amount, n.user.id) for n in notices] == [
        (NoticeKind.LAPSED, "Gold", Money(50_000, "RUB"), anna.id)
    ]
    assert await service.claim_notices() == [], "claimed: not taken again while its sender is at work"
    assert await service.notice_sent(notices[0].id)
    clock.advance(minutes=10)
    assert await service.claim_notices() == [], "sent once"


async def test_a_notice_whose_sender_died_is_taken_up_again(engine, clock):
    _uow, _editor, service, _admin, anna, plan = await _setup(engine, clock)
    bought = await service.buy(anna, plan.id, renew=False, key="k1")
    clock.set(bought.membership.paid_until)
    assert (await service.renew_due()).ended == 1
    first = await service.claim_notices()
    assert [n.kind for n in first] == [NoticeKind.ENDED]
    clock.advance(minutes=6)
    again = await service.claim_notices()
    assert [n.id for n in again] == [first[0].id]


async def test_cancel_renewal_keeps_the_period_and_then_ends(engine, clock):
    uow, _editor, service, _admin, anna, plan = await _setup(engine, clock)
    bought = await service.buy(anna, plan.id, renew=True, key="k1")
    async with uow() as u:
        boris = await u.users.upsert_profile(TelegramProfile(2, "Boris"), clock.now())
        await u.commit()
    with pytest.raises(MembershipNotFound):
        await service.cancel_renewal(boris, bought.membership.id)  # not his
    held = await service.cancel_renewal(anna, bought.membership.id)
    assert held.changed and not held.membership.renew
    assert (await service.cancel_renewal(anna, bought.membership.id)).changed is False
    clock.advance(days=20)
    async with uow(write=False) as u:
        assert await u.memberships.active_for(anna.id, clock.now()) is not None, "runs to the end of its period"
    assert await service.renew_due() == type(await service.renew_due())()
    clock.set(bought.membership.paid_until)
    assert (await service.renew_due()).ended == 1
    assert await _balance(uow, anna.id) == 50_000, "nothing refunded, nothing charged again"
    with pytest.raises(MembershipNotFound):
        await service.cancel_renewal(anna, bought.membership.id)  # ended
    again = await service.buy(anna, plan.id, renew=False, key="k2")
    assert not again.duplicate and await _balance(uow, anna.id) == 0


async def test_a_membership_bought_once_and_over_does_not_block_the_next_before_the_sweep(engine, clock):
    uow, _editor, service, _admin, anna, plan = await _setup(engine, clock)
    bought = await service.buy(anna, plan.id, renew=False, key="k1")
    clock.set(bought.membership.paid_until)
    await service.buy(anna, plan.id, renew=True, key="k2")
    async with uow(write=False) as u:
        assert (await u.memberships.get(bought.membership.id)).status is MembershipStatus.ENDED
    assert await service.renew_due() == type(await service.renew_due())(), "nothing left for the sweep"


async def test_active_for_is_one_statement(engine, clock):
    from tests.storage.test_statement_budget_rules import _statements

    uow, _editor, service, _admin, anna, plan = await _setup(engine, clock)
    await service.buy(anna, plan.id, renew=True, key="k1")
    async with uow(write=False) as u:
        with _statements(engine) as seen:
            assert await u.memberships.active_for(anna.id, clock.now()) is not None
    assert len(seen) == 1, seen
