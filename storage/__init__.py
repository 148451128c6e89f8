"""SQLAlchemy 2 (async) storage for SQLite and PostgreSQL."""
