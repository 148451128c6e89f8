"""Configurable rules the services apply."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from domain.errors import (
    CartFull,
    CoolingDown,
    EventOrderLimitReached,
    HeldLimitReached,
    InvalidQuantity,
    LimitReached,
    NotAdmin,
    PersonLimitReached,
)
from domain.models import Event, User


@dataclass(frozen=True, slots=True)
class HoldPolicy:
    hold_minutes: int = 15
    max_per_order: int = 10
    max_cart_lines: int = 10  # distinct items: keeps a cart readable and under Telegram's message limits
    max_per_person: int = 20  # tickets of one event per person, bought and held; an event may set its own
    max_per_event_order: int = 20  # tickets of one event in one order, all tariffs; an event may set its own
    max_held: int = 20  # tickets one person holds at once, all events together
    cooldown_releases: int = 5  # this many dropped holds within cooldown_window ...
    cooldown_window: timedelta = timedelta(minutes=10)
    cooldown_for: timedelta = timedelta(minutes=15)  # ... and no new hold for this long after the last of them
    tz: tzinfo = UTC  # the organizers' calendar: an early weekday discount counts its weekdays in it

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

    def check_event_limits(self, event: Event, adding: int, held: int, bought: int) -> None:
        """Anti-scalping, per event (its organizer's numbers, else the shop's): `held` tickets of the event
        already in the cart, `bought` paid for before. The refusal says how many more are allowed."""
        per_order = event.max_per_order or self.max_per_event_order
        if held + adding > per_order:
            raise EventOrderLimitReached(
                event=event.title, max_tickets=per_order, held_tickets=held, more_tickets=max(per_order - held, 0)
            )
        per_person = event.max_per_person or self.max_per_person
        if bought + held + adding > per_person:
            raise PersonLimitReached(
                event=event.title,
                max_tickets=per_person,
                bought_tickets=bought,
                held_tickets=held,
                more_tickets=max(per_person - bought - held, 0),
            )

    def check_held(self, adding: int, held: int) -> None:
        if held + adding > self.max_held:
            raise HeldLimitReached(
                max_tickets=self.max_held, held_tickets=held, more_tickets=max(self.max_held - held, 0)
            )

    def cooling_down_until(self, releases: list[datetime]) -> datetime | None:
        """After `cooldown_releases` drops within `cooldown_window`, holds wait `cooldown_for` from the last
        drop of that burst: the latest such moment, or None. `releases`: the person's recent drops."""
        recent = sorted(releases, reverse=True)
        n = self.cooldown_releases
        for i in range(len(recent) - n + 1):
            if recent[i] - recent[i + n - 1] <= self.cooldown_window:
                return recent[i] + self.cooldown_for
        return None

    def check_cooldown(self, releases: list[datetime], now: datetime) -> None:
        until = self.cooling_down_until(releases)
        if until is not None and until > now:
            raise CoolingDown(minutes=math.ceil((until - now).total_seconds() / 60))

    @property
    def releases_worth_keeping(self) -> timedelta:
        return self.cooldown_window + self.cooldown_for

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
