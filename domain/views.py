"""Read models the services hand to the dialogs: everything a reply needs, nothing to query later."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

from domain.attendees import first_missing, first_unanswered
from domain.models import (
    Attendee,
    Event,
    Order,
    Question,
    Ticket,
    TicketStatus,
    TicketType,
    UnavailableReason,
    User,
    WalletEntry,
)
from domain.money import Money
from domain.pricing import LineDiscount, PricedCart
from domain.search import SearchFilter
from domain.terms import Conditions


@dataclass(frozen=True, slots=True)
class EventSummary:
    event: Event
    price_from: Money | None
    price_to: Money | None
    available: int


@dataclass(frozen=True, slots=True)
class SearchPage:
    search_id: int
    query: str
    items: list[EventSummary]
    page: int
    pages: int
    total: int
    corrected_from: str | None = None  # the query as typed, when a typo was corrected
    filters: SearchFilter = field(default_factory=SearchFilter)
    capped: bool = False  # total is COUNT_CAP: there are at least that many


@dataclass(frozen=True, slots=True)
class TariffOffer:
    ticket_type: TicketType
    on_sale: bool
    max_qty: int
    reason: str | None = None  # why not on sale: not_yet (sales_start says when), closed, sold_out


@dataclass(frozen=True, slots=True)
class EventCard:
    event: Event
    tariffs: list[TariffOffer]
    price_from: Money | None
    price_to: Money | None
    available: int
    hold_minutes: int


@dataclass(frozen=True, slots=True)
class CartLine:
    item_id: int
    event_id: int | None
    event_title: str
    event_starts_at: datetime | None
    tariff: str
    qty: int
    unit_price: Money
    subtotal: Money
    held_until: datetime | None
    reason: UnavailableReason | None = None
    ticket_type_id: int | None = None
    attendees: tuple[Attendee, ...] = ()  # one per ticket of the line, as given so far
    questions: tuple[Question, ...] = ()  # what the organizer asks of each of them
    discounts: tuple[LineDiscount, ...] = ()  # a ready line's, from the pricing function
    total: Money | None = None  # a ready line's total after its discounts

    @property
    def paid(self) -> Money:
        return self.total if self.total is not None else self.subtotal

    def missing(self, seat: int) -> Question | Literal["name"] | None:
        return first_missing(self.attendees[seat], list(self.questions))

    @property
    def attendees_missing(self) -> int:
        return sum(self.missing(seat) is not None for seat in range(len(self.attendees)))


@dataclass(frozen=True, slots=True)
class CartView:
    cart_id: int
    version: int
    ready: list[CartLine]
    unavailable: list[CartLine]
    total: Money
    max_per_order: int
    conditions: Conditions = field(default_factory=Conditions)
    pricing: PricedCart | None = None  # every number of the ready lines with its reason; None: nothing ready
    codes: tuple[str, ...] = ()  # the promo codes typed into the cart, in the order typed
    withdrawn: frozenset[str] = frozenset()  # of those, the ones that no longer exist or were switched off
    code_ids: dict[str, int] = field(default_factory=dict)  # the stored codes among them, by text
    buyer_questions: tuple[Question, ...] = ()  # asked once of the buyer (domain.attendees.buyer_questions)
    buyer_answers: dict[int, str | list[str]] = field(default_factory=dict)  # given so far, to those only

    @property
    def terms(self) -> str:
        """What the Pay button carries: the digest of the conditions shown with this cart."""
        return self.conditions.digest()

    @property
    def held_until(self) -> datetime | None:
        times = [line.held_until for line in self.ready if line.held_until]
        return min(times) if times else None

    @property
    def is_empty(self) -> bool:
        return not self.ready and not self.unavailable

    @property
    def ticket_count(self) -> int:
        return sum(line.qty for line in self.ready)

    @property
    def tickets_missing(self) -> int:
        """Tickets still without their attendee's name or a required answer."""
        return sum(line.attendees_missing for line in self.ready)

    @property
    def buyer_missing(self) -> Question | None:
        """The first of the buyer's questions still without its answer."""
        return first_unanswered(self.buyer_answers, list(self.buyer_questions))

    @property
    def attendees_missing(self) -> int:
        """What checkout waits for: the tickets still missing something, and one more while the buyer's
        own answers are incomplete."""
        return self.tickets_missing + (self.buyer_missing is not None)

    def seats(self) -> list[tuple[int, CartLine, int]]:
        """Every ticket of the ready lines: (its number in the cart from 1, its line, its seat in the line)."""
        found = []
        for line in self.ready:
            for seat in range(line.qty):
                found.append((len(found) + 1, line, seat))
        return found


@dataclass(frozen=True, slots=True)
class TicketView:
    ticket: Ticket
    event: Event
    tariff: str
    payload: str


@dataclass(frozen=True, slots=True)
class PurchaseResult:
    order: Order
    tickets: list[TicketView]
    already_paid: bool = False
    balance: Money | None = None

    @property
    def needs_delivery(self) -> bool:
        """A paid order whose ticket messages have not all gone out (a crash in between): send them."""
        return self.order.delivered_at is None


@dataclass(frozen=True, slots=True)
class TicketsPage:
    items: list[TicketView]
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class OrderLineView:
    order: Order
    tickets: dict[str, int]  # how many of each TicketStatus value


@dataclass(frozen=True, slots=True)
class OrdersPage:
    items: list[OrderLineView]
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class OrganizerEventLine:
    event: Event
    sold: int
    quantity: int


@dataclass(frozen=True, slots=True)
class OrganizerEventsPage:
    items: list[OrganizerEventLine]
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class DoorLine:
    event: Event
    sold: int
    checked_in: int


@dataclass(frozen=True, slots=True)
class DoorView:
    lines: list[DoorLine]
    ahead: Event | None  # the next assigned event, when there is none today
    as_of: datetime


@dataclass(frozen=True, slots=True)
class AttendeeRow:
    secret: str
    tariff: str
    holder: str
    buyer_username: str | None
    status: TicketStatus
    paid_at: datetime | None
    checked_in_at: datetime | None
    answers: dict[int, str | list[str]] = field(default_factory=dict)  # the attendee's, by question id
    buyer_answers: dict[int, str | list[str]] = field(default_factory=dict)  # its order's, asked once per order


@dataclass(frozen=True, slots=True)
class TariffReport:
    ticket_type: TicketType
    revenue: Money
    checked_in: int
    refunded: int


@dataclass(frozen=True, slots=True)
class EventReport:
    event: Event
    tariffs: list[TariffReport]
    revenue: Money
    checked_in: int
    admitting: int  # valid or used tickets: who may come
    refunded: int


@dataclass(frozen=True, slots=True)
class UserCard:
    user: User
    balance: Money
    orders: list[Order]
    orders_total: int
    tickets_total: int
    organizer: bool
    staff_events: int


@dataclass(frozen=True, slots=True)
class OrderCard:
    order: Order  # for an organizer, only the lines of their own events
    buyer: User
    tickets: list[Ticket]  # likewise
    buyer_questions: list[Question] = field(default_factory=list)  # those the buyer answered, likewise


@dataclass(frozen=True, slots=True)
class WalletView:
    balance: Money
    entries: list[WalletEntry] = field(default_factory=list)


class Verdict(StrEnum):
    VALID = "valid"
    CHECKED_IN = "checked_in"  # this very scan just checked the ticket in
    ALREADY_USED = "already_used"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    NOT_PAID = "not_paid"
    WRONG_EVENT = "wrong_event"
    UNKNOWN = "unknown"
    EXISTS = "exists"  # what a customer (not staff) learns from someone else's link

    @classmethod
    def for_status(cls, status: TicketStatus) -> Verdict:
        return {
            TicketStatus.VALID: cls.VALID,
            TicketStatus.USED: cls.ALREADY_USED,
            TicketStatus.REFUNDED: cls.REFUNDED,
            TicketStatus.CANCELLED: cls.CANCELLED,
            TicketStatus.PENDING: cls.NOT_PAID,
        }[status]


@dataclass(frozen=True, slots=True)
class ScanView:
    verdict: Verdict
    ticket: Ticket | None = None
    event: Event | None = None
    tariff: str | None = None
    checked_in_by: User | None = None
    own_ticket: bool = False

    @property
    def can_check_in(self) -> bool:
        return self.verdict is Verdict.VALID
