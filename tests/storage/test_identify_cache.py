"""Identification costs no transaction while a person's profile is unchanged; a change (a new name, a
language chosen, time passing) is read and written again."""

from __future__ import annotations

from domain.models import Language, TelegramProfile
from domain.policies import AdminPolicy
from domain.services.users import PROFILES_KEPT, UserService
from storage.uow import UnitOfWorkFactory


async def test_an_unchanged_profile_is_not_written_again(engine, clock):
    real = UnitOfWorkFactory(engine)
    transactions = []

    def counting(*args, **kwargs):
        transactions.append(kwargs)
        return real(*args, **kwargs)

    users = UserService(counting, clock, AdminPolicy())
    anna = TelegramProfile(7, "Anna", language_code="en")
    user, first = await users.identify_first(anna)
    assert first and len(transactions) == 1
    again, first = await users.identify_first(anna)
    assert not first and again.id == user.id and len(transactions) == 1

    renamed, _ = await users.identify_first(TelegramProfile(7, "Anna K.", language_code="en"))
    assert renamed.first_name == "Anna K." and len(transactions) == 2

    await users.set_language(renamed, Language.RU)
    chosen, _ = await users.identify_first(TelegramProfile(7, "Anna K.", language_code="en"))
    assert chosen.language is Language.RU and len(transactions) == 4

    clock.advance(minutes=2)
    await users.identify_first(TelegramProfile(7, "Anna K.", language_code="en"))
    assert len(transactions) == 5


async def test_the_memory_is_bounded(engine, clock, monkeypatch):
    import domain.services.users as module

    monkeypatch.setattr(module, "PROFILES_KEPT", 3)
    users = UserService(UnitOfWorkFactory(engine), clock, AdminPolicy())
    for n in range(10):
        await users.identify_first(TelegramProfile(100 + n, f"U{n}"))
    assert len(users._seen) == 3 and PROFILES_KEPT > 3
