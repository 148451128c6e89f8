"""payments: money paid in through Telegram Payments, one row per Telegram charge

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-25 03:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("payload", sa.String(128), nullable=False),
        sa.Column("telegram_charge_id", sa.String(255), nullable=False),
        sa.Column("provider_charge_id", sa.String(255), nullable=False),
        sa.Column("wallet_entry_id", ID, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["wallet_entry_id"], ["wallet_entries.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("telegram_charge_id"),
    )
    op.create_index("ix_payments_user_id", "payments", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_payments_user_id", table_name="payments")
    op.drop_table("payments")
