"""Alembic migrations build exactly the schema the code declares, and can be undone and redone."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage.migrate import downgrade, upgrade
from storage.tables import SEARCH_INDEXES, metadata

# SQLite cannot reflect expression indexes (lower(username)): compared on PostgreSQL only.
pytestmark = [
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index"),
]


def _search_index(name: str | None) -> bool:
    """The trigram search structures of migration 0009, which the metadata does not describe."""
    return any((name or "").startswith(prefix) for prefixes in SEARCH_INDEXES.values() for prefix in prefixes)


def _diff(sync_conn) -> list:
    opts = {
        "compare_type": True,
        "compare_server_default": False,
        "include_name": lambda name, type_, parent: not _search_index(name),
    }
    return compare_metadata(MigrationContext.configure(sync_conn, opts=opts), metadata)


def _tables(sync_conn) -> set[str]:
    return {t for t in inspect(sync_conn).get_table_names() if not _search_index(t)} - {"alembic_version"}


def _search_structures(sync_conn) -> set[str]:
    inspector = inspect(sync_conn)
    if sync_conn.dialect.name == "sqlite":
        found = set(inspector.get_table_names())
    else:
        tables = set(inspector.get_table_names()) & {"events", "search_words"}
        found = {i["name"] for t in tables for i in inspector.get_indexes(t)}
    return found & set(SEARCH_INDEXES[sync_conn.dialect.name])


def _revision(sync_conn) -> str | None:
    return MigrationContext.configure(sync_conn).get_current_revision()


async def test_migrated_schema_matches_metadata(engine):
    async with engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
        assert await conn.run_sync(_tables) == set(metadata.tables)
        assert await conn.run_sync(_search_structures) == set(SEARCH_INDEXES[engine.dialect.name])


async def test_downgrade_to_base_and_upgrade_again(engine):
    async with engine.connect() as conn:
        head = await conn.run_sync(_revision)
    assert head is not None
    try:
        await downgrade(engine, "base")
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == set()
            assert await conn.run_sync(_search_structures) == set()
            assert await conn.run_sync(_revision) is None
        await upgrade(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(_revision) == head
            assert await conn.run_sync(_diff) == []
            assert await conn.run_sync(_search_structures) == set(SEARCH_INDEXES[engine.dialect.name])
    finally:
        # The PostgreSQL database is shared by the session: whatever happened, leave it migrated.
        await upgrade(engine)


async def test_rebuilding_a_table_others_refer_to_keeps_every_row_and_reference(engine):
    """0005 changes events.starts_at: SQLite rebuilds the events table, which tariffs, carts, orders and
    tickets refer to. Foreign keys are off during the rebuild and on again afterwards, rows intact."""
    try:
        await downgrade(engine, "0004")
        async with engine.begin() as conn:
            await conn.exec_driver_sql(
                "INSERT INTO users (id, telegram_id, first_name, language, created_at, updated_at) "
                "VALUES (1, 42, 'Anna', 'ru', '2026-11-24 10:00:00', '2026-11-24 10:00:00')"
            )
            await conn.exec_driver_sql(
                "INSERT INTO events (id, title, venue, starts_at, status, organizer_id, created_at) "
                "VALUES (7, 'Маузер', 'Сатирикон', '2026-12-24 16:00:00', 'published', 1, '2026-11-24 10:00:00')"
            )
            await conn.exec_driver_sql(
                "INSERT INTO ticket_types (id, event_id, name, price_minor, currency, quantity) "
                "VALUES (3, 7, 'Standard', 150000, 'RUB', 50)"
            )
        await upgrade(engine)
        async with engine.connect() as conn:
            row = (await conn.exec_driver_sql("SELECT title, poster_file_id FROM events WHERE id = 7")).one()
            assert tuple(row) == ("Маузер", None)
            assert (await conn.exec_driver_sql("SELECT event_id FROM ticket_types WHERE id = 3")).scalar() == 7
            if conn.dialect.name == "sqlite":
                assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
                assert (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all() == []
            await conn.exec_driver_sql(
                "INSERT INTO events (title, venue, status, created_at) "
                "VALUES ('Draft', '', 'draft', '2026-11-24 10:00:00')"
            )
    finally:
        await upgrade(engine)
