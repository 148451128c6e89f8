"""The update queue: getUpdates long polling, offsets, webhooks, and the trackers that let a scripted
user wait until the bot has processed an update (fetched it, then confirmed it with a higher offset)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from aiohttp import web

from .markup import ApiError
from .models import SandboxMessage

if TYPE_CHECKING:
    from .chats import _Chat

__all__ = ["CONFLICT_OTHER_POLLER", "UpdatesMixin"]

CONFLICT_OTHER_POLLER = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)


@dataclass
class _Pending:
    update_id: int
    kind: str  # "message" | "callback_query" | "channel_post"
    payload: dict[str, Any]
    chat_id: int  # the chat whose bot messages a waiting sender is shown
    sticky: bool = False  # a re-queued update survives offsets until delivered again
    delivered: bool = False


@dataclass
class _Tracker:
    """Waits for one posting of an update to be delivered and then confirmed."""

    update_id: int
    description: str
    chat_id: int
    start_seq: int
    future: asyncio.Future[str]
    delivered: bool = False


class UpdatesMixin:
    """getUpdates, setWebhook, deleteWebhook, getWebhookInfo and the pending-update queue.

    Like Telegram: an update stays pending until a getUpdates call with ``offset > update_id`` confirms
    it, so a bot that died after fetching updates gets them again from its next getUpdates, on any
    connection.  A getUpdates arriving while another one is still long polling ends the older one with
    409 ``Conflict: terminated by other getUpdates request; ...``.
    """

    API_METHODS: ClassVar[dict[str, str]] = {
        "getUpdates": "_get_updates",
        "deleteWebhook": "_delete_webhook",
        "setWebhook": "_set_webhook",
        "getWebhookInfo": "_get_webhook_info",
    }

    wait_timeout: float
    webhook_url: str
    allowed_updates: list[str] | None
    _base_url: str | None
    _closing: bool
    _chats: dict[int, _Chat]

    def _setup_updates(self) -> None:
        self.webhook_url = ""
        self.allowed_updates = None
        self._pending: list[_Pending] = []
        self._trackers: dict[int, list[_Tracker]] = {}
        self._update_ids = itertools.count(1)
        self._seq = itertools.count(1)
        self._last_seq = 0
        self._wakeup = asyncio.Event()
        self._poll_generation = 0

    @property
    def pending_update_ids(self) -> list[int]:
        """Ids of the updates not yet confirmed by the bot (delivered or not), ascending."""
        return [p.update_id for p in sorted(self._pending, key=lambda p: p.update_id)]

    # ------------------------------------------------------------------ posting and waiting

    def _post_update(
        self, kind: str, body: dict[str, Any], chat_id: int, description: str
    ) -> tuple[_Pending, _Tracker]:
        update_id = next(self._update_ids)
        pending = _Pending(update_id, kind, {"update_id": update_id, kind: body}, chat_id)
        return pending, self._queue(pending, description)

    def _requeue(self, pending: _Pending, description: str) -> _Tracker:
        self._pending = [p for p in self._pending if p.update_id != pending.update_id]
        again = _Pending(pending.update_id, pending.kind, pending.payload, pending.chat_id, sticky=True)
        return self._queue(again, f"{description} (repeated)")

    def _queue(self, pending: _Pending, description: str) -> _Tracker:
        self._pending.append(pending)
        tracker = _Tracker(
            pending.update_id,
            f"update {pending.update_id} ({description})",
            pending.chat_id,
            self._last_seq,
            asyncio.get_running_loop().create_future(),
        )
        self._trackers.setdefault(pending.update_id, []).append(tracker)
        self._wake()
        return tracker

    async def _wait(self, *trackers: _Tracker, tolerate: tuple[str, ...] = ()) -> list[SandboxMessage]:
        """Wait until every tracker's update was confirmed; return the bot messages sent or edited in
        their chats meanwhile.  An outcome starting with one of ``tolerate`` is not an error."""
        for tracker in trackers:
            try:
                outcome = await asyncio.wait_for(asyncio.shield(tracker.future), self.wait_timeout)
            except TimeoutError:
                state = "delivered to the bot but never confirmed" if tracker.delivered else "never fetched"
                raise AssertionError(
                    f"Sandbox: {tracker.description} was not processed within {self.wait_timeout:g} s "
                    f"({state}). Is the bot polling {self._base_url} with handle_as_tasks=False, "
                    f"and did its handler finish?"
                ) from None
            if outcome != "confirmed" and not any(outcome.startswith(prefix) for prefix in tolerate):
                raise AssertionError(f"Sandbox: {tracker.description} was {outcome}")
        if not trackers:
            return []
        seq = min(t.start_seq for t in trackers)
        chat_ids = list(dict.fromkeys(t.chat_id for t in trackers))
        return [m for chat_id in chat_ids for m in self._messages_since(chat_id, seq)]

    def _messages_since(self, chat_id: int, seq: int) -> list[SandboxMessage]:
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        seen: dict[int, SandboxMessage] = {}
        for event_seq, message_id in chat.log:
            if event_seq > seq and message_id not in seen:
                seen[message_id] = chat.messages[message_id]
        return list(seen.values())

    def _record_bot_event(self, chat: _Chat, message_id: int) -> None:
        """Log a bot message sent or edited in ``chat`` for :meth:`_messages_since`."""
        seq = next(self._seq)
        self._last_seq = seq
        chat.log.append((seq, message_id))

    # ------------------------------------------------------------------ queue internals

    def _wake(self) -> None:
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    def _forget(self, pending: _Pending, outcome: str) -> None:
        for tracker in self._trackers.pop(pending.update_id, []):
            if not tracker.future.done():
                tracker.future.set_result(outcome)

    def _stop_trackers(self) -> None:
        for tracker in [t for ts in self._trackers.values() for t in ts]:
            if not tracker.future.done():
                tracker.future.set_result("stopped")

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            keep = sorted(self._pending, key=lambda p: p.update_id)[offset:]
            cut = keep[0].update_id if keep else None
            offset = cut if cut is not None else max((p.update_id for p in self._pending), default=0) + 1
        remaining = []
        for pending in self._pending:
            if pending.update_id < offset and (pending.delivered or not pending.sticky):
                self._forget(pending, "confirmed" if pending.delivered else "dropped without being delivered")
            else:
                remaining.append(pending)
        self._pending = remaining

    def _allowed(self, pending: _Pending) -> bool:
        return not self.allowed_updates or pending.kind in self.allowed_updates

    def _drop_all_pending(self, reason: str) -> None:
        for pending in self._pending:
            self._forget(pending, reason)
        self._pending = []

    # ------------------------------------------------------------------ Bot API methods

    async def _get_updates(self, params: dict[str, Any], request: web.Request | None = None) -> list[Any]:
        offset = params.get("offset")
        limit = params.get("limit")
        timeout = params.get("timeout")
        limit = limit if isinstance(limit, int) and 1 <= limit <= 100 else 100
        timeout = timeout if isinstance(timeout, int) and timeout > 0 else 0
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self.allowed_updates = list(allowed) if isinstance(allowed, list) else None
        if self.webhook_url:
            raise ApiError(409, CONFLICT_WEBHOOK)
        if isinstance(offset, int):
            self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # a newer getUpdates terminates an older one, like Telegram
        deadline = time.monotonic() + timeout
        while True:
            for pending in [p for p in self._pending if not self._allowed(p)]:
                self._pending.remove(pending)
                self._forget(
                    pending,
                    f"dropped: the bot does not receive {pending.kind!r} updates "
                    f"(allowed_updates={self.allowed_updates})",
                )
            ready = sorted(self._pending, key=lambda p: p.update_id)[:limit]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._closing:
                break
            wakeup = self._wakeup
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), remaining)
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_OTHER_POLLER)
        if request is not None and (request.transport is None or request.transport.is_closing()):
            return []  # the client went away; don't mark anything delivered
        for pending in ready:
            pending.delivered = True
            for tracker in self._trackers.get(pending.update_id, []):
                tracker.delivered = True
        return [json.loads(json.dumps(p.payload)) for p in ready]

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._drop_all_pending("dropped by deleteWebhook(drop_pending_updates=True)")
        return True

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._drop_all_pending("dropped by setWebhook(drop_pending_updates=True)")
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
