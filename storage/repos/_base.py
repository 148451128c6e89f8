from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


class Repo:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def insert(self, table):
        """INSERT with ON CONFLICT support for the dialect in use."""
        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)
