"""order terms: what the buyer accepted with the Pay press (each event's attendance conditions and the
shop's sale terms, as JSON), its digest and when; NULL for orders paid before acceptance was asked

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("terms_digest", "terms", "terms_accepted_at")


def upgrade() -> None:
    op.add_column("orders", sa.Column("terms_digest", sa.String(16), nullable=True))
    op.add_column("orders", sa.Column("terms", sa.Text(), nullable=True))
    op.add_column("orders", sa.Column("terms_accepted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for column in reversed(COLUMNS):
        # SQLite 3.35+ drops a plain column in place (no rebuild of the table and its foreign keys)
        op.execute(f"ALTER TABLE orders DROP COLUMN {column}")
