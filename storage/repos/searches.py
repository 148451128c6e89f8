from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select

from domain.search import SearchFilter
from storage.repos._base import Repo
from storage.tables import searches


class SearchRepo(Repo):
    async def save(self, user_id: int, query: str, filters: SearchFilter, now: datetime) -> int:
        values = {"user_id": user_id, "query": query[:200], "created_at": now}
        values |= {"category": filters.category, "period": filters.period}
        return (await self.conn.execute(insert(searches).values(**values).returning(searches.c.id))).scalar_one()

    async def get(self, search_id: int) -> tuple[int, str, SearchFilter] | None:
        row = (await self.conn.execute(select(searches).where(searches.c.id == search_id))).first()
        return (row.user_id, row.query, SearchFilter(row.category, row.period)) if row else None

    async def prune(self, before: datetime) -> int:
        result = await self.conn.execute(delete(searches).where(searches.c.created_at < before))
        return result.rowcount
