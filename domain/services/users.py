"""Identity: Telegram is the identity, so first contact creates the user and later ones refresh it."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from domain.clock import Clock
from domain.errors import ConcurrencyConflict
from domain.models import Language, TelegramProfile, User
from domain.policies import AdminPolicy
from domain.ports import UnitOfWorkFactory

PROFILE_FRESH_FOR = timedelta(seconds=60)
PROFILES_KEPT = 10_000
IDENTIFY_ATTEMPTS = 3


class UserService:
    """Every update names its sender; writing the same profile back on each one was a transaction per
    update in a rush. A profile seen unchanged within PROFILE_FRESH_FOR is answered from memory (bounded,
    least recently seen dropped first); a changed one is written at once."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, admins: AdminPolicy) -> None:
        self._uow = uow
        self._clock = clock
        self._admins = admins
        self._seen: OrderedDict[int, tuple[TelegramProfile, User, datetime]] = OrderedDict()

    async def identify(self, profile: TelegramProfile) -> User:
        """Create on first contact; keep the names fresh; never override a language the user chose."""
        async with self._uow() as uow:
            user = await uow.users.upsert_profile(profile, self._clock.now())
            await uow.commit()
            return user

    async def identify_first(self, profile: TelegramProfile) -> tuple[User, bool]:
        """The user, and whether this update is their first contact (a returning user is welcomed back)."""
        now = self._clock.now()
        seen = self._seen.get(profile.telegram_id)
        if seen is not None and seen[0] == profile and now - seen[2] < PROFILE_FRESH_FOR:
            self._seen.move_to_end(profile.telegram_id)
            return seen[1], False
        for attempt in range(IDENTIFY_ATTEMPTS):
            try:
                async with self._uow() as uow:
                    known = await uow.users.by_telegram_id(profile.telegram_id) is not None
                    user = await uow.users.upsert_profile(profile, now)
                    await uow.commit()
                break
            except ConcurrencyConflict:  # the upsert is idempotent: run it again
                if attempt == IDENTIFY_ATTEMPTS - 1:
                    raise
        self._remember(profile, user, now)
        return user, not known

    def _remember(self, profile: TelegramProfile, user: User, now: datetime) -> None:
        self._seen[profile.telegram_id] = (profile, user, now)
        self._seen.move_to_end(profile.telegram_id)
        while len(self._seen) > PROFILES_KEPT:
            self._seen.popitem(last=False)

    async def set_language(self, user: User, language: Language) -> User:
        async with self._uow() as uow:
            await uow.users.set_language(user.id, language)
            await uow.commit()
        user.language = language
        self._seen.pop(user.telegram_id, None)  # the next update reads the user afresh
        return user

    def is_admin(self, user: User) -> bool:
        return self._admins.is_admin(user)

    def ensure_admin(self, user: User) -> None:
        self._admins.ensure_admin(user)
