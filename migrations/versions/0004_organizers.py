"""organizer role: users.is_organizer, organizer_requests (one pending per person), username look-up index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("is_organizer", sa.Integer(), server_default="0", nullable=False))
    op.create_index("ix_users_username_lower", "users", [sa.text("lower(username)")])
    op.create_table(
        "organizer_requests",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("about", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_organizer_requests_user_id_users")),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], name=op.f("fk_organizer_requests_decided_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizer_requests")),
    )
    op.create_index(
        "ix_organizer_requests_pending_user",
        "organizer_requests",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_organizer_requests_pending_user", table_name="organizer_requests")
    op.drop_table("organizer_requests")
    op.drop_index("ix_users_username_lower", table_name="users")
    op.execute("ALTER TABLE users DROP COLUMN is_organizer")
