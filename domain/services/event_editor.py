"""Organizers create and edit their own events, one field at a time, each checked where it is typed.

A draft is stored from its first field (the title), so a dialog abandoned halfway keeps what was typed.
Every change re-reads the role and the event's owner from the database: button data and dialog state
can be forged or stale, and a revoked organizer stops at once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.clock import Clock
from domain.dates import parse_local
from domain.errors import (
    AlreadyCancelled,
    AlreadyPublished,
    EndBeforeStart,
    EventIncomplete,
    EventNotEditable,
    FieldEmpty,
    NotOrganizer,
    OwnEventNotFound,
    StartAfterEnd,
)
from domain.event_fields import (
    EDIT_ONLY,
    REQUIRED,
    EventField,
    clean_text,
    parse_age_limit,
    parse_category,
    parse_ticket_limit,
)
from domain.models import Event, EventStatus, TicketType, User
from domain.ports import UnitOfWork, UnitOfWorkFactory

EDITABLE = frozenset({EventStatus.DRAFT, EventStatus.PUBLISHED})
TEXT_FIELDS = frozenset(
    {EventField.TITLE, EventField.PERFORMERS, EventField.DESCRIPTION, EventField.VENUE, EventField.CONDITIONS}
)


class EventEditor:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def create(self, user: User, title: str) -> Event:
        """A draft with its title; everything else comes step by step."""
        value = clean_text(EventField.TITLE, title)
        async with self._uow() as uow:
            if not await uow.organizers.is_organizer(user.id):
                raise NotOrganizer()
            event = Event(0, value, None, "", EventStatus.DRAFT, organizer_id=user.id)
            await uow.events.add(event, now=self._clock.now())
            await uow.commit()
        return event

    async def own(self, user: User, event_id: int, editable: bool = False) -> Event:
        """One's own event; editable=True refuses a cancelled or finished one up front."""
        async with self._uow(write=False) as uow:
            event = await own_event(uow, user, event_id)
        if editable:
            ensure_editable(event)
        return event

    async def set_text(self, user: User, event_id: int, field: EventField, text: str, tz: ZoneInfo) -> Event:
        """Any field typed as text (dates in the organizer's zone, `tz`); the poster goes by set_poster."""
        now = self._clock.now()
        async with self._uow() as uow:
            event = await own_event(uow, user, event_id, lock=True)
            ensure_editable(event)
            _apply(event, field, text, tz, now)
            await uow.events.save_details(event)
            await uow.commit()
        return event

    async def set_poster(self, user: User, event_id: int, file_id: str) -> Event:
        async with self._uow() as uow:
            event = await own_event(uow, user, event_id, lock=True)
            ensure_editable(event)
            event.poster_file_id = file_id
            await uow.events.save_details(event)
            await uow.commit()
        return event

    async def clear(self, user: User, event_id: int, field: EventField) -> Event:
        """Skip or remove an optional field; the title, venue and start can only be replaced."""
        if field in REQUIRED:
            raise FieldEmpty()
        async with self._uow() as uow:
            event = await own_event(uow, user, event_id, lock=True)
            ensure_editable(event)
            if field is EventField.ENDS_AT:
                event.ends_at = None
            elif field is EventField.POSTER:
                event.poster_file_id = None
            elif field is EventField.AGE_LIMIT:
                event.age_limit = None
            elif field in EDIT_ONLY:
                setattr(event, field.value, None)  # back to the shop's limit
            else:
                setattr(event, field.value, "")
            await uow.events.save_details(event)
            await uow.commit()
        return event

    async def overview(self, user: User, event_id: int) -> tuple[Event, list[TicketType], list[str]]:
        """The event's menu: the event, its tariffs, and what it still lacks to go on sale."""
        async with self._uow(write=False) as uow:
            event = await own_event(uow, user, event_id)
            tariffs = await uow.events.ticket_types(event.id)
        return event, tariffs, missing_for_sale(event, tariffs, self._clock.now())

    async def publish(self, user: User, event_id: int) -> Event:
        """A complete draft goes on sale; a second tap is told it is on sale already."""
        now = self._clock.now()
        async with self._uow() as uow:
            event = await own_event(uow, user, event_id, lock=True)
            if event.status is EventStatus.PUBLISHED:
                raise AlreadyPublished()
            ensure_editable(event)
            missing = missing_for_sale(event, await uow.events.ticket_types(event.id), now)
            if missing:
                raise EventIncomplete(missing=missing)
            if not await uow.events.set_status(event.id, EventStatus.DRAFT, EventStatus.PUBLISHED):
                raise AlreadyPublished()
            await uow.commit()
        event.status = EventStatus.PUBLISHED
        return event

    async def cancel(self, user: User, event_id: int) -> Event:
        """Sales stop at once (the status) and every hold ends now; the quota comes back through the hold
        sweep, which the caller may run at once. Sold tickets stay as they are: refunding them and telling
        their holders is the notifications' work, not started here."""
        now = self._clock.now()
        async with self._uow() as uow:
            event = await own_event(uow, user, event_id, lock=True)
            if event.status is EventStatus.CANCELLED:
                raise AlreadyCancelled()
            ensure_editable(event)
            if not await uow.events.set_status(event.id, event.status, EventStatus.CANCELLED):
                raise EventNotEditable()
            # No hold slips through: a new cart line refers to the event, so PostgreSQL's foreign-key check
            # makes a hold in flight and this locked event row wait for each other (a hold before us is
            # committed and ended below; one after us re-reads the status and is refused, CartService).
            # A renewed or extended line is re-checked by the UPDATE below. SQLite has one writer anyway.
            await uow.carts.end_holds_of_event(event.id, now)
            await uow.commit()
        event.status = EventStatus.CANCELLED
        return event

    async def finish_past(self) -> int:
        """The scheduler's job: an event that is over leaves the shop (search shows what is ahead only)."""
        async with self._uow() as uow:
            finished = await uow.events.finish_past(self._clock.now())
            await uow.commit()
        return finished


def missing_for_sale(event: Event, tariffs: list[TicketType], now) -> list[str]:
    """What publishing requires: a title, a venue, a start still ahead, and at least one tariff."""
    missing = [f.value for f in (EventField.TITLE, EventField.VENUE) if not getattr(event, f.value)]
    if event.starts_at is None or event.starts_at <= now:
        missing.append(EventField.STARTS_AT.value)
    if not tariffs:
        missing.append("tariffs")
    return missing


async def own_event(uow: UnitOfWork, user: User, event_id: int, lock: bool = False) -> Event:
    """Someone else's event is answered as a missing one: its existence is nobody else's business."""
    if not await uow.organizers.is_organizer(user.id):
        raise NotOrganizer()
    event = await (uow.events.get_for_update(event_id) if lock else uow.events.get(event_id))
    if event is None or event.organizer_id != user.id:
        raise OwnEventNotFound()
    return event


def ensure_editable(event: Event) -> None:
    if event.status not in EDITABLE:
        raise EventNotEditable()


def _apply(event: Event, field: EventField, text: str, tz: ZoneInfo, now: datetime) -> None:
    if field in TEXT_FIELDS:
        setattr(event, field.value, clean_text(field, text))
    elif field is EventField.CATEGORY:
        event.category = parse_category(text.strip())
    elif field is EventField.AGE_LIMIT:
        event.age_limit = parse_age_limit(text)
    elif field in EDIT_ONLY:
        setattr(event, field.value, parse_ticket_limit(text))
    elif field is EventField.STARTS_AT:
        starts = parse_local(text, tz, now)
        if event.ends_at is not None and event.ends_at <= starts:
            raise StartAfterEnd()
        event.starts_at = starts
    elif field is EventField.ENDS_AT:
        ends = parse_local(text, tz, now)
        if event.starts_at is not None and ends <= event.starts_at:
            raise EndBeforeStart()
        event.ends_at = ends
    else:  # the poster is a photo, not text
        raise FieldEmpty()
