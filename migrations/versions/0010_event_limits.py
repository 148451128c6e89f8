"""event limits: anti-scalping numbers an organizer sets per event (tickets per person, bought and held,
and tickets per order across tariffs; NULL keeps the shop's configured limit), and the holds people drop
on purpose (too many in a short while and new holds wait)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("events", sa.Column("max_per_person", sa.Integer(), nullable=True))
    op.add_column("events", sa.Column("max_per_order", sa.Integer(), nullable=True))
    op.create_table(
        "hold_releases",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hold_releases_user_released", "hold_releases", ["user_id", "released_at"])


def downgrade() -> None:
    op.drop_index("ix_hold_releases_user_released", table_name="hold_releases")
    op.drop_table("hold_releases")
    # SQLite drops a column by rebuilding the table, which drops migration 0009's search triggers with it.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE events DROP COLUMN max_per_order")
        op.execute("ALTER TABLE events DROP COLUMN max_per_person")
    else:
        op.drop_column("events", "max_per_order")
        op.drop_column("events", "max_per_person")
