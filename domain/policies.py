"""Configurable rules the services apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from domain.errors import CartFull, InvalidQuantity, LimitReached, NotAdmin
from domain.models import User


@dataclass(frozen=True, slots=True)
class HoldPolicy:
    hold_minutes: int = 15
    max_per_order: int = 10
    max_cart_lines: int = 10  # distinct items: keeps a cart readable and under Telegram's message limits

    @property
    def hold_for(self) -> timedelta:
        return timedelta(minutes=self.hold_minutes)

    def check_quantity(self, qty: int, already_in_cart: int, limit: int | None = None) -> None:
        """limit: the tariff's own per-order limit (TicketType.order_limit), never above the shop's."""
        most = min(limit, self.max_per_order) if limit else self.max_per_order
        if qty < 1 or qty > most:
            raise InvalidQuantity(max=most)
        if already_in_cart + qty > most:
            raise LimitReached(max=most, in_cart=already_in_cart)

    def check_lines(self, lines_in_cart: int) -> None:
        if lines_in_cart >= self.max_cart_lines:
            raise CartFull(max=self.max_cart_lines)


@dataclass(frozen=True, slots=True)
class AdminPolicy:
    """Platform admins are the Telegram ids listed in configuration."""

    admin_telegram_ids: frozenset[int] = field(default_factory=frozenset)

    def is_admin(self, user: User) -> bool:
        return user.telegram_id in self.admin_telegram_ids

    def ensure_admin(self, user: User) -> None:
        if not self.is_admin(user):
            raise NotAdmin()
