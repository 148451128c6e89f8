"""An organizer's message to everyone holding a ticket of one event.

Written as a draft and shown back; on Send it is stored with one delivery row per recipient before the
first message goes out, so a restart resumes it and nobody is skipped. The sending itself (rate, Telegram
errors) is in bot/broadcast.py, the one place the notifications' outbox will replace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.clock import Clock
from domain.errors import BroadcastAlreadySent, BroadcastNotFound, BroadcastTextInvalid, NoRecipients
from domain.models import Broadcast, BroadcastStatus, DeliveryStatus, Event, User
from domain.ports import UnitOfWorkFactory
from domain.services.event_editor import own_event

TEXT_MAX = 3500  # a Telegram message holds 4096 characters; the header takes the rest
STALE_CLAIM = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class BroadcastDraft:
    broadcast: Broadcast
    event: Event
    recipients: int


@dataclass(frozen=True, slots=True)
class BroadcastOutcome:
    broadcast: Broadcast
    event: Event
    author: User
    sent: int
    blocked: int
    failed: int


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    recipient: User


class BroadcastService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def audience(self, organizer: User, event_id: int) -> tuple[Event, int]:
        """Before the organizer writes anything: their event, and how many people would get it."""
        async with self._uow(write=False) as uow:
            event = await own_event(uow, organizer, event_id)
            recipients = len(await uow.broadcasts.holders(event.id))
        if not recipients:
            raise NoRecipients()
        return event, recipients

    async def draft(self, organizer: User, event_id: int, text: str) -> BroadcastDraft:
        text = text.strip()
        if not text or len(text) > TEXT_MAX:
            raise BroadcastTextInvalid(max=TEXT_MAX)
        async with self._uow() as uow:
            event = await own_event(uow, organizer, event_id)
            recipients = len(await uow.broadcasts.holders(event.id))
            if not recipients:
                raise NoRecipients()
            broadcast = await uow.broadcasts.add(event.id, organizer.id, text, self._clock.now())
            await uow.commit()
        return BroadcastDraft(broadcast, event, recipients)

    async def start(self, organizer: User, broadcast_id: int) -> BroadcastDraft:
        """The recipients are those holding tickets now; a second Send is told it went already."""
        async with self._uow() as uow:
            broadcast = await uow.broadcasts.get(broadcast_id)
            if broadcast is None or broadcast.author_id != organizer.id:
                raise BroadcastNotFound()
            event = await own_event(uow, organizer, broadcast.event_id)
            recipients = await uow.broadcasts.holders(event.id)
            if not await uow.broadcasts.start(broadcast.id, recipients):
                raise BroadcastAlreadySent()
            await uow.commit()
        broadcast.status = BroadcastStatus.SENDING
        return BroadcastDraft(broadcast, event, len(recipients))

    async def claim(self, broadcast_id: int, limit: int = 50) -> list[Delivery]:
        async with self._uow() as uow:
            claimed = await uow.broadcasts.claim(broadcast_id, limit, self._clock.now())
            await uow.commit()
        return [Delivery(delivery_id, user) for delivery_id, user in claimed]

    async def record(self, delivery_id: int, status: DeliveryStatus) -> None:
        async with self._uow(urgent=True) as uow:
            await uow.broadcasts.record(delivery_id, status, self._clock.now())
            await uow.commit()

    async def finish(self, broadcast_id: int) -> BroadcastOutcome | None:
        """The outcome, for the one caller that closes the broadcast (None for everyone else)."""
        async with self._uow() as uow:
            if not await uow.broadcasts.finish(broadcast_id, self._clock.now()):
                return None
            broadcast = await uow.broadcasts.get(broadcast_id)
            counts = await uow.broadcasts.counts(broadcast_id)
            event = await uow.events.get(broadcast.event_id)
            author = await uow.users.get(broadcast.author_id)
            await uow.commit()
        return BroadcastOutcome(
            broadcast,
            event,
            author,
            counts.get(DeliveryStatus.SENT, 0),
            counts.get(DeliveryStatus.BLOCKED, 0),
            counts.get(DeliveryStatus.FAILED, 0),
        )

    async def unfinished(self) -> list[int]:
        """Broadcasts to take up again (after a restart): a claim older than STALE_CLAIM is given back."""
        async with self._uow() as uow:
            ids = await uow.broadcasts.reclaim(self._clock.now() - STALE_CLAIM)
            await uow.commit()
        return ids

    async def load(self, broadcast_id: int) -> tuple[Broadcast, Event] | None:
        async with self._uow(write=False) as uow:
            broadcast = await uow.broadcasts.get(broadcast_id)
            if broadcast is None:
                return None
            return broadcast, await uow.events.get(broadcast.event_id)
