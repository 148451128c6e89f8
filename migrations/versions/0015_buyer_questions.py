"""buyer questions: an organizer's question may be asked once of the buyer of an order rather than of
every attendee; the buyer's answers are kept with the cart until payment, then on the order

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("questions", sa.Column("per_order", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("carts", sa.Column("buyer_answers", sa.Text(), server_default="{}", nullable=False))
    op.add_column("orders", sa.Column("buyer_answers", sa.Text(), server_default="{}", nullable=False))


def downgrade() -> None:
    # SQLite drops a plain column in place (no rebuild of tables others refer to).
    op.execute("ALTER TABLE orders DROP COLUMN buyer_answers")
    op.execute("ALTER TABLE carts DROP COLUMN buyer_answers")
    op.execute("ALTER TABLE questions DROP COLUMN per_order")
