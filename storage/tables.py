"""Table definitions (SQLAlchemy Core). Alembic revisions in migrations/ must match these."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes on both databases (SQLite keeps naive text, so normalise on the way in and out)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

Id = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements only INTEGER PRIMARY KEY
TS = UtcDateTime()

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("telegram_id", BigInteger, nullable=False, unique=True),
    Column("first_name", String(128), nullable=False),
    Column("last_name", String(128)),
    Column("username", String(64)),
    Column("language", String(8), nullable=False),
    Column("language_chosen", Integer, nullable=False, server_default="0"),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("is_organizer", Integer, nullable=False, server_default="0"),
)
Index("ix_users_username_lower", func.lower(users.c.username))

organizer_requests = Table(
    "organizer_requests",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("about", String(500), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("decided_at", TS),
    Column("decided_by", Id, ForeignKey("users.id")),
    # One pending request per person: two taps at once file one.
    Index(
        "ix_organizer_requests_pending_user",
        "user_id",
        unique=True,
        sqlite_where=text("status = 'pending'"),
        postgresql_where=text("status = 'pending'"),
    ),
)

events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("title", String(200), nullable=False),
    Column("performers", Text, nullable=False, server_default=""),
    Column("description", Text, nullable=False, server_default=""),
    Column("venue", String(200), nullable=False),
    Column("category", String(64), nullable=False, server_default=""),
    Column("starts_at", TS),  # a draft may have no start yet; publishing requires one
    Column("ends_at", TS),
    Column("status", String(16), nullable=False),
    Column("age_limit", Integer),
    Column("conditions", Text, nullable=False, server_default=""),
    Column("organizer_id", Id, ForeignKey("users.id")),
    Column("poster_file_id", String(256)),
    Column("search_text", Text, nullable=False, server_default=""),
    Column("title_key", String(200), nullable=False, server_default=""),  # the folded title: exact matches first
    Column("max_per_person", Integer),  # anti-scalping, set by the organizer; NULL: the shop's limit
    Column("max_per_order", Integer),
    Column("names_changeable", Boolean, nullable=False, server_default=false()),  # attendee names after paying
    Column("created_at", TS, nullable=False),
    Index("ix_events_status_starts_at", "status", "starts_at"),
    Index("ix_events_title_key", "title_key"),
    Index("ix_events_status_category_starts_at", "status", "category", "starts_at"),  # a category, soonest first
    # Substring search over search_text of published events: on SQLite an FTS5 trigram table kept by
    # triggers (events_fts), on PostgreSQL a partial pg_trgm GIN index; both made by migration 0009.
)

# What migration 0009 builds outside this metadata, per dialect (SQLite's FTS5 tables bring shadow tables
# named after them): the schema comparison leaves these names out and checks them on their own.
SEARCH_INDEXES = {
    "sqlite": ("events_fts", "search_words_fts"),
    "postgresql": ("ix_events_search_trgm", "ix_search_words_trgm"),
}

# Every word (three letters or more) ever indexed: what a typo is corrected towards. Indexed by trigrams
# (SQLite: search_words_fts, PostgreSQL: GiST gist_trgm_ops) so a misspelt word finds its neighbours.
search_words = Table(
    "search_words",
    metadata,
    Column("word", String(100), primary_key=True),
)

ticket_types = Table(
    "ticket_types",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", Id, ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("price_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("sold", Integer, nullable=False, server_default="0"),
    Column("held", Integer, nullable=False, server_default="0"),
    Column("sales_start", TS),
    Column("sales_end", TS),
    Column("position", Integer, nullable=False, server_default="0"),
    Column("max_per_order", Integer),  # None: the shop's limit (HoldPolicy.max_per_order)
    # The database itself refuses an oversell, whatever the code above it does.
    CheckConstraint("sold >= 0 AND held >= 0 AND sold + held <= quantity", name="quota"),
    CheckConstraint("price_minor >= 0", name="price"),
)

staff_assignments = Table(
    "staff_assignments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("event_id", Id, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("assigned_by", Id, ForeignKey("users.id")),
    Column("created_at", TS, nullable=False),
    UniqueConstraint("user_id", "event_id", name="uq_staff_assignments_user_event"),
)

staff_invites = Table(
    "staff_invites",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token", String(32), nullable=False, unique=True),
    Column("event_id", Id, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("created_by", Id, ForeignKey("users.id"), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("used_by", Id, ForeignKey("users.id")),
    Column("used_at", TS),
)

carts = Table(
    "carts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, unique=True),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("last_op", String(80)),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    # The promo codes typed into this cart, normalized, as a JSON list in the order typed: kept while they
    # do not apply, so the cart can say why (domain.promotions). Changing them bumps the version.
    Column("codes", Text, nullable=False, server_default="[]"),
    # The buyer's answers to the questions asked once per order (JSON, by question id), until a payment
    # copies them onto its order and empties them; written under the cart's lock without a version bump.
    Column("buyer_answers", Text, nullable=False, server_default="{}"),
)

# A hold a person dropped on purpose (🗑, ➖): too many in a short while and new holds wait (anti-scalping).
# Only the last cooldown window plus cooldown are kept, per person, trimmed when one is written.
hold_releases = Table(
    "hold_releases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("released_at", TS, nullable=False),
    Index("ix_hold_releases_user_released", "user_id", "released_at"),
)

cart_items = Table(
    "cart_items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("cart_id", Id, ForeignKey("carts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("qty", Integer, nullable=False),
    Column("unit_price_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("held_until", TS),
    Column("ticket_type_id", Id, ForeignKey("ticket_types.id")),
    Column("event_id", Id, ForeignKey("events.id")),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    CheckConstraint("qty > 0", name="qty"),
    Index("ix_cart_items_state_held_until", "state", "held_until"),
)

questions = Table(
    "questions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", Id, ForeignKey("events.id"), nullable=False, index=True),
    Column("ticket_type_id", Id, ForeignKey("ticket_types.id")),
    Column("kind", String(16), nullable=False),
    Column("label", String(200), nullable=False),
    Column("options", Text, nullable=False, server_default="[]"),  # JSON list of option texts
    Column("required", Boolean, nullable=False),
    Column("position", Integer, nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("created_at", TS, nullable=False),
    # Asked once of the buyer of an order (answers on carts.buyer_answers, then orders.buyer_answers)
    # rather than of every attendee.
    Column("per_order", Boolean, nullable=False, server_default=false()),
)

attendees = Table(
    "attendees",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("cart_item_id", Id, ForeignKey("cart_items.id", ondelete="CASCADE"), nullable=False),
    Column("seat", Integer, nullable=False),
    Column("name", String(200)),
    Column("answers", Text, nullable=False, server_default="{}"),  # JSON, by question id
    Column("updated_at", TS, nullable=False),
    UniqueConstraint("cart_item_id", "seat", name="uq_attendees_item_seat"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("cart_id", Id, ForeignKey("carts.id")),
    Column("status", String(16), nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("idempotency_key", String(120), nullable=False, unique=True),
    Column("created_at", TS, nullable=False),
    Column("paid_at", TS),
    # Set once every ticket message went out: a replayed Pay press after a crash delivers the rest.
    Column("delivered_at", TS),
    # What the buyer accepted with the Pay press (domain.terms): its digest, the text as JSON, and when.
    Column("terms_digest", String(16)),
    Column("terms", Text),
    Column("terms_accepted_at", TS),
    # The buyer's answers to the per-order questions (JSON, by question id), copied from the cart at payment.
    Column("buyer_answers", Text, nullable=False, server_default="{}"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("qty", Integer, nullable=False),
    Column("unit_price_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("event_id", Id, ForeignKey("events.id")),
    Column("ticket_type_id", Id, ForeignKey("ticket_types.id")),
    Column("title", String(200), nullable=False),
    Column("tariff", String(100), nullable=False),
    # What the line cost after its discounts (domain.pricing); NULL in orders older than revision 0013,
    # which had no discounts: qty * unit price.
    Column("total_minor", BigInteger),
)

# Every discount an order line got, as the cart showed it: a refund returns what was paid for the ticket.
order_line_discounts = Table(
    "order_line_discounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_line_id", Id, ForeignKey("order_lines.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("source", String(16), nullable=False),  # promotion | membership | code
    Column("ref", String(64), nullable=False),  # the promotion's id, the plan's name, the code
    Column("name", String(100), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
)

# Promo codes: an organizer's for one of their events, or an admin's for the whole shop (event_id NULL).
# `uses` counts paid orders carrying the code; the check makes a last use impossible to take twice.
promo_codes = Table(
    "promo_codes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("event_id", Id, ForeignKey("events.id"), index=True),
    Column("scope_kind", String(8), nullable=False),
    Column("scope_target", Id),
    Column("basis_points", Integer),
    Column("amount_minor", BigInteger),
    Column("currency", String(3), nullable=False),
    Column("valid_from", TS),
    Column("valid_until", TS),
    Column("max_uses", Integer),
    Column("max_uses_per_person", Integer),
    Column("min_cart_minor", BigInteger),
    Column("combinable", Boolean, nullable=False, server_default=true()),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("uses", Integer, nullable=False, server_default="0"),
    Column("created_by", Id, ForeignKey("users.id")),
    Column("created_at", TS, nullable=False),
    CheckConstraint("uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)", name="uses_within_max"),
)

promo_code_uses = Table(
    "promo_code_uses",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code_id", Id, ForeignKey("promo_codes.id"), nullable=False),
    Column("order_id", Id, ForeignKey("orders.id"), nullable=False),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("used_at", TS, nullable=False),
    UniqueConstraint("code_id", "order_id", name="uq_promo_code_uses_code_order"),
    Index("ix_promo_code_uses_code_user", "code_id", "user_id"),
)

# Automatic promotions of one event (domain.promotions.PromotionKind): no code, they apply by themselves.
promotions = Table(
    "promotions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", Id, ForeignKey("events.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("name", String(100), nullable=False),
    Column("basis_points", Integer),
    Column("amount_minor", BigInteger),
    Column("currency", String(3), nullable=False),
    Column("min_tickets", Integer),
    Column("tariff_a", Id, ForeignKey("ticket_types.id")),
    Column("tariff_b", Id, ForeignKey("ticket_types.id")),
    Column("weekdays", Integer, nullable=False, server_default="0"),  # bit 0 = Monday
    Column("days_before", Integer),
    Column("tariff_id", Id, ForeignKey("ticket_types.id")),
    Column("valid_from", TS),
    Column("valid_until", TS),
    Column("combinable", Boolean, nullable=False, server_default=true()),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("created_at", TS, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", Id, ForeignKey("orders.id"), nullable=False, index=True),
    Column("event_id", Id, ForeignKey("events.id"), nullable=False, index=True),
    Column("ticket_type_id", Id, ForeignKey("ticket_types.id"), nullable=False),
    Column("owner_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("holder_name", String(200), nullable=False),
    Column("secret", String(64), nullable=False, unique=True),
    Column("status", String(16), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("checked_in_at", TS),
    Column("checked_in_by", Id, ForeignKey("users.id")),
    # The secret's first 8 characters, lowercase (printed under the QR as "H7RA-YSBN"): typed at the door,
    # found by an exact unique-index hit. NULL only for a later duplicate in data older than revision 0002.
    Column("short_code", String(8)),
    Index("ix_tickets_short_code", "short_code", unique=True),
    Column("answers", Text, nullable=False, server_default="{}"),  # JSON: the attendee's, by question id
    # What this ticket cost after discounts (its share of its order line); NULL before revision 0013.
    Column("price_minor", BigInteger),
)

wallets = Table(
    "wallets",
    metadata,
    Column("user_id", Id, ForeignKey("users.id"), primary_key=True),
    Column("balance_minor", BigInteger, nullable=False, server_default="0"),
    Column("currency", String(3), nullable=False),
    Column("updated_at", TS, nullable=False),
    CheckConstraint("balance_minor >= 0", name="not_negative"),
)

wallet_entries = Table(
    "wallet_entries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("idempotency_key", String(120), nullable=False, unique=True),
    Column("order_id", Id, ForeignKey("orders.id")),
    Column("actor_id", Id, ForeignKey("users.id")),
    Column("balance_after_minor", BigInteger, nullable=False),
    Column("created_at", TS, nullable=False),
)

# Money paid in through Telegram Payments: Telegram's charge id is unique, so a payment delivered twice
# credits once. Both charge ids are kept (Telegram's for support and refunds, the provider's for the books).
payments = Table(
    "payments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("purpose", String(16), nullable=False),  # topup
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("payload", String(128), nullable=False),
    Column("telegram_charge_id", String(255), nullable=False, unique=True),
    Column("provider_charge_id", String(255), nullable=False),
    Column("wallet_entry_id", Id, ForeignKey("wallet_entries.id")),
    Column("created_at", TS, nullable=False),
)

searches = Table(
    "searches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("query", String(200), nullable=False),
    Column("category", String(16)),
    Column("period", String(10)),  # today, weekend, month or an ISO day
    Column("created_at", TS, nullable=False),
    Index("ix_searches_created_at", "created_at"),
)

update_inbox = Table(
    "update_inbox",
    metadata,
    # Every update is written here before Telegram is told it arrived (the next getUpdates offset), and
    # marked handled after its handler finished: what a crash interrupted is replayed on restart.
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("payload", Text),
    Column("received_at", TS, nullable=False),
    Column("handled_at", TS),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Index("ix_update_inbox_handled_at", "handled_at"),
)

broadcasts = Table(
    "broadcasts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", Id, ForeignKey("events.id"), nullable=False),
    Column("author_id", Id, ForeignKey("users.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("status", String(16), nullable=False),  # draft | sending | done
    Column("created_at", TS, nullable=False),
    Column("finished_at", TS),
)

broadcast_deliveries = Table(
    "broadcast_deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("broadcast_id", Id, ForeignKey("broadcasts.id"), nullable=False),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("status", String(16), nullable=False),  # pending | sent | blocked | failed
    Column("attempted_at", TS),
    UniqueConstraint("broadcast_id", "user_id", name="uq_broadcast_deliveries_broadcast_user"),
    Index("ix_broadcast_deliveries_status", "status"),
)

membership_plans = Table(
    "membership_plans",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(60), nullable=False),
    Column("price_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("basis_points", Integer, nullable=False),  # the discount on tickets: 10 % = 1000
    Column("categories", Text, nullable=False, server_default="[]"),  # JSON list of event categories; []: all
    Column("combinable", Boolean, nullable=False, server_default=true()),
    Column("retired_at", TS),  # sold no more; memberships of it keep running
    Column("created_at", TS, nullable=False),
    CheckConstraint("price_minor > 0", name="price"),
    CheckConstraint("basis_points > 0 AND basis_points <= 10000", name="basis_points"),
)

memberships = Table(
    "memberships",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("plan_id", Id, ForeignKey("membership_plans.id"), nullable=False),
    Column("status", String(16), nullable=False),  # active | ended | lapsed
    Column("renew", Boolean, nullable=False),
    Column("period", Integer, nullable=False),  # the last period paid, from 1
    Column("started_at", TS, nullable=False),
    Column("paid_until", TS, nullable=False),
    Column("price_minor", BigInteger, nullable=False),  # per period, as agreed when bought
    Column("currency", String(3), nullable=False),
    Column("buy_key", String(80), nullable=False, unique=True),  # the Buy press: a replay buys nothing more
    Column("ended_at", TS),
    # One running membership per person, whatever two presses or two processes do at once.
    Index(
        "ix_memberships_active_user",
        "user_id",
        unique=True,
        sqlite_where=text("status = 'active'"),
        postgresql_where=text("status = 'active'"),
    ),
    # The renewal sweep: running memberships by the end of their paid period.
    Index("ix_memberships_status_paid_until", "status", "paid_until"),
)

# What the scheduler did to a membership, to tell its holder: written in the same transaction as the
# renewal (or the lapse), sent by the notice sweep, marked sent once (claimed first, so two senders never
# take the same row; a claim older than a few minutes is a dead sender's and is taken again).
membership_notices = Table(
    "membership_notices",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("membership_id", Id, ForeignKey("memberships.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # renewed | lapsed | ended
    Column("amount_minor", BigInteger),
    Column("currency", String(3)),
    Column("paid_until", TS),
    Column("created_at", TS, nullable=False),
    Column("claimed_at", TS),
    Column("sent_at", TS),
    Index("ix_membership_notices_sent_at", "sent_at"),
)
