"""search index: substring search of published events by the databases' own trigram indexes, the folded
title (exact matches first), the vocabulary typos are corrected towards, a saved search's filters

SQLite: events_fts, an FTS5 table with the trigram tokenizer holding the search text of published events
only, kept by triggers on events; search_words_fts likewise for the vocabulary. A later migration that
rebuilds `events` in batch mode drops these triggers with the old table and must create them again.
PostgreSQL: pg_trgm (a trusted extension: the database owner may create it), a GIN index for the
events, a GiST one for the vocabulary.

The search text is folded again (accents now too), so existing rows are rewritten here.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 21:00:00
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_EVENTS = (
    "CREATE VIRTUAL TABLE events_fts USING fts5(search_text, tokenize='trigram')",
    """CREATE TRIGGER events_fts_insert AFTER INSERT ON events WHEN new.status = 'published' BEGIN
        INSERT INTO events_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER events_fts_update AFTER UPDATE OF status, search_text ON events BEGIN
        DELETE FROM events_fts WHERE rowid = old.id;
        INSERT INTO events_fts(rowid, search_text) SELECT new.id, new.search_text WHERE new.status = 'published';
    END""",
    """CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
        DELETE FROM events_fts WHERE rowid = old.id;
    END""",
    "INSERT INTO events_fts(rowid, search_text) SELECT id, search_text FROM events WHERE status = 'published'",
    # Padded with spaces, as pg_trgm pads: the first and last letters make trigrams of their own.
    "CREATE VIRTUAL TABLE search_words_fts USING fts5(word, tokenize='trigram')",
    """CREATE TRIGGER search_words_fts_insert AFTER INSERT ON search_words BEGIN
        INSERT INTO search_words_fts(rowid, word) VALUES (new.rowid, ' ' || new.word || ' ');
    END""",
)
_POSTGRES = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_events_search_trgm ON events USING gin (search_text gin_trgm_ops) WHERE status = 'published'",
    # GiST answers "the 50 nearest words" (ORDER BY word <-> typo LIMIT 50) from the index, no threshold needed.
    "CREATE INDEX ix_search_words_trgm ON search_words USING gist (word gist_trgm_ops)",
)


def _fold(text: str) -> str:
    """The domain's normalize as of this revision (frozen here: a migration must not change later)."""
    out = []
    for char in text:
        if char in "йЙ":
            out.append("й")
            continue
        decomposed = unicodedata.normalize("NFKD", char)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)).casefold())
    return " ".join("".join(out).split())


def upgrade() -> None:
    op.add_column("events", sa.Column("title_key", sa.String(length=200), server_default="", nullable=False))
    op.create_index("ix_events_title_key", "events", ["title_key"])
    op.create_index("ix_events_status_category_starts_at", "events", ["status", "category", "starts_at"])
    op.create_table("search_words", sa.Column("word", sa.String(length=100), primary_key=True))
    op.add_column("searches", sa.Column("category", sa.String(length=16), nullable=True))
    op.add_column("searches", sa.Column("period", sa.String(length=10), nullable=True))

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, title, performers, venue, category FROM events")).fetchall()
    words: set[str] = set()
    for row in rows:
        text = _fold(" ".join((row.title, row.performers, row.venue, row.category)))
        bind.execute(
            sa.text("UPDATE events SET search_text = :text, title_key = :key WHERE id = :id"),
            {"text": text, "key": _fold(row.title)[:200], "id": row.id},
        )
        words |= {w for w in re.findall(r"\w+", text) if 3 <= len(w) <= 100}

    statements = _SQLITE_EVENTS if bind.dialect.name == "sqlite" else _POSTGRES
    for statement in statements:
        op.execute(statement)
    if words:
        bind.execute(sa.text("INSERT INTO search_words (word) VALUES (:word)"), [{"word": w} for w in sorted(words)])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("events_fts_insert", "events_fts_update", "events_fts_delete", "search_words_fts_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS events_fts")
        op.execute("DROP TABLE IF EXISTS search_words_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_events_search_trgm")
    with op.batch_alter_table("searches") as batch:
        batch.drop_column("period")
        batch.drop_column("category")
    op.drop_table("search_words")
    op.drop_index("ix_events_title_key", table_name="events")
    op.drop_index("ix_events_status_category_starts_at", table_name="events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("title_key")
