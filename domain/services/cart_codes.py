"""Promo codes in the cart: typed by the customer, kept while they might apply, priced by domain.pricing."""

from __future__ import annotations

import logging
from datetime import datetime

from domain.clock import Clock
from domain.errors import (
    CartChanged,
    PromoCodeAlreadyInCart,
    PromoCodeExpired,
    PromoCodeNotACode,
    PromoCodeNotInCart,
    PromoCodesFull,
    PromoCodeUnknown,
    PromoCodeUsedUp,
    PromoCodeUsedUpForYou,
    PromoCodeWithdrawn,
    TooManyAttempts,
)
from domain.policies import HoldPolicy
from domain.ports import AttemptLimiter, UnitOfWork, UnitOfWorkFactory
from domain.pricing import normalize_code
from domain.promotions import MAX_CODES_IN_CART, CodeRule
from domain.ratelimit import AttemptPolicy, whole_seconds
from domain.services.cart import build_cart_view, release_expired_holds
from domain.views import CartView

logger = logging.getLogger(__name__)

# Ten wrong codes within ten minutes, then a wait: a guesser gets about 1,400 tries a day, not millions.
CODE_GUESSES = AttemptPolicy(max_failures=10, window_seconds=600)


class CartCodes:
    """Codes are guessable: a person typing unknown codes is slowed down by the limiter (a failed guess is a
    text that is not a code, or a code nobody defined); a real code never counts against them."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, policy: HoldPolicy, currency: str, limiter: AttemptLimiter
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy
        self._currency = currency
        self._limiter = limiter

    async def add(self, user_id: int, text: str) -> tuple[CartView, str]:
        """The cart with the code kept in it, and the code's normalized text (the view says whether it applies
        and, if not, why). A code that can never apply to this person (unknown, withdrawn, expired, used up) is
        refused and not kept; one that may apply later (not valid yet, its minimum not met, nothing of its
        event in the cart yet, not combining) is kept and shown with its reason."""
        now = self._clock.now()
        key = f"code:{user_id}"
        wait = await self._limiter.retry_after(key, now)
        if wait is not None:
            raise TooManyAttempts(seconds=whole_seconds(wait))
        code = normalize_code(text)
        if code is None:
            await self._failed(key, user_id, now)
            raise PromoCodeNotACode()
        async with self._uow() as uow:
            cart = await uow.carts.for_user(user_id, now, lock=True)
            if code in cart.codes:
                raise PromoCodeAlreadyInCart(code=code)
            rule = await uow.promotions.code(code)
            if rule is None:
                await self._failed(key, user_id, now)
                raise PromoCodeUnknown(code=code)
            await self._refuse_unusable(uow, rule, user_id, now)
            if len(cart.codes) >= MAX_CODES_IN_CART:
                raise PromoCodesFull(max=MAX_CODES_IN_CART)
            if await release_expired_holds(uow, now, cart=cart):
                cart = await uow.carts.for_user(user_id, now)
            cart.version = await uow.carts.bump_version(cart.id, codes=(*cart.codes, code))
            cart.codes = (*cart.codes, code)
            view = await build_cart_view(uow, user_id, now, self._currency, self._policy, cart)
            await uow.commit()
        logger.info("promo code kept in cart: user_id=%s code_id=%s", user_id, rule.id)
        return view, code

    async def remove(self, user_id: int, code: str, seen_version: int | None = None) -> CartView:
        """Only a code in this person's own cart, from a button of the cart as it is now."""
        now = self._clock.now()
        async with self._uow() as uow:
            cart = await uow.carts.for_user(user_id, now, lock=True)
            if seen_version is not None and seen_version != cart.version:
                raise CartChanged()
            if code not in cart.codes:
                raise PromoCodeNotInCart()
            if await release_expired_holds(uow, now, cart=cart):
                cart = await uow.carts.for_user(user_id, now)
            kept = tuple(c for c in cart.codes if c != code)
            cart.version = await uow.carts.bump_version(cart.id, codes=kept)
            cart.codes = kept
            view = await build_cart_view(uow, user_id, now, self._currency, self._policy, cart)
            await uow.commit()
            return view

    async def _refuse_unusable(self, uow: UnitOfWork, rule: CodeRule, user_id: int, now: datetime) -> None:
        if not rule.active:
            raise PromoCodeWithdrawn(code=rule.code)
        if rule.valid_until is not None and now >= rule.valid_until:
            raise PromoCodeExpired(code=rule.code)
        if rule.max_uses is not None and rule.uses >= rule.max_uses:
            raise PromoCodeUsedUp(code=rule.code)
        if rule.max_uses_per_person is not None:
            if await uow.promotions.person_uses(rule.id, user_id) >= rule.max_uses_per_person:
                raise PromoCodeUsedUpForYou(code=rule.code, max=rule.max_uses_per_person)

    async def _failed(self, key: str, user_id: int, now: datetime) -> None:
        wait = await self._limiter.failed(key, now)
        logger.info("promo code guess failed: user_id=%s blocked=%s", user_id, wait is not None)
