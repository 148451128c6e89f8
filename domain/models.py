"""Entities and value objects of the shop. Plain dataclasses: storage maps rows onto them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.errors import EventNotOnSale, SalesClosed
from domain.money import Money
from domain.pricing import LineDiscount


class Language(StrEnum):
    RU = "ru"
    EN = "en"

    @classmethod
    def from_telegram(cls, code: str | None) -> Language:
        """Telegram sends IETF tags like "ru", "ru-RU", "en-GB"; Russian-speaking CIS users get Russian."""
        primary = (code or "").split("-")[0].lower()
        return cls.RU if primary in {"ru", "uk", "be", "kk"} else cls.EN


@dataclass(slots=True)
class User:
    id: int
    telegram_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language: Language = Language.EN
    created_at: datetime | None = None
    is_organizer: bool = False

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or (self.username or str(self.telegram_id))


@dataclass(frozen=True, slots=True)
class TelegramProfile:
    """What Telegram tells us about a person on every update."""

    telegram_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


class OrganizerRequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


@dataclass(slots=True)
class OrganizerRequest:
    """A person asking to sell on the platform; an admin approves or declines it once."""

    id: int
    user_id: int
    about: str
    status: OrganizerRequestStatus
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: int | None = None


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    FINISHED = "finished"


@dataclass(slots=True)
class Event:
    id: int
    title: str
    starts_at: datetime | None  # None only for a draft: publishing requires a start
    venue: str
    status: EventStatus = EventStatus.DRAFT
    performers: str = ""
    description: str = ""
    category: str = ""
    ends_at: datetime | None = None
    age_limit: int | None = None
    conditions: str = ""
    organizer_id: int | None = None
    poster_file_id: str | None = None
    max_per_person: int | None = None  # tickets one person may have (bought and held); None: the shop's
    max_per_order: int | None = None  # tickets of this event in one order, all tariffs; None: the shop's
    names_changeable: bool = False  # the organizer lets buyers change attendee names after paying

    def ensure_on_sale(self, now: datetime) -> None:
        if self.status is not EventStatus.PUBLISHED or self.starts_at is None or self.starts_at <= now:
            raise EventNotOnSale(event=self.title)


@dataclass(slots=True)
class TicketType:
    id: int
    event_id: int
    name: str
    price: Money
    quantity: int
    sold: int = 0
    held: int = 0
    sales_start: datetime | None = None
    sales_end: datetime | None = None
    position: int = 0
    max_per_order: int | None = None

    def order_limit(self, shop_limit: int) -> int:
        """The organizer's limit for this tariff, never above the shop's own."""
        return min(self.max_per_order, shop_limit) if self.max_per_order else shop_limit

    @property
    def available(self) -> int:
        return max(self.quantity - self.sold - self.held, 0)

    def sales_open(self, now: datetime) -> bool:
        if self.sales_start and now < self.sales_start:
            return False
        return not (self.sales_end and now >= self.sales_end)

    def ensure_sales_open(self, now: datetime) -> None:
        if not self.sales_open(now):
            raise SalesClosed(tariff=self.name)


class ItemKind(StrEnum):
    """What a cart item or order line sells; seats, merch, add-ons, certificates and rentals come later."""

    TICKET = "ticket"


class ItemState(StrEnum):
    HELD = "held"
    EXPIRED = "expired"
    ORDERED = "ordered"
    REMOVED = "removed"


class UnavailableReason(StrEnum):
    HOLD_EXPIRED = "hold_expired"
    SOLD_OUT = "sold_out"
    SALES_CLOSED = "sales_closed"
    EVENT_CANCELLED = "event_cancelled"
    EVENT_STARTED = "event_started"


@dataclass(slots=True)
class CartItem:
    id: int
    cart_id: int
    kind: ItemKind
    qty: int
    unit_price: Money
    state: ItemState
    held_until: datetime | None
    ticket_type_id: int | None = None
    event_id: int | None = None

    @property
    def subtotal(self) -> Money:
        return self.unit_price * self.qty

    def hold_active(self, now: datetime) -> bool:
        return self.state is ItemState.HELD and self.held_until is not None and now < self.held_until


@dataclass(slots=True)
class Cart:
    id: int
    user_id: int
    version: int = 0
    items: list[CartItem] = field(default_factory=list)
    last_op: str | None = None  # key of the last add, so a double-tapped button adds once
    codes: tuple[str, ...] = ()  # promo codes typed into it, normalized, in the order typed
    # the buyer's answers to the questions asked once per order, by question id (as Attendee.answers)
    buyer_answers: dict[int, str | list[str]] = field(default_factory=dict)
    member: bool = True  # False when the person has no running membership: pricing then reads none


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    CANCELLED = "cancelled"


@dataclass(slots=True)
class OrderLine:
    id: int
    order_id: int
    kind: ItemKind
    qty: int
    unit_price: Money
    event_id: int | None
    ticket_type_id: int | None
    title: str
    tariff: str
    total: Money | None = None  # after discounts; None in orders older than discounts: qty * unit_price
    discounts: tuple[LineDiscount, ...] = ()  # as the cart showed them (domain.pricing)

    @property
    def paid(self) -> Money:
        return self.total if self.total is not None else self.unit_price * self.qty


class QuestionKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    TEXT = "text"
    CHOICE = "choice"  # one of the options
    MULTI = "multi"  # any of the options
    YESNO = "yesno"


@dataclass(frozen=True, slots=True)
class Question:
    """What an organizer asks of every attendee of an event (or of one of its tariffs), or, per_order, once
    of the buyer of an order holding such tickets."""

    id: int
    event_id: int
    kind: QuestionKind
    label: str
    required: bool = True
    options: tuple[str, ...] = ()  # CHOICE and MULTI; fixed once asked (remove and add instead)
    ticket_type_id: int | None = None  # None: every tariff
    position: int = 0
    active: bool = True  # removed questions stay for the answers already given
    per_order: bool = False  # asked once of the buyer (answers kept on the order), not of each attendee

    def applies_to(self, ticket_type_id: int | None) -> bool:
        return self.active and (self.ticket_type_id is None or self.ticket_type_id == ticket_type_id)


@dataclass(frozen=True, slots=True)
class Attendee:
    """Who one ticket of a cart line is for (`seat` counts from 0 within the line) and their answers:
    question id -> the answer as shown (an option's text; MULTI a list of them; "" when an optional one
    was skipped)."""

    cart_item_id: int
    seat: int
    name: str | None = None
    answers: dict[int, str | list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Acceptance:
    """Kept with a paid order: the conditions and sale terms its buyer accepted (domain.terms), and when."""

    digest: str
    snapshot: str
    accepted_at: datetime


@dataclass(slots=True)
class Order:
    id: int
    user_id: int
    status: OrderStatus
    total: Money
    created_at: datetime
    paid_at: datetime | None = None
    lines: list[OrderLine] = field(default_factory=list)
    delivered_at: datetime | None = None
    acceptance: Acceptance | None = None  # None for orders paid before acceptance was asked
    # the buyer's answers to the per-order questions, by question id, as the cart had them at payment
    buyer_answers: dict[int, str | list[str]] = field(default_factory=dict)


class TicketStatus(StrEnum):
    PENDING = "pending"  # issued for an order that is not paid yet
    VALID = "valid"
    USED = "used"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


@dataclass(slots=True)
class Ticket:
    id: int
    order_id: int
    event_id: int
    ticket_type_id: int
    owner_id: int
    holder_name: str
    secret: str
    status: TicketStatus
    created_at: datetime
    checked_in_at: datetime | None = None
    checked_in_by: int | None = None
    answers: dict[int, str | list[str]] = field(default_factory=dict)  # the attendee's, by question id
    price_minor: int | None = None  # what it cost after discounts, in the order's currency; None: sold before


class EntryKind(StrEnum):
    CREDIT = "credit"
    PURCHASE = "purchase"
    REFUND = "refund"
    MEMBERSHIP = "membership"  # a membership's period, bought or renewed
    TOPUP = "topup"  # paid in through Telegram Payments


@dataclass(frozen=True, slots=True)
class WalletEntry:
    id: int
    user_id: int
    amount: Money
    kind: EntryKind
    idempotency_key: str
    balance_after: Money
    created_at: datetime
    order_id: int | None = None


class BroadcastStatus(StrEnum):
    DRAFT = "draft"  # written, shown to its author, not sent
    SENDING = "sending"
    DONE = "done"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # a sender took it; back to pending if that sender died
    SENT = "sent"
    BLOCKED = "blocked"  # the person blocked the bot
    FAILED = "failed"


@dataclass(slots=True)
class Broadcast:
    id: int
    event_id: int
    author_id: int
    text: str
    status: BroadcastStatus
    created_at: datetime
    finished_at: datetime | None = None


@dataclass(slots=True)
class MembershipPlan:
    """What an admin sells as a membership: a price per calendar month, a discount on tickets in basis points
    (10 % = 1000) for the event categories it covers (none: all), and whether it stacks with other discounts.
    A retired plan is sold no more; memberships of it keep running and renewing."""

    id: int
    name: str
    price: Money
    basis_points: int
    categories: frozenset[str] = frozenset()
    combinable: bool = True
    retired: bool = False


class MembershipStatus(StrEnum):
    ACTIVE = "active"  # paid until paid_until; renewed then when renew is on, else it ends
    ENDED = "ended"  # ran to the end of its last paid period (bought once, or renewal cancelled)
    LAPSED = "lapsed"  # a renewal found too little money in the wallet


@dataclass(slots=True)
class Membership:
    """One person's membership of one plan. Period n (from 1) runs from the end of period n-1 to
    domain.memberships.period_end(started_at, n); `period` is the last one paid, ending at paid_until.
    `price` is what each period costs this person: the plan's price when they bought it."""

    id: int
    user_id: int
    plan_id: int
    status: MembershipStatus
    renew: bool
    period: int
    started_at: datetime
    paid_until: datetime
    price: Money
    ended_at: datetime | None = None

    def covers(self, now: datetime) -> bool:
        return self.status is MembershipStatus.ACTIVE and self.started_at <= now < self.paid_until


class NoticeKind(StrEnum):
    """What a membership's holder is told after the scheduler dealt with it."""

    RENEWED = "renewed"
    LAPSED = "lapsed"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class MembershipNotice:
    id: int
    user: User
    kind: NoticeKind
    plan: str
    amount: Money | None  # RENEWED: what was charged; LAPSED: the price the wallet could not cover
    paid_until: datetime | None  # RENEWED: the new end; otherwise when it ended
