"""Wallet, identity and admin rules at the service level, on SQLite and PostgreSQL: the wallet overview shows
the newest entries first and only the owner's, a manual credit is bounded and records who gave it, a debit
never overdraws, a first contact is told apart from a returning one, a profile seen unchanged within a minute
is not written again, a chosen language sticks, and only admins assign staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.errors import ConcurrencyConflict, DuplicateOperation, EventNotFound, InvalidAmount, NotAdmin, UserNotFound
from domain.models import EntryKind, Language, Order, OrderStatus, TelegramProfile
from domain.money import Money
from domain.policies import AdminPolicy
from domain.services import users as users_module
from domain.services.admin import AdminService
from domain.services.users import UserService
from domain.services.wallet import MAX_CREDIT_MAJOR, WalletService
from storage.repos.users import UserRepo
from storage.tables import staff_assignments, users, wallet_entries
from storage.uow import UnitOfWorkFactory
from tests.storage.test_checkout_race import PRICE, make_event
from tests.storage.test_guards import expect

ADMIN_TG = 900_001
ADMINS = AdminPolicy(frozenset({ADMIN_TG}))


class Accounts:
    def __init__(self, engine, clock) -> None:
        self.engine = engine
        self.clock = clock
        self.uow = UnitOfWorkFactory(engine)
        self.users = UserService(self.uow, clock, ADMINS)
        self.wallet = WalletService(self.uow, clock, ADMINS, "RUB")
        self.admin = AdminService(self.uow, clock, ADMINS)

    async def user_row(self, telegram_id: int):
        async with self.engine.connect() as conn:
            return (await conn.execute(select(users).where(users.c.telegram_id == telegram_id))).one()

    async def credit(self, user_id: int, minor: int, key: str):
        async with self.uow() as u:
            entry = await u.wallets.apply(user_id, Money(minor, "RUB"), EntryKind.CREDIT, key, self.clock.now())
            await u.commit()
        return entry


# ---------------------------------------------------------------- the wallet


async def test_the_overview_shows_the_balance_and_the_ten_newest_entries_newest_first(engine, clock):
    rule = "the wallet overview: the owner's balance and their 10 newest entries, newest first"
    acc = Accounts(engine, clock)
    anna = await acc.users.identify(TelegramProfile(1, "Anna"))
    bob = await acc.users.identify(TelegramProfile(2, "Bob"))
    for n in range(12):
        await acc.credit(anna.id, 100 + n, f"a{n}")
        clock.advance(seconds=1)
    await acc.credit(bob.id, 5, "b0")

    view = await acc.wallet.overview(anna.id)
    assert view.balance == Money(sum(100 + n for n in range(12)), "RUB"), rule
    assert [e.idempotency_key for e in view.entries] == [f"a{n}" for n in range(11, 1, -1)], rule
    newest = view.entries[0]
    assert newest.user_id == anna.id and newest.amount == Money(111, "RUB") and newest.kind is EntryKind.CREDIT
    assert newest.balance_after == view.balance and newest.order_id is None, rule
    assert newest.created_at.replace(tzinfo=None) == (clock.now() - timedelta(seconds=1)).replace(tzinfo=None)
    assert [e.idempotency_key for e in (await acc.wallet.overview(anna.id, limit=3)).entries] == ["a11", "a10", "a9"]
    ids = [e.id for e in view.entries]
    assert all(isinstance(i, int) for i in ids) and ids == sorted(ids, reverse=True), f"{rule}: entries carry their ids"


async def test_an_empty_wallet_shows_zero_in_the_shop_currency(engine, clock):
    acc = Accounts(engine, clock)
    anna = await acc.users.identify(TelegramProfile(1, "Anna"))
    view = await acc.wallet.overview(anna.id)
    assert view.balance == Money(0, "RUB") and view.entries == [], "a user without a wallet has 0 RUB and no entries"


async def test_a_manual_credit_records_the_admin_and_the_time(engine, clock):
    rule = "an admin credit is a CREDIT entry of the amount, stamped now, naming the admin who gave it"
    acc = Accounts(engine, clock)
    admin = await acc.users.identify(TelegramProfile(ADMIN_TG, "Admin"))
    anna = await acc.users.identify(TelegramProfile(5, "Anna"))
    result = await acc.wallet.admin_credit(admin, 5, str(MAX_CREDIT_MAJOR), key="k1")
    assert result.duplicate is False and result.target.id == anna.id, rule
    assert result.entry.amount == Money(MAX_CREDIT_MAJOR * 100, "RUB") and result.entry.kind is EntryKind.CREDIT
    assert result.entry.created_at.replace(tzinfo=None) == clock.now().replace(tzinfo=None), rule
    async with engine.connect() as conn:
        row = (await conn.execute(select(wallet_entries).where(wallet_entries.c.id == result.entry.id))).one()
    assert row.actor_id == admin.id and row.user_id == anna.id, rule


@pytest.mark.parametrize("text", ["0", "-5", "1000000.01"])
async def test_a_manual_credit_must_be_positive_and_at_most_a_million(engine, clock, text):
    rule = "an admin credit of nothing, a negative amount or over 1 000 000 is refused"
    acc = Accounts(engine, clock)
    admin = await acc.users.identify(TelegramProfile(ADMIN_TG, "Admin"))
    anna = await acc.users.identify(TelegramProfile(5, "Anna"))
    error = await expect(InvalidAmount, acc.wallet.admin_credit(admin, 5, text, key="k"), rule)
    assert error.params == {"text": text}, rule
    assert (await acc.wallet.overview(anna.id)).entries == [], rule


async def test_a_manual_credit_quotes_at_most_40_characters_of_a_bad_amount(engine, clock):
    acc = Accounts(engine, clock)
    admin = await acc.users.identify(TelegramProfile(ADMIN_TG, "Admin"))
    text = "2 000 000" + " " * 45  # an amount over the limit, typed with trailing spaces
    error = await expect(InvalidAmount, acc.wallet.admin_credit(admin, 5, text, key="k"), "a huge amount")
    assert error.params == {"text": text[:40]}, "the refusal quotes the first 40 characters"


async def test_only_an_admin_credits_and_only_a_known_user(engine, clock):
    rule = "a credit needs an admin and an existing target"
    acc = Accounts(engine, clock)
    admin = await acc.users.identify(TelegramProfile(ADMIN_TG, "Admin"))
    anna = await acc.users.identify(TelegramProfile(5, "Anna"))
    await expect(NotAdmin, acc.wallet.admin_credit(anna, 5, "10", key="k"), rule)
    error = await expect(UserNotFound, acc.wallet.admin_credit(admin, 6, "10", key="k"), rule)
    assert error.params == {"telegram_id": 6}, rule
    assert (await acc.wallet.overview(anna.id)).entries == [], rule


async def test_a_debit_applies_only_if_it_fits(engine, clock):
    rule = "WalletRepo.apply: a debit never takes the balance below zero; exactly to zero is fine"
    acc = Accounts(engine, clock)
    anna = await acc.users.identify(TelegramProfile(1, "Anna"))
    async with acc.uow() as u:
        assert await u.wallets.apply(anna.id, Money(-1, "RUB"), EntryKind.PURCHASE, "d0", clock.now()) is None, rule
        await u.commit()
    await acc.credit(anna.id, 500, "c1")
    async with acc.uow() as u:
        assert await u.wallets.apply(anna.id, Money(-501, "RUB"), EntryKind.PURCHASE, "d1", clock.now()) is None
        entry = await u.wallets.apply(anna.id, Money(-500, "RUB"), EntryKind.PURCHASE, "d2", clock.now(), actor_id=None)
        await u.commit()
    assert entry is not None and entry.balance_after == Money(0, "RUB") and entry.amount == Money(-500, "RUB"), rule
    view = await acc.wallet.overview(anna.id)
    assert view.balance == Money(0, "RUB") and [e.idempotency_key for e in view.entries] == ["d2", "c1"], rule


async def test_a_used_key_is_refused_before_the_balance_moves(engine, clock):
    rule = "WalletRepo.apply refuses a key already in the ledger and moves no money"
    acc = Accounts(engine, clock)
    anna = await acc.users.identify(TelegramProfile(1, "Anna"))
    await acc.credit(anna.id, 500, "same")
    async with acc.uow() as u:
        error = await expect(
            DuplicateOperation, u.wallets.apply(anna.id, Money(7, "RUB"), EntryKind.CREDIT, "same", clock.now()), rule
        )
    assert error.params == {"key": "same"}, rule
    assert (await acc.wallet.overview(anna.id)).balance == Money(500, "RUB"), rule


async def test_a_new_key_that_collides_is_still_a_duplicate(engine, clock):
    rule = "with new_key the unique index alone refuses a used key, as DuplicateOperation"
    acc = Accounts(engine, clock)
    anna = await acc.users.identify(TelegramProfile(1, "Anna"))
    await acc.credit(anna.id, 500, "same")
    async with acc.uow() as u:
        error = await expect(
            DuplicateOperation,
            u.wallets.apply(anna.id, Money(7, "RUB"), EntryKind.CREDIT, "same", clock.now(), new_key=True),
            rule,
        )
    assert error.params == {"key": "same"}, rule


# ---------------------------------------------------------------- identity


async def test_first_contact_is_told_apart_from_a_returning_user(engine, clock):
    rule = "identify_first: True on the very first update only"
    acc = Accounts(engine, clock)
    profile = TelegramProfile(10, "Anna", "Smith", "anna", "ru-RU")
    user, first = await acc.users.identify_first(profile)
    assert first is True and user.telegram_id == 10 and user.language is Language.RU, rule
    again, first = await acc.users.identify_first(profile)
    assert first is False and again.id == user.id, rule
    other = UserService(acc.uow, clock, ADMINS)  # another worker: nothing in memory
    _, first = await other.identify_first(profile)
    assert first is False, f"{rule}: a returning user is not new to another worker"


async def test_an_unchanged_profile_is_written_again_only_after_a_minute(engine, clock):
    rule = "a profile seen unchanged less than 60 s ago is answered from memory; at 60 s it is written again"
    acc = Accounts(engine, clock)
    profile = TelegramProfile(10, "Anna")
    await acc.users.identify_first(profile)
    t0 = clock.now().replace(tzinfo=None)
    clock.advance(seconds=59)
    await acc.users.identify_first(profile)
    assert (await acc.user_row(10)).updated_at.replace(tzinfo=None) == t0, rule
    clock.advance(seconds=1)
    await acc.users.identify_first(profile)
    assert (await acc.user_row(10)).updated_at.replace(tzinfo=None) == clock.now().replace(tzinfo=None), rule


async def test_a_changed_profile_is_written_at_once(engine, clock):
    rule = "a changed name is written at once"
    acc = Accounts(engine, clock)
    await acc.users.identify_first(TelegramProfile(10, "Anna"))
    clock.advance(seconds=5)
    user, first = await acc.users.identify_first(TelegramProfile(10, "Anne"))
    assert user.first_name == "Anne" and first is False, rule
    assert (await acc.user_row(10)).first_name == "Anne", rule


async def test_the_memory_drops_the_least_recently_seen_first(engine, clock, monkeypatch):
    rule = "the profile memory is bounded and drops the least recently seen profile"
    monkeypatch.setattr(users_module, "PROFILES_KEPT", 2)
    acc = Accounts(engine, clock)
    a, b, c = TelegramProfile(1, "A"), TelegramProfile(2, "B"), TelegramProfile(3, "C")
    await acc.users.identify_first(a)
    await acc.users.identify_first(b)
    clock.advance(seconds=1)
    await acc.users.identify_first(a)  # A seen again: B is now the least recent
    await acc.users.identify_first(c)  # one too many: B goes
    t = clock.now().replace(tzinfo=None)
    clock.advance(seconds=1)
    for profile in (a, c, b):  # A and C answered from memory, B written again
        await acc.users.identify_first(profile)
    assert (await acc.user_row(1)).updated_at.replace(tzinfo=None) != clock.now().replace(tzinfo=None), rule
    assert (await acc.user_row(2)).updated_at.replace(tzinfo=None) == clock.now().replace(tzinfo=None), rule
    assert (await acc.user_row(3)).updated_at.replace(tzinfo=None) == t, rule


async def test_a_chosen_language_sticks_and_is_read_afresh(engine, clock):
    rule = "set_language stores the choice, and the next update sees it; a later profile does not undo it"
    acc = Accounts(engine, clock)
    profile = TelegramProfile(10, "Anna", language_code="en")
    user, _ = await acc.users.identify_first(profile)
    await acc.users.identify_first(TelegramProfile(11, "Bob", language_code="en"))
    assert user.language is Language.EN
    copy = (await acc.users.identify(profile)).__class__(**{s: getattr(user, s) for s in user.__slots__})
    changed = await acc.users.set_language(copy, Language.RU)
    assert changed.language is Language.RU, rule
    again, _ = await acc.users.identify_first(profile)
    assert again.language is Language.RU, rule
    row = await acc.user_row(10)
    assert row.language == "ru" and row.language_chosen == 1, rule
    bob_row = await acc.user_row(11)
    assert bob_row.language == "en" and bob_row.language_chosen == 0, f"{rule}: only the chooser's row changes"


async def test_profile_names_are_cleaned_and_bounded(engine, clock):
    rule = "upsert_profile: a missing first name becomes the id, empty names are NULL, names are cut to fit"
    acc = Accounts(engine, clock)
    user = await acc.users.identify(TelegramProfile(42, "", "", "", None))
    assert (user.first_name, user.last_name, user.username) == ("42", None, None), rule
    assert user.language is Language.EN and user.created_at.replace(tzinfo=None) == clock.now().replace(tzinfo=None)
    clock.advance(minutes=1)
    long = await acc.users.identify(TelegramProfile(42, "F" * 200, "L" * 200, "u" * 100, "ru"))
    assert (long.first_name, long.last_name, long.username) == ("F" * 128, "L" * 128, "u" * 64), rule
    assert long.id == user.id and long.language is Language.EN, f"{rule}: the language is set on creation only"
    row = await acc.user_row(42)
    assert row.created_at.replace(tzinfo=None) == user.created_at.replace(tzinfo=None), rule
    assert row.updated_at.replace(tzinfo=None) == clock.now().replace(tzinfo=None), rule


async def test_admins_are_the_configured_ids(engine, clock):
    acc = Accounts(engine, clock)
    admin = await acc.users.identify(TelegramProfile(ADMIN_TG, "Admin"))
    anna = await acc.users.identify(TelegramProfile(5, "Anna"))
    assert acc.users.is_admin(admin) and not acc.users.is_admin(anna), "admins are the configured Telegram ids"
    acc.users.ensure_admin(admin)
    with pytest.raises(NotAdmin):
        acc.users.ensure_admin(anna)


# ---------------------------------------------------------------- staff


async def test_an_admin_assigns_staff_once(engine, clock):
    rule = "assign_staff: an admin assigns a known user to an existing event, once"
    acc = Accounts(engine, clock)
    admin = await acc.users.identify(TelegramProfile(ADMIN_TG, "Admin"))
    staff = await acc.users.identify(TelegramProfile(7, "Staff"))
    tt = await make_event(acc.uow, clock, quantity=5)
    await expect(NotAdmin, acc.admin.assign_staff(staff, 7, tt.event_id), rule)
    error = await expect(UserNotFound, acc.admin.assign_staff(admin, 8, tt.event_id), rule)
    assert error.params == {"telegram_id": 8}, rule
    await expect(EventNotFound, acc.admin.assign_staff(admin, 7, tt.event_id + 1), rule)
    first = await acc.admin.assign_staff(admin, 7, tt.event_id)
    assert first.created and first.staff.id == staff.id and first.event.id == tt.event_id, rule
    again = await acc.admin.assign_staff(admin, 7, tt.event_id)
    assert not again.created, rule
    async with acc.uow(write=False) as u:
        assert await u.staff.is_assigned(staff.id, tt.event_id), rule
        assert not await u.staff.is_assigned(admin.id, tt.event_id), rule
        assert await u.staff.events_of(staff.id) == [tt.event_id], rule
    async with engine.connect() as conn:
        rows = (await conn.execute(select(staff_assignments))).all()
    assert len(rows) == 1 and rows[0].assigned_by == admin.id, rule
    assert rows[0].created_at.replace(tzinfo=None) == clock.now().replace(tzinfo=None), rule


async def test_a_debit_for_an_order_names_the_order_and_zero_is_recorded_too(engine, clock):
    rule = "a ledger entry names its order; a zero amount is still an entry, even with no wallet yet"
    acc = Accounts(engine, clock)
    anna = await acc.users.identify(TelegramProfile(1, "Anna"))
    now = clock.now()
    async with acc.uow() as u:
        zero = await u.wallets.apply(anna.id, Money(0, "RUB"), EntryKind.PURCHASE, "z", now)
        order = await u.orders.add(Order(0, anna.id, OrderStatus.PAID, PRICE, now, paid_at=now), "o:1", None)
        await u.wallets.apply(anna.id, Money(900, "RUB"), EntryKind.CREDIT, "c", now)
        debit = await u.wallets.apply(anna.id, Money(-400, "RUB"), EntryKind.PURCHASE, "d", now, order_id=order.id)
        await u.commit()
    assert zero is not None and zero.balance_after == Money(0, "RUB"), rule
    assert debit.order_id == order.id and debit.kind is EntryKind.PURCHASE, rule
    assert [e.order_id for e in (await acc.wallet.overview(anna.id)).entries] == [order.id, None, None], rule


async def test_money_of_another_currency_never_lands_in_a_wallet(engine, clock):
    rule = "WalletRepo.apply moves a wallet only in its own currency"
    acc = Accounts(engine, clock)
    anna = await acc.users.identify(TelegramProfile(1, "Anna"))
    await acc.credit(anna.id, 500, "rub")
    async with acc.uow() as u:
        assert await u.wallets.apply(anna.id, Money(300, "USD"), EntryKind.CREDIT, "usd", clock.now()) is None, rule
        await u.commit()
    assert (await acc.wallet.overview(anna.id)).balance == Money(500, "RUB"), rule


async def test_identify_first_retries_a_conflict_three_times_at_most(engine, clock, monkeypatch):
    rule = "a conflicting first contact is retried: up to 3 attempts, then the conflict is raised"
    acc = Accounts(engine, clock)
    real = UserRepo.upsert_profile
    calls = {"n": 0, "fail": 2}

    async def flaky(self, profile, now):
        calls["n"] += 1
        if calls["n"] <= calls["fail"]:
            raise ConcurrencyConflict()
        return await real(self, profile, now)

    monkeypatch.setattr(UserRepo, "upsert_profile", flaky)
    user, first = await acc.users.identify_first(TelegramProfile(10, "Anna"))
    assert first is True and user.telegram_id == 10 and calls["n"] == 3, rule
    calls.update(n=0, fail=3)
    with pytest.raises(ConcurrencyConflict):
        await acc.users.identify_first(TelegramProfile(11, "Bob"))
    assert calls["n"] == 3, rule


async def test_a_language_chosen_by_someone_not_in_memory_is_stored(engine, clock):
    acc = Accounts(engine, clock)
    user = await acc.users.identify(TelegramProfile(10, "Anna", language_code="en"))
    assert (await acc.users.set_language(user, Language.RU)).language is Language.RU
    assert (await acc.user_row(10)).language == "ru", "set_language works for a user this worker never saw"
