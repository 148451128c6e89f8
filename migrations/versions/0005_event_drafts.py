"""event drafts: an organizer's draft has no start time yet; the poster's Telegram file id

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite rebuilds the table for a changed column (env.py turns foreign keys off meanwhile);
    # PostgreSQL alters it in place.
    with op.batch_alter_table("events") as batch:
        batch.alter_column("starts_at", existing_type=sa.DateTime(timezone=True), nullable=True)
        batch.add_column(sa.Column("poster_file_id", sa.String(length=256), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM events WHERE starts_at IS NULL AND status = 'draft'")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("poster_file_id")
        batch.alter_column("starts_at", existing_type=sa.DateTime(timezone=True), nullable=False)
