"""tickets.short_code: the code printed under the QR, an exact unique-index look-up at the door

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTERs (no table rebuild): SQLite 3.35+ and PostgreSQL both add and drop a plain column.
    op.add_column("tickets", sa.Column("short_code", sa.String(length=8), nullable=True))
    # The first 8 characters of the secret, lowercase, as domain.codes.parse_short_code returns them.
    # Old data may hold two secrets with the same prefix: none of them gets the code (the code printed
    # under their QR must never find the other ticket); they are still scanned by the QR or typed in full.
    op.execute(
        "UPDATE tickets SET short_code = lower(substr(secret, 1, 8)) WHERE lower(substr(secret, 1, 8)) IN "
        "(SELECT lower(substr(secret, 1, 8)) FROM tickets GROUP BY lower(substr(secret, 1, 8)) HAVING count(*) = 1)"
    )
    op.create_index("ix_tickets_short_code", "tickets", ["short_code"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_tickets_short_code", table_name="tickets")
    op.execute("ALTER TABLE tickets DROP COLUMN short_code")
