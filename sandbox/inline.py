"""Inline mode: ``inline_query`` updates scripted users cause by typing ``@bot query`` in any chat, and
answerInlineQuery checked as Telegram checks it (result count, ids, required fields, the message text
and its HTML, buttons, next_offset, a query answered once and in time)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .markup import bad_request, parse_markup, parse_text

if TYPE_CHECKING:
    from .client import ScriptedUser
    from .updates import _Tracker

__all__ = ["InlineAnswer", "InlineMixin"]

INLINE_ANSWER_TIMEOUT = 10.0  # Telegram drops a query not answered within about 10 seconds
MAX_RESULTS = 50


@dataclass
class InlineAnswer:
    query_id: str
    results: list[dict[str, Any]]
    cache_time: int
    is_personal: bool
    next_offset: str

    def titles(self) -> list[str]:
        return [r.get("title", "") for r in self.results]


@dataclass
class _InlineQuery:
    query_id: str
    user_id: int
    query: str
    offset: str
    posted_at: float
    answer: InlineAnswer | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class InlineMixin:
    API_METHODS: ClassVar[dict[str, str]] = {"answerInlineQuery": "_answer_inline_query"}

    inline_mode: bool = True  # BotFather's /setinline; without it Telegram sends no inline queries

    def _setup_inline(self) -> None:
        self._inline_queries: dict[str, _InlineQuery] = {}
        self._inline_counter = itertools.count(1)

    def _post_inline_query(self, person: ScriptedUser, query: str, offset: str, chat_type: str) -> tuple[_Tracker, str]:
        if not self.inline_mode:
            raise AssertionError("inline mode is off for this bot (BotFather /setinline)")
        if len(query) > 256:
            raise AssertionError("Telegram cuts an inline query at 256 characters")
        query_id = f"{person.id}{next(self._inline_counter):07d}"
        payload = {
            "id": query_id,
            "from": self._user_json(person),
            "query": query,
            "offset": offset,
            "chat_type": chat_type,
        }
        self._inline_queries[query_id] = _InlineQuery(query_id, person.id, query, offset, time.monotonic())
        _pending, tracker = self._post_update("inline_query", payload, person.id, f"inline query {query!r}")
        return tracker, query_id

    def inline_answer(self, query_id: str) -> InlineAnswer | None:
        query = self._inline_queries.get(query_id)
        return query.answer if query else None

    async def _answer_inline_query(self, params: dict[str, Any]) -> bool:
        query = self._inline_queries.get(str(params.get("inline_query_id") or ""))
        if query is None or query.answer is not None or time.monotonic() - query.posted_at > INLINE_ANSWER_TIMEOUT:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        results = params.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            self._check_result(result, seen)
        next_offset = str(params.get("next_offset") or "")
        if len(next_offset.encode()) > 64:
            raise bad_request("NEXT_OFFSET_INVALID")
        cache_time = params.get("cache_time", 300)
        if not isinstance(cache_time, int) or cache_time < 0:
            raise bad_request("can't parse cache_time")
        query.answer = InlineAnswer(query.query_id, results, cache_time, bool(params.get("is_personal")), next_offset)
        return True

    @staticmethod
    def _check_result(result: Any, seen: set[str]) -> None:
        if not isinstance(result, dict) or "type" not in result:
            raise bad_request("can't parse inline query result JSON object")
        result_id = str(result.get("id") or "")
        if not 1 <= len(result_id.encode()) <= 64:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if result["type"] != "article":
            raise bad_request(f"unsupported inline query result type {result['type']!r} in the sandbox")
        if not result.get("title"):
            raise bad_request("RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if not isinstance(content, dict) or "message_text" not in content:
            raise bad_request("can't parse InputMessageContent")
        text, _entities = parse_text(content["message_text"], content.get("parse_mode"), caption=False)
        result["_text"] = text
        if "reply_markup" in result:
            parse_markup(result["reply_markup"], inline_only=True)
