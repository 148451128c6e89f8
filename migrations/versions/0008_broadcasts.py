"""broadcasts: an organizer's message to the holders of an event's tickets, stored with one delivery row
per recipient before anything is sent

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_broadcasts_event_id_events")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_broadcasts_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
    )
    op.create_table(
        "broadcast_deliveries",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("broadcast_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["broadcast_id"], ["broadcasts.id"], name=op.f("fk_broadcast_deliveries_broadcast_id_broadcasts")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_broadcast_deliveries_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_deliveries")),
        sa.UniqueConstraint("broadcast_id", "user_id", name="uq_broadcast_deliveries_broadcast_user"),
    )
    op.create_index("ix_broadcast_deliveries_status", "broadcast_deliveries", ["status"])


def downgrade() -> None:
    op.drop_index("ix_broadcast_deliveries_status", table_name="broadcast_deliveries")
    op.drop_table("broadcast_deliveries")
    op.drop_table("broadcasts")
