"""Alembic environment: works from the CLI (`alembic upgrade head`) and from storage.migrate."""

from __future__ import annotations

import asyncio
import os
import warnings

from alembic import context

from storage.engine import create_engine
from storage.tables import metadata

# SQLite rebuilds a table by reflecting it (and the tables it refers to); it cannot reflect the
# expression index on users (lower(username)) and says so, harmlessly: the rebuilt tables do not hold it.
warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")

config = context.config
target_metadata = metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        from bot.config import ConfigError, load_settings

        try:
            url = load_settings().database_url
        except ConfigError as error:
            raise SystemExit(str(error)) from None
    return url


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """Outside any transaction (SQLite ignores the pragma inside one), on the driver's own connection."""
    cursor = connection.connection.dbapi_connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


def do_run_migrations(connection) -> None:
    # SQLite changes a column by rebuilding its table (batch mode): copy, drop, rename. Dropping a table
    # other rows refer to fails with foreign keys enforced, so they are off while migrating, and the
    # references are checked before the work is committed.
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=False,
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration broke {len(broken)} references, e.g. {broken[0]}")
        if sqlite and connection.in_transaction():
            connection.commit()  # the pragma below is ignored inside a transaction
    except BaseException:
        if sqlite and connection.in_transaction():
            connection.rollback()
        raise
    finally:
        if sqlite:
            _sqlite_foreign_keys(connection, on=True)


async def _run_async() -> None:
    engine = create_engine(_url())
    async with engine.connect() as conn:
        await conn.run_sync(do_run_migrations)
        await conn.commit()
    await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
elif (connection := config.attributes.get("connection")) is not None:
    do_run_migrations(connection)
else:
    asyncio.run(_run_async())
