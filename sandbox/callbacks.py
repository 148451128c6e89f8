"""Inline button presses: the callback_query updates scripted users cause, and answerCallbackQuery."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .markup import bad_request
from .models import CallbackAnswer, SandboxMessage

if TYPE_CHECKING:
    from .client import ScriptedUser
    from .updates import _Tracker

__all__ = ["QUERY_TOO_OLD", "CallbacksMixin"]

MAX_ALERT = 200
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@dataclass
class _Query:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str | None
    posted_at: float  # time.monotonic() when the update was posted
    answer: CallbackAnswer | None = None


class CallbacksMixin:
    """``callback_answer_timeout`` (seconds from posting, None = never) makes answerCallbackQuery refuse
    late answers like Telegram does ("query is too old and response timeout expired ...")."""

    API_METHODS: ClassVar[dict[str, str]] = {"answerCallbackQuery": "_answer_callback_query"}

    bot_id: int
    callback_answer_timeout: float | None
    _known_chats: set[int]
    _users_by_id: dict[int, ScriptedUser]

    def _setup_callbacks(self) -> None:
        self._queries: dict[str, _Query] = {}
        self._query_counter = itertools.count(1)

    def _post_callback(self, person: ScriptedUser, message: SandboxMessage, data: str) -> tuple[_Tracker, str]:
        self._known_chats.add(message.chat_id)
        query_id = f"{person.id}{next(self._query_counter):06d}"
        chat_instance = str(int(hashlib.sha1(f"{self.bot_id}:{message.chat_id}".encode()).hexdigest()[:15], 16))
        payload = {
            "id": query_id,
            "from": self._user_json(person),
            "message": json.loads(json.dumps(message.raw)),
            "chat_instance": chat_instance,
            "data": data,
        }
        self._queries[query_id] = _Query(
            query_id, person.id, message.chat_id, message.message_id, data, time.monotonic()
        )
        person._query_ids.append(query_id)
        pending, tracker = self._post_update(
            "callback_query", payload, message.chat_id, f"callback query {data!r} from {person.name}"
        )
        person._last_update = pending
        return tracker, query_id

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query = self._queries.get(str(params.get("callback_query_id") or ""))
        if query is None or query.answer is not None:
            raise bad_request(QUERY_TOO_OLD)
        timeout = self.callback_answer_timeout
        if timeout is not None and time.monotonic() - query.posted_at > timeout:
            raise bad_request(QUERY_TOO_OLD)
        text = params.get("text")
        text = str(text) if text not in (None, "") else None
        if text is not None and len(text) > MAX_ALERT:
            raise bad_request("MESSAGE_TOO_LONG")
        answer = CallbackAnswer(
            query_id=query.query_id,
            user_id=query.user_id,
            chat_id=query.chat_id,
            text=text,
            show_alert=bool(params.get("show_alert")),
            url=params.get("url") or None,
        )
        query.answer = answer
        person = self._users_by_id.get(query.user_id)
        if person is not None:
            person.alerts.append(answer)
        if text is not None:
            self._notify(query.chat_id, "alert", None, answer)
        return True
