"""Organizers set up the tariffs of their own events: name, price, quantity, sales window, order limit.

The creation dialog checks each step as it is typed (check_step) and keeps the values in the dialog
state; the tariff is written once, whole, at the end (create), so customers never meet a tariff that
is half set up. Later changes go one field at a time; a quantity is never set below what is sold plus
held (one conditional UPDATE), and a new price leaves carts and orders at the price they were given."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.clock import Clock
from domain.dates import parse_local
from domain.errors import FieldEmpty, OwnEventNotFound, QuantityBelowTaken, SalesWindowInvalid
from domain.models import Event, TicketType, User
from domain.money import Money
from domain.policies import HoldPolicy
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.services.event_editor import ensure_editable, own_event
from domain.tariff_fields import (
    OPTIONAL,
    TariffField,
    parse_name,
    parse_order_limit,
    parse_price,
    parse_quantity,
)

Values = dict[str, Any]  # a tariff in the making, as the dialog state keeps it (JSON: minor units, ISO dates)


class TariffEditor:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, policy: HoldPolicy, currency: str) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy
        self._currency = currency

    @property
    def currency(self) -> str:
        return self._currency

    @property
    def shop_limit(self) -> int:
        return self._policy.max_per_order

    def check_step(self, field: TariffField, text: str, tz: ZoneInfo, values: Values) -> Any:
        """The value of one typed step, as the dialog keeps it; raises what is wrong with it."""
        if field is TariffField.NAME:
            return parse_name(text)
        if field is TariffField.PRICE:
            return parse_price(text, self._currency).minor
        if field is TariffField.QUANTITY:
            return parse_quantity(text)
        if field is TariffField.MAX_PER_ORDER:
            return parse_order_limit(text, self._policy.max_per_order)
        moment = parse_local(text, tz, self._clock.now())
        start, end = _moment(values.get("sales_start")), _moment(values.get("sales_end"))
        if field is TariffField.SALES_START and end is not None and end <= moment:
            raise SalesWindowInvalid()
        if field is TariffField.SALES_END and start is not None and moment <= start:
            raise SalesWindowInvalid()
        return moment.isoformat()

    async def tariffs(self, user: User, event_id: int) -> tuple[Event, list[TicketType]]:
        async with self._uow(write=False) as uow:
            event = await own_event(uow, user, event_id)
            return event, await uow.events.ticket_types(event.id)

    async def tariff(self, user: User, ticket_type_id: int) -> tuple[Event, TicketType]:
        async with self._uow(write=False) as uow:
            return await _own_tariff(uow, user, ticket_type_id)

    async def create(self, user: User, event_id: int, values: Values) -> TicketType:
        """The whole tariff at once, each value checked again (dialog state can be tampered with)."""
        name = parse_name(str(values.get("name", "")))
        price = Money(int(values.get("price", 0)), self._currency)
        price = parse_price(str(price.as_decimal()), self._currency)
        quantity = parse_quantity(str(values.get("quantity", "")))
        start, end = _moment(values.get("sales_start")), _moment(values.get("sales_end"))
        if start is not None and end is not None and end <= start:
            raise SalesWindowInvalid()
        limit = values.get("max_per_order")
        if limit is not None:
            limit = parse_order_limit(str(limit), self._policy.max_per_order)
        async with self._uow() as uow:
            event = await own_event(uow, user, event_id, lock=True)
            ensure_editable(event)
            position = len(await uow.events.ticket_types(event.id))
            tt = TicketType(0, event.id, name, price, quantity, 0, 0, start, end, position, limit)
            await uow.events.add_ticket_type(tt)
            await uow.commit()
        return tt

    async def set_field(self, user: User, ticket_type_id: int, field: TariffField, text: str, tz: ZoneInfo):
        now = self._clock.now()
        async with self._uow() as uow:
            event, tt = await _own_tariff(uow, user, ticket_type_id)
            ensure_editable(event)
            if field is TariffField.QUANTITY:
                quantity = parse_quantity(text)
                if not await uow.events.set_quantity(tt.id, quantity):
                    taken = await uow.events.ticket_type(tt.id)
                    raise QuantityBelowTaken(taken=taken.sold + taken.held)
                tt.quantity = quantity
            else:
                _apply(tt, field, text, tz, now, self._currency, self._policy.max_per_order)
                await uow.events.save_tariff(tt)
            await uow.commit()
        return tt

    async def clear(self, user: User, ticket_type_id: int, field: TariffField) -> TicketType:
        if field not in OPTIONAL:
            raise FieldEmpty()
        async with self._uow() as uow:
            event, tt = await _own_tariff(uow, user, ticket_type_id)
            ensure_editable(event)
            setattr(tt, field.value, None)
            await uow.events.save_tariff(tt)
            await uow.commit()
        return tt


async def _own_tariff(uow: UnitOfWork, user: User, ticket_type_id: int) -> tuple[Event, TicketType]:
    """The tariff read again once its event is locked: two edits of one tariff queue on the event row,
    and the second starts from what the first wrote (each save writes every editable field back)."""
    tt = await uow.events.ticket_type(ticket_type_id)
    if tt is None:
        raise OwnEventNotFound()
    event = await own_event(uow, user, tt.event_id, lock=True)
    return event, await uow.events.ticket_type(ticket_type_id)


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _apply(tt: TicketType, field: TariffField, text: str, tz: ZoneInfo, now: datetime, currency: str, shop: int):
    if field is TariffField.NAME:
        tt.name = parse_name(text)
    elif field is TariffField.PRICE:
        tt.price = parse_price(text, currency)
    elif field is TariffField.MAX_PER_ORDER:
        tt.max_per_order = parse_order_limit(text, shop)
    else:
        moment = parse_local(text, tz, now)
        start = moment if field is TariffField.SALES_START else tt.sales_start
        end = moment if field is TariffField.SALES_END else tt.sales_end
        if start is not None and end is not None and end <= start:
            raise SalesWindowInvalid()
        setattr(tt, field.value, moment)
