"""memberships: plans an admin sells (price per calendar month, a ticket discount for some or all event
categories, combinable or not, retired when no longer sold), each person's membership with its paid
period and renewal switch (one running at a time), and the notices the renewal sweep leaves for the
holders

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "membership_plans",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("basis_points", sa.Integer(), nullable=False),
        sa.Column("categories", sa.Text(), server_default="[]", nullable=False),
        sa.Column("combinable", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("retired_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("price_minor > 0", name=op.f("ck_membership_plans_price")),
        sa.CheckConstraint("basis_points > 0 AND basis_points <= 10000", name=op.f("ck_membership_plans_basis_points")),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "memberships",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("plan_id", ID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("renew", sa.Boolean(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("paid_until", TS, nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("buy_key", sa.String(80), nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["membership_plans.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("buy_key", name="uq_memberships_buy_key"),
    )
    op.create_index(
        "ix_memberships_active_user",
        "memberships",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index("ix_memberships_status_paid_until", "memberships", ["status", "paid_until"])
    op.create_table(
        "membership_notices",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("membership_id", ID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("paid_until", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("claimed_at", TS, nullable=True),
        sa.Column("sent_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["membership_id"], ["memberships.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_membership_notices_sent_at", "membership_notices", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_membership_notices_sent_at", table_name="membership_notices")
    op.drop_table("membership_notices")
    op.drop_index("ix_memberships_status_paid_until", table_name="memberships")
    op.drop_index("ix_memberships_active_user", table_name="memberships")
    op.drop_table("memberships")
    op.drop_table("membership_plans")
