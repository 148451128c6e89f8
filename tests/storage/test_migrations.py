"""Alembic migrations build exactly the schema the code declares, and can be undone and redone."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage.migrate import downgrade, upgrade
from storage.tables import metadata

# SQLite cannot reflect expression indexes (lower(username)): compared on PostgreSQL only.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index"),
]


def _diff(sync_conn) -> list:
    context = MigrationContext.configure(sync_conn, opts={"compare_type": True, "compare_server_default": False})
    return compare_metadata(context, metadata)


def _tables(sync_conn) -> set[str]:
    return set(inspect(sync_conn).get_table_names()) - {"alembic_version"}


def _revision(sync_conn) -> str | None:
    return MigrationContext.configure(sync_conn).get_current_revision()


async def test_migrated_schema_matches_metadata(engine):
    async with engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
        assert await conn.run_sync(_tables) == set(metadata.tables)


async def test_downgrade_to_base_and_upgrade_again(engine):
    async with engine.connect() as conn:
        head = await conn.run_sync(_revision)
    assert head is not None
    try:
        await downgrade(engine, "base")
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == set()
            assert await conn.run_sync(_revision) is None
        await upgrade(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(_revision) == head
            assert await conn.run_sync(_diff) == []
    finally:
        # The PostgreSQL database is shared by the session: whatever happened, leave it migrated.
        await upgrade(engine)
