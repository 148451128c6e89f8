"""ticket_types.max_per_order: an organizer's per-order limit for one tariff (none: the shop's own)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("ticket_types", sa.Column("max_per_order", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket_types") as batch:
        batch.drop_column("max_per_order")
