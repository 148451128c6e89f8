"""Organizers set the promo codes and automatic promotions of their own events; admins those of any event,
and the shop-wide codes (no event: their scope is the whole cart).

A code is made in three typed or pressed steps (its text, its discount, what it applies to) and written
whole at the end; every other option (the name buyers read, the validity window, the use limits, the
minimum cart sum, whether it combines, whether it is offered at all) is changed one at a time later. A
promotion is made the same way, its steps depending on its kind. Nothing is ever deleted: paid orders refer
to a code or a promotion by its id, so it is withdrawn (active off) and may be restored.

As with the attendee questions, every typed step is checked where it is typed and again when the whole
thing is written (dialog state can be tampered with), and every button is checked again here: an
organizer reaches only their own events, their codes and promotions; another organizer's code or
promotion is answered as a missing one and changes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.clock import Clock
from domain.dates import parse_local
from domain.errors import (
    BundleSameTariff,
    NotAdmin,
    NotOrganizer,
    OwnEventNotFound,
    PromoCodeTaken,
    PromoLimitBelowUses,
    PromoNameInvalid,
    PromoNotFound,
    PromoWindowInvalid,
    WeekdaysEmpty,
)
from domain.models import Event, TicketType, User
from domain.policies import AdminPolicy
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.pricing import WHOLE_CART, Scope
from domain.promo_fields import (
    MAX_DAYS_BEFORE,
    MAX_TICKETS,
    MAX_USES,
    MIN_TICKETS,
    CodeOption,
    Flag,
    PromotionOption,
    parse_amount,
    parse_code,
    parse_discount,
    parse_name,
    parse_percent_step,
    parse_weekdays,
    parse_whole,
)
from domain.promotions import MAX_NAME, CodeRule, PromotionKind, PromotionRule
from domain.services.event_editor import EDITABLE, ensure_editable


@dataclass(frozen=True, slots=True)
class CodeList:
    """The codes of one event (or, event None, the shop's) as the person managing them sees them."""

    event: Event | None
    codes: list[CodeRule]  # newest first
    tariffs: list[TicketType]  # the event's: what a code's scope names

    @property
    def editable(self) -> bool:
        return self.event is None or self.event.status in EDITABLE


@dataclass(frozen=True, slots=True)
class CodeCard:
    event: Event | None
    rule: CodeRule
    tariffs: list[TicketType]

    @property
    def editable(self) -> bool:
        return self.event is None or self.event.status in EDITABLE


@dataclass(frozen=True, slots=True)
class PromotionList:
    event: Event
    promotions: list[PromotionRule]  # oldest first
    tariffs: list[TicketType]

    @property
    def editable(self) -> bool:
        return self.event.status in EDITABLE


@dataclass(frozen=True, slots=True)
class PromotionCard:
    event: Event
    rule: PromotionRule
    tariffs: list[TicketType]

    @property
    def editable(self) -> bool:
        return self.event.status in EDITABLE


class PromoEditor:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        admins: AdminPolicy | None = None,
        currency: str = "RUB",
        tz: ZoneInfo | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._admins = admins or AdminPolicy()
        self._currency = currency
        self._tz = tz or ZoneInfo("UTC")

    @property
    def currency(self) -> str:
        return self._currency

    def is_admin(self, user: User) -> bool:
        return self._admins.is_admin(user)

    # ------------------------------------------------------------------------------------- typed steps

    async def check_code(self, text: str) -> str:
        """A new code's text, canonical, and not taken by any event or the shop (checked again when it is
        written: two organizers may type the same code at once)."""
        code = parse_code(text)
        async with self._uow(write=False) as uow:
            if await uow.promotions.code(code) is not None:
                raise PromoCodeTaken(code=code)
        return code

    def check_discount(self, text: str) -> str:
        """A code's discount, "10 %" or an amount; the dialog keeps the text and add_code reads it again."""
        parse_discount(text, self._currency)
        return " ".join(text.split())

    def check_name(self, text: str) -> str:
        return parse_name(text)

    def check_percent(self, text: str) -> str:
        parse_percent_step(text)
        return " ".join(text.split())

    def check_amount(self, text: str) -> str:
        parse_amount(text, self._currency)
        return " ".join(text.split())

    def check_min_tickets(self, text: str) -> int:
        return parse_whole(text, MIN_TICKETS, MAX_TICKETS)

    def check_days(self, text: str) -> int:
        return parse_whole(text, 0, MAX_DAYS_BEFORE)

    # -------------------------------------------------------------------------------------------- codes

    async def codes(self, user: User, event_id: int | None) -> CodeList:
        """An event's codes (event_id None: the shop's, for admins)."""
        async with self._uow(write=False) as uow:
            event = await self._event(uow, user, event_id)
            return await self._code_list(uow, event)

    async def begin_code(self, user: User, event_id: int | None) -> CodeList:
        """Before the dialog asks anything: one's own event, still editable (or, for an admin, the shop)."""
        found = await self.codes(user, event_id)
        if found.event is not None:
            ensure_editable(found.event)
        return found

    async def add_code(
        self, user: User, event_id: int | None, code: str, discount: str, tariff_id: int | None
    ) -> CodeRule:
        """The code written whole, each value checked again: its text, its discount ("10 %" or an amount),
        and what it applies to (tariff_id None: the whole event; the shop's codes: the whole cart)."""
        text = parse_code(str(code))
        basis_points, amount = parse_discount(str(discount), self._currency)
        async with self._uow() as uow:
            event = await self._event(uow, user, event_id, lock=True)
            if event is None:
                if tariff_id is not None:
                    raise OwnEventNotFound()
                scope = WHOLE_CART
            else:
                ensure_editable(event)
                scope = Scope.event(event.id) if tariff_id is None else await _tariff_scope(uow, event, tariff_id)
            rule = CodeRule(
                id=0,
                code=text,
                name=text,
                event_id=event.id if event is not None else None,
                scope=scope,
                basis_points=basis_points,
                amount=amount,
            )
            added = await uow.promotions.add_code(rule, self._currency, user.id, self._clock.now())
            if added is None:
                raise PromoCodeTaken(code=text)
            await uow.commit()
        return added

    async def code(self, user: User, code_id: int, editing: bool = False) -> CodeCard:
        """One code of one's own event (or the shop's, for an admin); editing=True refuses one that may no
        longer change (its event cancelled or over) before an option is asked for."""
        async with self._uow(write=False) as uow:
            event, rule = await self._own_code(uow, user, code_id)
            if editing and event is not None:
                ensure_editable(event)
            return CodeCard(event, rule, await _tariffs(uow, event))

    async def set_code(self, user: User, code_id: int, option: CodeOption | str, text: str | None) -> CodeCard:
        """One option typed (text) or removed (None: the name back to the code, no limit, no window end, no
        minimum). A use limit is never set below the uses counted already."""
        option = _option(CodeOption, option)
        now = self._clock.now()
        async with self._uow() as uow:
            event, rule = await self._own_code(uow, user, code_id, lock=True)
            if option is CodeOption.NAME:
                changed = replace(rule, name=parse_name(text) if text is not None else rule.code)
            elif option is CodeOption.MAX_USES:
                limit = parse_whole(text, 1, MAX_USES) if text is not None else None
                if limit is not None and limit < rule.uses:
                    raise PromoLimitBelowUses(uses=rule.uses)
                changed = replace(rule, max_uses=limit)
            elif option is CodeOption.PER_PERSON:
                per_person = parse_whole(text, 1, MAX_USES) if text is not None else None
                changed = replace(rule, max_uses_per_person=per_person)
            elif option is CodeOption.MIN_CART:
                changed = replace(rule, min_cart=parse_amount(text, self._currency) if text is not None else None)
            else:
                changed = replace(rule, **_window(rule, option.value, text, self._tz, now))
            await uow.promotions.update_code(changed, self._currency)
            await uow.commit()
            return CodeCard(event, changed, await _tariffs(uow, event))

    async def switch_code(self, user: User, code_id: int, flag: Flag | str, value: bool) -> tuple[CodeCard, bool]:
        """Sets (not flips) combinable or active; returns the card and whether this call changed it."""
        flag = _option(Flag, flag)
        async with self._uow() as uow:
            event, rule = await self._own_code(uow, user, code_id, lock=True)
            changed = replace(rule, **{_FLAGS[flag]: bool(value)})
            if changed != rule:
                await uow.promotions.update_code(changed, self._currency)
                await uow.commit()
            return CodeCard(event, changed, await _tariffs(uow, event)), changed != rule

    # --------------------------------------------------------------------------------------- promotions

    async def promotions(self, user: User, event_id: int) -> PromotionList:
        async with self._uow(write=False) as uow:
            event = await self._event(uow, user, event_id)
            return PromotionList(event, await uow.promotions.promotions_of(event.id), await _tariffs(uow, event))

    async def begin_promotion(self, user: User, event_id: int) -> PromotionList:
        found = await self.promotions(user, event_id)
        ensure_editable(found.event)
        return found

    async def add_promotion(
        self, user: User, event_id: int, kind: PromotionKind | str, values: Mapping[str, Any]
    ) -> PromotionRule:
        """The promotion written whole, every value read again from what the dialog kept:
        name; QUANTITY: min_tickets, percent; BUNDLE: tariff_a, tariff_b, amount; EARLY: percent, weekdays,
        days, tariff (0 or missing: the whole event)."""
        kind = _option(PromotionKind, kind)
        name = parse_name(str(values.get("name", "")))
        fields: dict[str, Any] = {}
        if kind is PromotionKind.QUANTITY:
            fields["min_tickets"] = parse_whole(str(values.get("min_tickets", "")), MIN_TICKETS, MAX_TICKETS)
            fields["basis_points"] = parse_percent_step(str(values.get("percent", "")))
        elif kind is PromotionKind.BUNDLE:
            fields["amount"] = parse_amount(str(values.get("amount", "")), self._currency)
        else:
            fields["basis_points"] = parse_percent_step(str(values.get("percent", "")))
            fields["weekdays"] = parse_weekdays(values.get("weekdays"))
            if not fields["weekdays"]:
                raise WeekdaysEmpty()
            fields["days_before"] = parse_whole(str(values.get("days", "")), 0, MAX_DAYS_BEFORE)
        async with self._uow() as uow:
            event = await self._event(uow, user, event_id, lock=True)
            ensure_editable(event)
            if kind is PromotionKind.BUNDLE:
                a, b = _id(values.get("tariff_a")), _id(values.get("tariff_b"))
                await _tariff_scope(uow, event, a)
                await _tariff_scope(uow, event, b)
                if a == b:
                    raise BundleSameTariff()
                fields |= {"tariff_a": a, "tariff_b": b}
            elif kind is PromotionKind.EARLY and _id(values.get("tariff")):
                fields["tariff_id"] = (await _tariff_scope(uow, event, _id(values.get("tariff")))).target
            rule = PromotionRule(id=0, event_id=event.id, kind=kind, name=name, **fields)
            rule.priced(self._tz)  # pricing's own checks: what it cannot price is never stored
            added = await uow.promotions.add_promotion(rule, self._currency, self._clock.now())
            await uow.commit()
        return added

    async def promotion(self, user: User, promotion_id: int, editing: bool = False) -> PromotionCard:
        async with self._uow(write=False) as uow:
            event, rule = await self._own_promotion(uow, user, promotion_id)
            if editing:
                ensure_editable(event)
            return PromotionCard(event, rule, await _tariffs(uow, event))

    async def set_promotion(
        self, user: User, promotion_id: int, option: PromotionOption | str, text: str | None
    ) -> PromotionCard:
        """The name (always one) or either end of the validity window (None: open on that side)."""
        option = _option(PromotionOption, option)
        now = self._clock.now()
        async with self._uow() as uow:
            event, rule = await self._own_promotion(uow, user, promotion_id, lock=True)
            if option is PromotionOption.NAME:
                if text is None:
                    raise PromoNameInvalid(max=MAX_NAME)
                changed = replace(rule, name=parse_name(text))
            else:
                changed = replace(rule, **_window(rule, option.value, text, self._tz, now))
            await uow.promotions.update_promotion(changed, self._currency)
            await uow.commit()
            return PromotionCard(event, changed, await _tariffs(uow, event))

    async def switch_promotion(
        self, user: User, promotion_id: int, flag: Flag | str, value: bool
    ) -> tuple[PromotionCard, bool]:
        flag = _option(Flag, flag)
        async with self._uow() as uow:
            event, rule = await self._own_promotion(uow, user, promotion_id, lock=True)
            changed = replace(rule, **{_FLAGS[flag]: bool(value)})
            if changed != rule:
                await uow.promotions.update_promotion(changed, self._currency)
                await uow.commit()
            return PromotionCard(event, changed, await _tariffs(uow, event)), changed != rule

    # ---------------------------------------------------------------------------------------- authority

    async def _event(self, uow: UnitOfWork, user: User, event_id: int | None, lock: bool = False) -> Event | None:
        """The event whose codes and promotions `user` manages: an organizer's own, any for an admin; None
        (the shop's codes) for admins only. Someone else's event is answered as a missing one."""
        admin = self._admins.is_admin(user)
        if event_id is None:
            if not admin:
                raise NotAdmin()
            return None
        if not admin and not await uow.organizers.is_organizer(user.id):
            raise NotOrganizer()
        event = await (uow.events.get_for_update(event_id) if lock else uow.events.get(event_id))
        if event is None or not (admin or event.organizer_id == user.id):
            raise OwnEventNotFound()
        return event

    async def _reach(self, uow: UnitOfWork, user: User, event_id: int | None, lock: bool) -> Event | None:
        """The event of a code or promotion found by its id: not the reader's is answered as PromoNotFound."""
        try:
            return await self._event(uow, user, event_id, lock)
        except (OwnEventNotFound, NotAdmin):
            raise PromoNotFound() from None

    async def _gate(self, uow: UnitOfWork, user: User) -> None:
        """A customer pressing a forged button hears that this is for organizers, whatever it names."""
        if not self._admins.is_admin(user) and not await uow.organizers.is_organizer(user.id):
            raise NotOrganizer()

    async def _own_code(
        self, uow: UnitOfWork, user: User, code_id: int, lock: bool = False
    ) -> tuple[Event | None, CodeRule]:
        await self._gate(uow, user)
        rule = await uow.promotions.code_by_id(code_id)
        if rule is None:
            raise PromoNotFound()
        event = await self._reach(uow, user, rule.event_id, lock)
        if lock:
            if event is not None:
                ensure_editable(event)
            # Again, locked: the uses a payment is counting right now are seen (a limit is never set below
            # them), and a shop-wide code, which has no event to lock, is never edited by two at once.
            rule = await uow.promotions.code_by_id(code_id, lock=True)
        return event, rule

    async def _own_promotion(
        self, uow: UnitOfWork, user: User, promotion_id: int, lock: bool = False
    ) -> tuple[Event, PromotionRule]:
        await self._gate(uow, user)
        rule = await uow.promotions.promotion(promotion_id)
        if rule is None:
            raise PromoNotFound()
        event = await self._reach(uow, user, rule.event_id, lock)
        if lock:
            ensure_editable(event)
            rule = await uow.promotions.promotion(promotion_id)
        return event, rule

    async def _code_list(self, uow: UnitOfWork, event: Event | None) -> CodeList:
        codes = await uow.promotions.codes_of(event.id if event is not None else None)
        return CodeList(event, codes, await _tariffs(uow, event))


_FLAGS = {Flag.COMBINABLE: "combinable", Flag.ACTIVE: "active"}


def _option(enum, value):
    """A value from a button or dialog state: anything else is a stale (or forged) button."""
    try:
        return enum(value)
    except ValueError:
        raise PromoNotFound() from None


def _id(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


async def _tariffs(uow: UnitOfWork, event: Event | None) -> list[TicketType]:
    return await uow.events.ticket_types(event.id) if event is not None else []


async def _tariff_scope(uow: UnitOfWork, event: Event, tariff_id: int | None) -> Scope:
    """One tariff of this very event; a forged one (another event's, or none) as a missing event."""
    tariff = await uow.events.ticket_type(tariff_id) if tariff_id else None
    if tariff is None or tariff.event_id != event.id:
        raise OwnEventNotFound()
    return Scope.tariff(tariff.id)


def _window(
    rule: CodeRule | PromotionRule, end: str, text: str | None, tz: ZoneInfo, now: datetime
) -> dict[str, datetime | None]:
    """One end of a validity window ("from" or "until") typed in the organizer's zone, or removed; the
    end must stay after the start, whichever of them changes."""
    moment = parse_local(text, tz, now) if text is not None else None
    start = moment if end == "from" else rule.valid_from
    until = moment if end == "until" else rule.valid_until
    if start is not None and until is not None and until <= start:
        raise PromoWindowInvalid()
    return {"valid_from": start, "valid_until": until}
