"""Membership rules a mutation pass found unpinned, on SQLite and PostgreSQL: what the /membership screens
read back (the plans on sale in order, the running membership with its plan, the balance, a refusal's
numbers); each due membership is settled alone (renewing, lapsing or ending one never touches another's
row) and counted; a period runs to the same local time on the shop's calendar; a period paid already is
not charged twice; notices are claimed in batches, oldest first, once, and marked sent one at a time;
plan edits change only their plan and all of them land when pressed at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import (
    MembershipActive,
    MembershipNotFound,
    MembershipPlanNotFound,
    MembershipPlanRetired,
    NotAdmin,
    NotEnoughMoney,
    PlanDiscountInvalid,
    PriceInvalid,
)
from domain.models import EntryKind, Membership, MembershipStatus, NoticeKind, TelegramProfile
from domain.money import Money
from domain.pricing import Membership as PricingMembership
from domain.services.memberships import MembershipService, RenewalRun, period_key
from domain.tariff_fields import max_price
from tests.storage.test_memberships import TZ, _balance, _keys, _setup

RUB = "RUB"
RUB_PRICE = Money(50_000, RUB)


def rub(minor: int) -> Money:
    return Money(minor, RUB)


async def _person(uow, clock, telegram_id: int, credit: int = 0):
    async with uow() as u:
        person = await u.users.upsert_profile(TelegramProfile(telegram_id, f"P{telegram_id}"), clock.now())
        if credit:
            await u.wallets.apply(person.id, rub(credit), EntryKind.CREDIT, f"credit:{telegram_id}", clock.now())
        await u.commit()
    return person


async def _get(uow, membership_id: int):
    async with uow(write=False) as u:
        return await u.memberships.get(membership_id)


async def test_the_membership_screens_read_back_what_was_bought(engine, clock):
    uow, editor, service, admin, anna, gold = await _setup(engine, clock)
    silver = await editor.create(admin, "Silver", 20_000, 500, ["concert", "theatre"], False)
    old = await editor.create(admin, "Old", 10_000, 100, [], True)
    await editor.retire(admin, old.id)
    boris = await _person(uow, clock, 2, credit=100_000)

    before = await service.overview(anna)
    assert (before.membership, before.plan, before.balance, before.now) == (None, None, rub(100_000), clock.now())
    assert before.plans == [gold, silver], "the plans on sale, oldest first, read back whole"
    assert silver.combinable is False and gold.combinable is True
    assert [(p.name, p.retired) for p in await editor.plans(admin)] == [
        ("Gold", False),
        ("Silver", False),
        ("Old", True),
    ]
    assert await editor.plan(admin, silver.id) == silver
    for call, refused in (
        (editor.plans(anna), NotAdmin),
        (editor.plan(anna, gold.id), NotAdmin),
        (editor.plan(admin, 999_999), MembershipPlanNotFound),
    ):
        with pytest.raises(refused):
            await call

    bought = await service.buy(anna, gold.id, renew=True, key="k1")
    assert (bought.plan, bought.balance, bought.duplicate, bought.now) == (gold, rub(50_000), False, clock.now())
    clock.advance(minutes=1)
    again = await service.buy(anna, gold.id, renew=True, key="k1")
    assert (again.membership, again.plan, again.balance) == (bought.membership, gold, rub(50_000))
    assert again.duplicate is True and again.now == clock.now()

    after = await service.overview(anna)
    assert (after.membership, after.plan, after.plans, after.balance) == (bought.membership, gold, [], rub(50_000))
    assert (await service.overview(boris)).membership is None, "another person's membership is not theirs"
    held = await service.membership(anna, bought.membership.id)
    assert (held.membership, held.plan, held.now, held.changed) == (bought.membership, gold, clock.now(), False)
    for person, membership_id in ((boris, bought.membership.id), (anna, 999_999)):
        with pytest.raises(MembershipNotFound):
            await service.membership(person, membership_id)
        with pytest.raises(MembershipNotFound):
            await service.cancel_renewal(person, membership_id)
    assert await service.active_for(anna.id) == PricingMembership("Gold", 1000, frozenset({"theatre"}), True)
    assert await service.active_for(boris.id) is None

    with pytest.raises(MembershipActive) as refused:
        await service.buy(anna, silver.id, renew=False, key="k2")
    assert refused.value.params == {"plan": "Gold"}, "the running one is named"


async def test_a_refused_purchase_names_the_total_the_balance_and_what_is_missing(engine, clock):
    uow, _editor, service, _admin, anna, gold = await _setup(engine, clock, credit=30_000)
    with pytest.raises(NotEnoughMoney) as refused:
        await service.buy(anna, gold.id, renew=True, key="k1")
    assert refused.value.params == {"total": rub(50_000), "balance": rub(30_000), "missing": rub(20_000)}
    assert await _balance(uow, anna.id) == 30_000


async def test_a_long_press_key_still_buys_once(engine, clock):
    uow, _editor, service, _admin, anna, gold = await _setup(engine, clock)
    key = "k" * 100  # the stored key is cut to its column's 80 characters
    bought = await service.buy(anna, gold.id, renew=False, key=key)
    again = await service.buy(anna, gold.id, renew=False, key=key)
    assert again.duplicate and again.membership.id == bought.membership.id
    assert await _balance(uow, anna.id) == 50_000


async def test_a_purchase_closes_the_membership_that_is_over_at_that_moment(engine, clock):
    uow, _editor, service, _admin, anna, gold = await _setup(engine, clock)
    first = await service.buy(anna, gold.id, renew=False, key="k1")
    clock.set(first.membership.paid_until + timedelta(hours=1))
    await service.buy(anna, gold.id, renew=False, key="k2")
    closed = await _get(uow, first.membership.id)
    assert (closed.status, closed.ended_at) == (MembershipStatus.ENDED, clock.now())


async def test_periods_run_on_the_shops_calendar(engine, clock):
    """Bought at 01:00 on 1 December in Moscow (22:00 UTC the day before): each period ends on the 1st at
    01:00 Moscow time, not on the 30th or 31st as a UTC calendar would have it."""
    clock.set(datetime(2026, 11, 30, 22, 0, tzinfo=UTC))
    uow, _editor, service, _admin, anna, gold = await _setup(engine, clock)
    bought = await service.buy(anna, gold.id, renew=True, key="k1")
    assert bought.membership.paid_until == datetime(2026, 12, 31, 22, 0, tzinfo=UTC)
    clock.set(bought.membership.paid_until)
    assert (await service.renew_due()).renewed == 1
    assert (await _get(uow, bought.membership.id)).paid_until == datetime(2027, 1, 31, 22, 0, tzinfo=UTC)


async def test_each_due_membership_is_settled_alone_and_counted(engine, clock):
    rule = "renewing, lapsing or ending one membership changes no other row; the run counts each outcome"
    uow, _editor, service, _admin, anna, gold = await _setup(engine, clock)
    vera = await _person(uow, clock, 3, credit=50_000)  # the first period only
    boris = await _person(uow, clock, 2, credit=50_000)
    dan = await _person(uow, clock, 4, credit=100_000)
    greg = await _person(uow, clock, 5, credit=100_000)
    # claimed in this order (same end, then id): renew, lapse, end, renew
    a = (await service.buy(anna, gold.id, renew=True, key="a")).membership
    v = (await service.buy(vera, gold.id, renew=True, key="v")).membership
    b = (await service.buy(boris, gold.id, renew=False, key="b")).membership
    d = (await service.buy(dan, gold.id, renew=True, key="d")).membership
    clock.advance(days=1)
    g = (await service.buy(greg, gold.id, renew=True, key="g")).membership  # not due yet
    clock.set(a.paid_until + timedelta(hours=2))
    now = clock.now()

    assert await service.renew_due() == RenewalRun(renewed=2, lapsed=1, ended=1), rule
    rows = {m.id: await _get(uow, m.id) for m in (a, v, b, d, g)}
    second_end = datetime(2027, 1, 23, 12, 0, tzinfo=UTC)
    assert [(r.status, r.period, r.paid_until, r.ended_at) for r in rows.values()] == [
        (MembershipStatus.ACTIVE, 2, second_end, None),
        (MembershipStatus.LAPSED, 1, v.paid_until, now),
        (MembershipStatus.ENDED, 1, b.paid_until, now),
        (MembershipStatus.ACTIVE, 2, second_end, None),
        (MembershipStatus.ACTIVE, 1, g.paid_until, None),
    ], rule
    assert [await _balance(uow, p.id) for p in (anna, vera, boris, dan, greg)] == [0, 0, 0, 0, 50_000]

    notices = await service.claim_notices()
    assert [(n.user.id, n.kind, n.plan, n.amount, n.paid_until) for n in notices] == [
        (anna.id, NoticeKind.RENEWED, "Gold", rub(50_000), second_end),
        (vera.id, NoticeKind.LAPSED, "Gold", rub(50_000), v.paid_until),
        (boris.id, NoticeKind.ENDED, "Gold", None, b.paid_until),
        (dan.id, NoticeKind.RENEWED, "Gold", rub(50_000), second_end),
    ], "each holder is told what happened and until when"


async def test_the_sweep_passes_over_memberships_that_have_ended(engine, clock):
    _uow, _editor, service, _admin, anna, gold = await _setup(engine, clock)
    first = await service.buy(anna, gold.id, renew=False, key="k1")
    clock.set(first.membership.paid_until)
    assert (await service.renew_due()).ended == 1
    second = await service.buy(anna, gold.id, renew=False, key="k2")
    clock.set(second.membership.paid_until)
    assert await service.renew_due() == RenewalRun(ended=1), "the one ended before is not claimed again"


async def test_the_sweep_takes_the_longest_overdue_first(engine, clock):
    uow, _editor, service, _admin, anna, gold = await _setup(engine, clock)
    boris = await _person(uow, clock, 2)
    now = clock.now()
    async with uow() as u:  # Boris's row is older, Anna's period ended first
        rows = [
            await u.memberships.add(
                Membership(
                    0, person.id, gold.id, MembershipStatus.ACTIVE, False, 1, now - timedelta(days=40), end, RUB_PRICE
                ),
                f"{person.id}:seed",
            )
            for person, end in ((boris, now - timedelta(days=1)), (anna, now - timedelta(days=2)))
        ]
        await u.commit()
    assert await service.renew_due(batch=1) == RenewalRun(ended=1)
    assert (await _get(uow, rows[1].id)).status is MembershipStatus.ENDED
    assert (await _get(uow, rows[0].id)).status is MembershipStatus.ACTIVE, "the next run takes it"


async def test_a_period_paid_already_is_renewed_without_a_second_charge(engine, clock):
    uow, _editor, service, _admin, anna, gold = await _setup(engine, clock)
    bought = await service.buy(anna, gold.id, renew=True, key="k1")
    async with uow() as u:  # the second period's charge is on the books already
        key = period_key(bought.membership.id, 2)
        await u.wallets.apply(anna.id, rub(-50_000), EntryKind.MEMBERSHIP, key, clock.now())
        await u.commit()
    clock.set(bought.membership.paid_until)
    assert await service.renew_due() == RenewalRun(renewed=1)
    assert await _balance(uow, anna.id) == 0, "charged once"
    assert len(await _keys(engine)) == 2
    assert (await _get(uow, bought.membership.id)).period == 2


async def test_cancelling_renewal_changes_only_ones_own_membership(engine, clock):
    uow, _editor, service, _admin, anna, gold = await _setup(engine, clock)
    boris = await _person(uow, clock, 2, credit=100_000)
    hers = (await service.buy(anna, gold.id, renew=True, key="a")).membership
    his = (await service.buy(boris, gold.id, renew=True, key="b")).membership
    held = await service.cancel_renewal(anna, hers.id)
    assert held.membership.renew is False and held.changed is True
    assert (held.plan, held.now) == (gold, clock.now())
    assert (await _get(uow, hers.id)).renew is False
    assert (await _get(uow, his.id)).renew is True, "Boris's membership still renews"


async def _notices(uow, clock, membership_id: int, count: int) -> None:
    async with uow() as u:
        for _ in range(count):
            await u.memberships.add_notice(membership_id, NoticeKind.ENDED, clock.now(), paid_until=clock.now())
        await u.commit()


async def test_notices_are_claimed_in_batches_oldest_first_and_sent_one_at_a_time(engine, clock):
    uow, _editor, service, _admin, anna, gold = await _setup(engine, clock)
    bought = await service.buy(anna, gold.id, renew=False, key="k1")
    await _notices(uow, clock, bought.membership.id, 51)
    first = await service.claim_notices()
    assert len(first) == 50, "one batch of 50"
    ids = [n.id for n in first]
    assert ids == sorted(ids)
    rest = await service.claim_notices()
    assert len(rest) == 1 and rest[0].id > ids[-1], "the newest waited for the next batch"

    assert await service.notice_sent(ids[0])
    assert not await service.notice_sent(ids[0]), "sent once"
    clock.advance(minutes=5)
    assert await service.claim_notices() == [], "a sender is given five whole minutes"
    clock.advance(seconds=1)
    again = await service.claim_notices(limit=100)
    assert [n.id for n in again] == [*ids[1:], rest[0].id], "marking one sent marked no other"


async def test_senders_at_once_never_claim_the_same_notice(engine, clock):
    uow, _editor, service, _admin, anna, gold = await _setup(engine, clock)
    bought = await service.buy(anna, gold.id, renew=False, key="k1")
    await _notices(uow, clock, bought.membership.id, 40)
    others = [MembershipService(uow, clock, RUB, TZ) for _ in range(4)]
    claimed = await asyncio.gather(*(s.claim_notices(limit=10) for s in others))
    ids = [n.id for batch in claimed for n in batch]
    assert len(ids) == len(set(ids)), "a notice claimed by two senders would be sent twice"


async def test_plan_edits_change_only_their_plan_and_land_together(engine, clock):
    _uow, editor, _service, admin, _anna, gold = await _setup(engine, clock)
    silver = await editor.create(admin, "Silver", 20_000, 500, ["concert"], False)
    assert (await editor.plan(admin, silver.id)).combinable is False

    changed = await editor.set_price(admin, gold.id, "700")
    assert changed.price == rub(70_000) and (await editor.plan(admin, gold.id)).price == rub(70_000)
    await editor.set_combinable(admin, silver.id, True)
    assert (await editor.plan(admin, silver.id)).combinable is True
    await editor.set_category(admin, silver.id, "concert", False)
    await editor.set_category(admin, silver.id, "concert", False)  # sets, does not flip
    assert (await editor.plan(admin, silver.id)).categories == frozenset()
    assert (await editor.plan(admin, silver.id)).price == rub(20_000), "Gold's price stayed Gold's"

    _retired, changed_flag = await editor.retire(admin, silver.id)
    assert changed_flag and not (await editor.plan(admin, gold.id)).retired, "retiring Silver left Gold on sale"
    with pytest.raises(MembershipPlanRetired) as refused:
        await editor.set_discount(admin, silver.id, "10")
    assert refused.value.params == {"plan": "Silver"}

    await asyncio.gather(
        editor.set_price(admin, gold.id, "800"),
        editor.set_discount(admin, gold.id, "25"),
        editor.set_combinable(admin, gold.id, False),
        editor.set_category(admin, gold.id, "concert", True),
    )
    got = await editor.plan(admin, gold.id)
    assert (got.price, got.basis_points, got.combinable, got.categories) == (
        rub(80_000),
        2500,
        False,
        frozenset({"theatre", "concert"}),
    ), "four edits pressed at once: none lost"


async def test_a_plan_is_created_only_with_a_price_and_discount_in_range(engine, clock):
    _uow, editor, _service, admin, _anna, _gold = await _setup(engine, clock)
    limit = max_price(RUB)
    for price in (0, -1, limit.minor + 1, True, "100", 1.5):
        with pytest.raises(PriceInvalid) as refused:
            await editor.create(admin, "X", price, 1000, [], True)
        assert refused.value.params == {"max": limit}
    for basis_points in (0, -1, 10_001, True, "100", 1.5):
        with pytest.raises(PlanDiscountInvalid):
            await editor.create(admin, "X", 100, basis_points, [], True)
    assert len(await editor.plans(admin)) == 1, "refusals write nothing"
    cheapest = await editor.create(admin, "Cheapest", 1, 1, [], True)
    dearest = await editor.create(admin, "Dearest", limit.minor, 10_000, [], True)
    assert (cheapest.price, cheapest.basis_points) == (rub(1), 1)
    assert (dearest.price, dearest.basis_points) == (limit, 10_000)


async def test_the_plan_dialog_checks_the_admin_and_the_name_first(engine, clock):
    _uow, editor, _service, admin, anna, _gold = await _setup(engine, clock)
    editor.ensure_admin(admin)
    with pytest.raises(NotAdmin):
        editor.ensure_admin(anna)
    assert editor.check_name("  Gold   plus ") == "Gold plus"


async def test_someone_without_a_wallet_sees_a_zero_balance_and_is_told_what_is_missing(engine, clock):
    uow, _editor, service, _admin, _anna, gold = await _setup(engine, clock)
    vera = await _person(uow, clock, 3)
    assert (await service.overview(vera)).balance == rub(0)
    with pytest.raises(NotEnoughMoney) as refused:
        await service.buy(vera, gold.id, renew=False, key="k1")
    assert refused.value.params == {"total": rub(50_000), "balance": rub(0), "missing": rub(50_000)}


async def test_a_membership_that_ended_is_no_longer_shown_as_running(engine, clock):
    _uow, _editor, service, _admin, anna, gold = await _setup(engine, clock)
    bought = await service.buy(anna, gold.id, renew=False, key="k1")
    clock.set(bought.membership.paid_until)
    assert (await service.renew_due()).ended == 1
    shown = await service.overview(anna)
    assert (shown.membership, shown.plans) == (None, [gold])


async def test_every_losing_press_names_the_running_plan(engine, clock):
    _uow, _editor, service, _admin, anna, gold = await _setup(engine, clock)
    results = await asyncio.gather(
        *(service.buy(anna, gold.id, renew=False, key=f"k{i}") for i in range(4)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 3 and all(r.params == {"plan": "Gold"} for r in refused), refused
