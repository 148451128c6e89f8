"""Ports: what the services need from storage, as Protocols. storage/ implements them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from domain import pricing
from domain.models import (
    Attendee,
    Broadcast,
    Cart,
    CartItem,
    DeliveryStatus,
    EntryKind,
    Event,
    EventStatus,
    ItemState,
    Language,
    Membership,
    MembershipNotice,
    MembershipPlan,
    MembershipStatus,
    NoticeKind,
    Order,
    OrderLine,
    OrganizerRequest,
    OrganizerRequestStatus,
    Question,
    TelegramProfile,
    Ticket,
    TicketStatus,
    TicketType,
    User,
    WalletEntry,
)
from domain.money import Money
from domain.promotions import CartCode, CodeRule, PromotionRule
from domain.search import Query, SearchFilter
from domain.views import AttendeeRow


class UserRepository(Protocol):
    async def get(self, user_id: int) -> User | None: ...
    async def by_telegram_id(self, telegram_id: int) -> User | None: ...
    async def upsert_profile(self, profile: TelegramProfile, now: datetime) -> User: ...
    async def set_language(self, user_id: int, language: Language) -> None: ...
    async def by_username(self, username: str) -> User | None:
        """Case-insensitive, without the @."""

    async def by_telegram_ids(self, telegram_ids: list[int]) -> list[User]: ...


class OrganizerRepository(Protocol):
    async def add_request(self, user_id: int, about: str, now: datetime) -> OrganizerRequest | None:
        """None when the person has a pending request already."""

    async def get_request(self, request_id: int) -> OrganizerRequest | None: ...
    async def decide(self, request_id: int, status: OrganizerRequestStatus, admin_id: int, now: datetime) -> bool:
        """Pending to status; False when it was decided already."""

    async def set_organizer(self, user_id: int, organizer: bool) -> bool:
        """True when the role changed."""

    async def is_organizer(self, user_id: int) -> bool: ...


class StaffRepository(Protocol):
    async def assign(self, user_id: int, event_id: int, assigned_by: int | None, now: datetime) -> bool: ...
    async def is_assigned(self, user_id: int, event_id: int) -> bool: ...
    async def events_of(self, user_id: int) -> list[int]: ...
    async def remove(self, user_id: int, event_id: int) -> bool: ...
    async def staff_of(self, event_id: int) -> list[User]: ...
    async def add_invite(
        self, token: str, event_id: int, created_by: int, now: datetime, expires_at: datetime
    ) -> None: ...
    async def take_invite(self, token: str, user_id: int, now: datetime) -> int | None:
        """The invitation's event for the first taker of a live link; None for anyone else."""


class EventRepository(Protocol):
    async def get(self, event_id: int) -> Event | None: ...
    async def add(self, event: Event, now: datetime | None = None) -> Event: ...
    async def save_details(self, event: Event) -> None:
        """Write back what an organizer edits (and the search text made of it)."""

    async def set_status(self, event_id: int, old: EventStatus, new: EventStatus) -> bool:
        """Conditional: False when the event was not in `old` any more."""

    async def status_of(self, event_id: int) -> EventStatus | None: ...
    async def finish_past(self, now: datetime) -> int:
        """Published events whose end (else start) has passed become finished; how many."""

    async def get_for_update(self, event_id: int) -> Event | None:
        """The event, locked until the transaction ends (two edits of one event queue)."""

    async def search_published(
        self, query: Query, now: datetime, offset: int, limit: int, cap: int
    ) -> tuple[list[Event], int]:
        """Published events ahead matching every word and the filters, exact title matches first, then by
        start; the total counted up to `cap`."""

    async def known_words(self, words: list[str]) -> set[str]:
        """Those of `words` that some event was ever indexed with."""

    async def word_candidates(self, word: str, limit: int) -> list[str]:
        """Indexed words that look most like `word`, for typo correction."""

    async def of_organizer(self, organizer_id: int, offset: int, limit: int) -> tuple[list[Event], int]:
        """Every status, the latest start first."""

    async def ticket_types(self, event_id: int) -> list[TicketType]: ...
    async def ticket_types_for(self, event_ids: list[int]) -> dict[int, list[TicketType]]: ...
    async def ticket_type(self, ticket_type_id: int) -> TicketType | None: ...
    async def offers(self, ticket_type_ids: list[int]) -> dict[int, tuple[TicketType, Event]]:
        """Tariffs by id, each with its event, in one read."""

    async def cart_offers(
        self, ticket_type_ids: list[int]
    ) -> tuple[dict[int, tuple[TicketType, Event]], set[int], set[int]]:
        """As offers, with the ids of the events that ask questions and of those that run promotions."""

    async def add_ticket_type(self, ticket_type: TicketType) -> TicketType: ...
    async def save_tariff(self, ticket_type: TicketType) -> None:
        """Name, price, sales window and order limit; the quantity goes by set_quantity."""

    async def set_quantity(self, ticket_type_id: int, quantity: int) -> bool:
        """False (nothing changed) when sold plus held exceed the new quantity."""


class Inventory(Protocol):
    """Atomic quota changes: each is one conditional UPDATE that either fully applies or does nothing."""

    async def hold(self, ticket_type_id: int, qty: int) -> bool: ...
    async def release(self, ticket_type_id: int, qty: int) -> bool: ...
    async def sell_held(self, ticket_type_id: int, qty: int) -> bool: ...


class CartRepository(Protocol):
    async def for_user(self, user_id: int, now: datetime, lock: bool = False) -> Cart: ...
    async def record_release(self, user_id: int, now: datetime, keep_since: datetime) -> None:
        """A hold dropped on purpose, now; this person's drops before `keep_since` are forgotten."""

    async def releases_since(self, user_id: int, since: datetime) -> list[datetime]: ...
    async def renew_holds(self, cart_id: int, until: datetime, now: datetime) -> int:
        """The cart's holds still running now run until `until`; lapsed ones stay lapsed."""

    async def add_item(self, item: CartItem, now: datetime) -> CartItem: ...
    async def change_qty(
        self, item_id: int, old_qty: int, new_qty: int, held_until: datetime | None, now: datetime
    ) -> bool: ...
    async def transition(
        self, item_id: int, from_state: ItemState, to_state: ItemState, now: datetime, qty: int
    ) -> bool: ...
    async def bump_version(
        self, cart_id: int, op_key: str | None = None, codes: tuple[str, ...] | None = None
    ) -> int: ...
    async def expired_holds(self, now: datetime, cart_id: int | None = None, limit: int = 500) -> list[CartItem]: ...
    async def carts_with_expired_holds(self, now: datetime, limit: int) -> list[int]: ...
    async def end_holds_of_event(self, event_id: int, now: datetime) -> int:
        """Live holds on the event's tickets expire now (the sweep releases their quota); how many."""

    async def lock_if_free(self, cart_id: int) -> bool:
        """Lock the cart row unless someone holds it (SKIP LOCKED): the sweep never waits on a customer."""


class OrderRepository(Protocol):
    async def get(self, order_id: int) -> Order | None:
        """With its lines."""

    async def recent_of(self, user_id: int, limit: int) -> tuple[list[Order], int]: ...
    async def page_of(self, user_id: int, offset: int, limit: int) -> tuple[list[Order], int]: ...
    async def by_key(self, idempotency_key: str) -> Order | None: ...
    async def add(self, order: Order, idempotency_key: str, cart_id: int | None) -> Order: ...
    async def add_line(self, line: OrderLine) -> OrderLine: ...
    async def add_discounts(self, lines: list[OrderLine]) -> None: ...
    async def mark_delivered(self, order_id: int, user_id: int, now: datetime) -> bool: ...
    async def undelivered(self, paid_before: datetime, limit: int) -> list[Order]: ...


class TicketRepository(Protocol):
    async def tally(self, order_ids: list[int]) -> dict[int, dict[str, int]]: ...
    async def count_owned(self, owner_id: int, event_id: int) -> int:
        """Tickets of the event this person holds: paid for and not refunded or cancelled (used count)."""

    async def add(self, ticket: Ticket) -> Ticket | None:
        """None when the secret or its short code is taken already: draw another secret and try again."""

    async def get(self, ticket_id: int) -> Ticket | None: ...
    async def by_secret(self, secret: str) -> Ticket | None: ...
    async def by_short_code(self, code: str) -> Ticket | None: ...
    async def of_order(self, order_id: int) -> list[Ticket]: ...
    async def of_owner(self, owner_id: int, offset: int, limit: int) -> tuple[list[Ticket], int]: ...
    async def rename(self, ticket_id: int, owner_id: int, name: str) -> bool: ...
    async def check_in(self, ticket_id: int, staff_id: int, now: datetime) -> bool: ...
    async def door_counts(self, event_ids: list[int]) -> dict[int, tuple[int, int]]:
        """Per event: (tickets that admit, tickets used)."""


class WalletRepository(Protocol):
    async def balance(self, user_id: int, currency: str) -> Money: ...
    async def apply(
        self,
        user_id: int,
        amount: Money,
        kind: EntryKind,
        idempotency_key: str,
        now: datetime,
        order_id: int | None = None,
        actor_id: int | None = None,
        new_key: bool = False,
    ) -> WalletEntry | None:
        """Add one ledger entry and move the balance; None when the balance would go negative. new_key:
        the key names something this transaction created, so no replay can have used it."""

    async def entry_by_key(self, idempotency_key: str) -> WalletEntry | None: ...
    async def history(self, user_id: int, limit: int) -> list[WalletEntry]: ...
    async def entries_sum(self, user_id: int) -> int: ...


class ReportRepository(Protocol):
    async def revenue_by_tariff(self, event_id: int) -> dict[int, int]: ...
    async def tickets_by_tariff(self, event_id: int) -> dict[int, dict[TicketStatus, int]]: ...
    async def attendees(self, event_id: int) -> list[AttendeeRow]: ...


class BroadcastRepository(Protocol):
    async def add(self, event_id: int, author_id: int, text: str, now: datetime) -> Broadcast: ...
    async def get(self, broadcast_id: int) -> Broadcast | None: ...
    async def holders(self, event_id: int) -> list[int]: ...
    async def start(self, broadcast_id: int, recipients: list[int]) -> bool: ...
    async def claim(self, broadcast_id: int, limit: int, now: datetime) -> list[tuple[int, User]]: ...
    async def record(self, delivery_id: int, status: DeliveryStatus, now: datetime) -> bool: ...
    async def counts(self, broadcast_id: int) -> dict[DeliveryStatus, int]: ...
    async def finish(self, broadcast_id: int, now: datetime) -> bool: ...
    async def reclaim(self, claimed_before: datetime) -> list[int]: ...


class SearchRepository(Protocol):
    async def save(self, user_id: int, query: str, filters: SearchFilter, now: datetime) -> int: ...
    async def get(self, search_id: int) -> tuple[int, str, SearchFilter] | None:
        """The owner, the query and its filters."""

    async def prune(self, before: datetime) -> int: ...


class AttendeeRepository(Protocol):
    async def questions(self, event_ids: list[int], *, removed: bool = False) -> dict[int, list[Question]]: ...
    async def question(self, question_id: int) -> Question | None: ...
    async def add_question(self, question: Question, now: datetime) -> Question: ...
    async def remove_question(self, question_id: int) -> bool: ...
    async def of_items(self, item_ids: list[int]) -> dict[tuple[int, int], Attendee]: ...
    async def save(self, attendee: Attendee, now: datetime) -> None: ...


class PromotionRepository(Protocol):
    async def code(self, code: str) -> CodeRule | None: ...
    async def code_by_id(self, code_id: int, lock: bool = False) -> CodeRule | None: ...
    async def in_cart(self, codes: list[str], user_id: int) -> dict[str, CartCode]: ...
    async def person_uses(self, code_id: int, user_id: int) -> int: ...
    async def take_use(self, code_id: int, order_id: int, user_id: int, now: datetime) -> bool: ...
    async def add_code(
        self, rule: CodeRule, currency: str, created_by: int | None, now: datetime
    ) -> CodeRule | None: ...
    async def update_code(self, rule: CodeRule, currency: str) -> None: ...
    async def codes_of(self, event_id: int | None) -> list[CodeRule]: ...
    async def for_events(self, event_ids: list[int]) -> list[PromotionRule]: ...
    async def promotions_of(self, event_id: int) -> list[PromotionRule]: ...
    async def promotion(self, promotion_id: int) -> PromotionRule | None: ...
    async def add_promotion(self, rule: PromotionRule, currency: str, now: datetime) -> PromotionRule: ...
    async def update_promotion(self, rule: PromotionRule, currency: str) -> None: ...


class MembershipRepository(Protocol):
    async def plans(self, retired: bool = False) -> list[MembershipPlan]:
        """On sale, oldest first; retired=True: every plan."""

    async def plan(self, plan_id: int, lock: bool = False) -> MembershipPlan | None: ...
    async def add_plan(self, plan: MembershipPlan, now: datetime) -> MembershipPlan: ...
    async def save_plan(self, plan: MembershipPlan) -> bool:
        """Price, discount, categories, combinability; False (nothing written) for a retired plan."""

    async def retire_plan(self, plan_id: int, now: datetime) -> bool: ...
    async def active_for(self, user_id: int, now: datetime) -> pricing.Membership | None:
        """The pricing input of the person's membership whose paid period covers `now`; one statement."""

    async def get(self, membership_id: int, lock: bool = False) -> Membership | None: ...
    async def current(self, user_id: int, lock: bool = False) -> tuple[Membership, MembershipPlan] | None:
        """The person's running membership (status active), with its plan."""

    async def by_buy_key(self, buy_key: str) -> Membership | None: ...
    async def add(self, membership: Membership, buy_key: str) -> Membership | None:
        """None when the person has a running membership already, or the key was used."""

    async def set_renew(self, membership_id: int, renew: bool) -> bool: ...
    async def claim_due(self, now: datetime) -> Membership | None:
        """One running membership whose paid period is over, locked (skipping those another sweep holds)."""

    async def extend(self, membership_id: int, from_period: int, to_period: int, paid_until: datetime) -> bool: ...
    async def end(self, membership_id: int, period: int, status: MembershipStatus, now: datetime) -> bool: ...
    async def add_notice(
        self,
        membership_id: int,
        kind: NoticeKind,
        now: datetime,
        amount: Money | None = None,
        paid_until: datetime | None = None,
    ) -> None: ...
    async def claim_notices(self, limit: int, now: datetime, stale_before: datetime) -> list[MembershipNotice]: ...
    async def notice_sent(self, notice_id: int, now: datetime) -> bool: ...


class PaymentRepository(Protocol):
    async def add(
        self,
        user_id: int,
        purpose: str,
        amount: Money,
        payload: str,
        telegram_charge_id: str,
        provider_charge_id: str,
        now: datetime,
    ) -> int | None: ...
    async def link_entry(self, payment_id: int, entry_id: int) -> None: ...


class UnitOfWork(Protocol):
    users: UserRepository
    organizers: OrganizerRepository
    staff: StaffRepository
    events: EventRepository
    inventory: Inventory
    carts: CartRepository
    orders: OrderRepository
    tickets: TicketRepository
    wallets: WalletRepository
    searches: SearchRepository
    reports: ReportRepository
    broadcasts: BroadcastRepository
    attendees: AttendeeRepository
    promotions: PromotionRepository
    payments: PaymentRepository
    memberships: MembershipRepository

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[..., UnitOfWork]
"""Called as uow() for a writing transaction, uow(write=False) for a read-only one, or uow(urgent=True)
for a one-row write others are waiting on (it goes before queued writers where writers queue)."""


class AttemptLimiter(Protocol):
    """Counts failed guesses per key (a staff account at the door) and says how long a key must wait.
    The rule is domain.ratelimit.AttemptPolicy; one process keeps it in memory, several share Redis."""

    async def retry_after(self, key: str, now: datetime) -> float | None:
        """Seconds until the key may try again, or None when it may try now."""

    async def failed(self, key: str, now: datetime) -> float | None:
        """Record one failure; returns how long the key is blocked now (None when it is not)."""
