"""Identity: Telegram is the identity, so first contact creates the user and later ones refresh it."""

from __future__ import annotations

from domain.clock import Clock
from domain.models import Language, TelegramProfile, User
from domain.policies import AdminPolicy
from domain.ports import UnitOfWorkFactory


class UserService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, admins: AdminPolicy) -> None:
        self._uow = uow
        self._clock = clock
        self._admins = admins

    async def identify(self, profile: TelegramProfile) -> User:
        """Create on first contact; keep the names fresh; never override a language the user chose."""
        async with self._uow() as uow:
            user = await uow.users.upsert_profile(profile, self._clock.now())
            await uow.commit()
            return user

    async def identify_first(self, profile: TelegramProfile) -> tuple[User, bool]:
        """The user, and whether this update is their first contact (a returning user is welcomed back)."""
        async with self._uow() as uow:
            known = await uow.users.by_telegram_id(profile.telegram_id) is not None
            user = await uow.users.upsert_profile(profile, self._clock.now())
            await uow.commit()
        return user, not known

    async def set_language(self, user: User, language: Language) -> User:
        async with self._uow() as uow:
            await uow.users.set_language(user.id, language)
            await uow.commit()
        user.language = language
        return user

    def is_admin(self, user: User) -> bool:
        return self._admins.is_admin(user)

    def ensure_admin(self, user: User) -> None:
        self._admins.ensure_admin(user)
