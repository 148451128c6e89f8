"""promotions: promo codes (an organizer's for an event, an admin's for the shop) with their uses, automatic
promotions of events, the codes typed into each cart, and what every order line and ticket cost after its
discounts

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "promo_codes",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("event_id", ID, nullable=True),
        sa.Column("scope_kind", sa.String(8), nullable=False),
        sa.Column("scope_target", ID, nullable=True),
        sa.Column("basis_points", sa.Integer(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("valid_from", TS, nullable=True),
        sa.Column("valid_until", TS, nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("max_uses_per_person", sa.Integer(), nullable=True),
        sa.Column("min_cart_minor", sa.BigInteger(), nullable=True),
        sa.Column("combinable", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("uses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_by", ID, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint(
            "uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)", name=op.f("ck_promo_codes_uses_within_max")
        ),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_promo_codes_event_id", "promo_codes", ["event_id"])
    op.create_table(
        "promo_code_uses",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("code_id", ID, nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("used_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["code_id"], ["promo_codes.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_id", "order_id", name="uq_promo_code_uses_code_order"),
    )
    op.create_index("ix_promo_code_uses_code_user", "promo_code_uses", ["code_id", "user_id"])
    op.create_table(
        "promotions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("basis_points", sa.Integer(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("min_tickets", sa.Integer(), nullable=True),
        sa.Column("tariff_a", ID, nullable=True),
        sa.Column("tariff_b", ID, nullable=True),
        sa.Column("weekdays", sa.Integer(), server_default="0", nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=True),
        sa.Column("tariff_id", ID, nullable=True),
        sa.Column("valid_from", TS, nullable=True),
        sa.Column("valid_until", TS, nullable=True),
        sa.Column("combinable", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.ForeignKeyConstraint(["tariff_a"], ["ticket_types.id"]),
        sa.ForeignKeyConstraint(["tariff_b"], ["ticket_types.id"]),
        sa.ForeignKeyConstraint(["tariff_id"], ["ticket_types.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_promotions_event_id", "promotions", ["event_id"])
    op.create_table(
        "order_line_discounts",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("order_line_id", ID, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.ForeignKeyConstraint(["order_line_id"], ["order_lines.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_order_line_discounts_order_line_id", "order_line_discounts", ["order_line_id"])
    op.add_column("order_lines", sa.Column("total_minor", sa.BigInteger(), nullable=True))
    op.add_column("tickets", sa.Column("price_minor", sa.BigInteger(), nullable=True))
    op.add_column("carts", sa.Column("codes", sa.Text(), server_default="[]", nullable=False))


def downgrade() -> None:
    # Plain column drops (SQLite 3.35+ does them in place): no table rebuild.
    op.execute("ALTER TABLE carts DROP COLUMN codes")
    op.execute("ALTER TABLE tickets DROP COLUMN price_minor")
    op.execute("ALTER TABLE order_lines DROP COLUMN total_minor")
    op.drop_index("ix_order_line_discounts_order_line_id", table_name="order_line_discounts")
    op.drop_table("order_line_discounts")
    op.drop_index("ix_promotions_event_id", table_name="promotions")
    op.drop_table("promotions")
    op.drop_index("ix_promo_code_uses_code_user", table_name="promo_code_uses")
    op.drop_table("promo_code_uses")
    op.drop_index("ix_promo_codes_event_id", table_name="promo_codes")
    op.drop_table("promo_codes")
