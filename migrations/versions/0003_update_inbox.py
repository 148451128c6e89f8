"""update inbox (durable record of fetched updates), order delivery mark, search pruning index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "update_inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_update_inbox")),
    )
    op.create_index("ix_update_inbox_handled_at", "update_inbox", ["handled_at"])
    # What was handled before the inbox existed stays handled: a redelivery of it changes nothing.
    op.execute(
        "INSERT INTO update_inbox (update_id, received_at, handled_at, attempts) "
        "SELECT update_id, processed_at, processed_at, 1 FROM processed_updates"
    )
    op.drop_table("processed_updates")
    # Plain ALTERs: a batch rebuild of `orders` fails on SQLite with foreign keys on (rows refer to it).
    op.add_column("orders", sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
    # Orders paid before this revision were delivered by the handler that paid them.
    op.execute("UPDATE orders SET delivered_at = paid_at WHERE paid_at IS NOT NULL")
    op.create_index("ix_searches_created_at", "searches", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_searches_created_at", table_name="searches")
    op.execute("ALTER TABLE orders DROP COLUMN delivered_at")
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_updates")),
    )
    op.execute(
        "INSERT INTO processed_updates (update_id, processed_at) "
        "SELECT update_id, handled_at FROM update_inbox WHERE handled_at IS NOT NULL"
    )
    op.drop_index("ix_update_inbox_handled_at", table_name="update_inbox")
    op.drop_table("update_inbox")
