"""attendees: the questions an organizer asks of every attendee (per event or per tariff), who each held
ticket is for with the answers given in the cart, the answers kept on the ticket, and whether buyers may
change attendee names after paying

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 23:59:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("ticket_type_id", ID, nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("options", sa.Text(), server_default="[]", nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.ForeignKeyConstraint(["ticket_type_id"], ["ticket_types.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_questions_event_id", "questions", ["event_id"])
    op.create_table(
        "attendees",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("cart_item_id", ID, nullable=False),
        sa.Column("seat", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("answers", sa.Text(), server_default="{}", nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["cart_item_id"], ["cart_items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cart_item_id", "seat", name="uq_attendees_item_seat"),
    )
    op.add_column("tickets", sa.Column("answers", sa.Text(), server_default="{}", nullable=False))
    op.add_column("events", sa.Column("names_changeable", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    # SQLite drops a plain column in place; a rebuild of `events` would drop migration 0009's search triggers.
    op.execute("ALTER TABLE events DROP COLUMN names_changeable")
    op.execute("ALTER TABLE tickets DROP COLUMN answers")
    op.drop_table("attendees")
    op.drop_index("ix_questions_event_id", table_name="questions")
    op.drop_table("questions")
