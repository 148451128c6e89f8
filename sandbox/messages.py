"""Messages the bot sends: sendMessage, sendPhoto, sendDocument, editMessageText/Caption/ReplyMarkup,
deleteMessage; the Message JSON returned for them; the group flood limit; observers of every bot-side
change."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import math
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from .markup import ApiError, bad_request, parse_markup, parse_text
from .models import Button, CallbackAnswer, SandboxMessage

if TYPE_CHECKING:
    from .chats import _Chat
    from .groups import SandboxChannel, SandboxGroup
    from .models import StoredFile

__all__ = ["MessagesMixin", "Observer"]

Observer = Callable[[int, str, SandboxMessage | None, CallbackAnswer | None], Any]
"""``callback(chat_id, event, message, alert)``; event is "sent", "edited", "deleted" (message set,
alert None) or "alert" (message None, alert = the :class:`CallbackAnswer`). May be sync or async."""

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the old message"
)


class MessagesMixin:
    """``group_messages_per_minute`` (None: no limit): the Bot FAQ says a bot can't send more than 20
    messages per minute to the same group; beyond that sendMessage/sendPhoto/sendDocument to that group
    answer 429 "Too Many Requests: retry after N" with ``parameters.retry_after``.

    ``messages_per_second`` (None: off, the default): the FAQ's limit for bulk notifications, about 30
    messages per second over all chats; beyond it sends answer 429 and ``flood_refusals`` counts them.
    A person who blocked the bot (``ScriptedUser.block_bot``) gets nothing: sends to them answer 403
    "Forbidden: bot was blocked by the user"."""

    API_METHODS: ClassVar[dict[str, str]] = {
        "sendMessage": "_send_message",
        "sendPhoto": "_send_photo",
        "sendDocument": "_send_document",
        "editMessageText": "_edit_message_text",
        "editMessageCaption": "_edit_message_caption",
        "editMessageReplyMarkup": "_edit_message_reply_markup",
        "deleteMessage": "_delete_message",
    }

    group_messages_per_minute: int | None
    messages_per_second: int | None = None
    _chats: dict[int, _Chat]
    _files: dict[str, StoredFile]
    _groups: dict[int, SandboxGroup]
    _channels: dict[int, SandboxChannel]

    def _setup_messages(self) -> None:
        self._observers: list[Observer] = []
        self._background: set[asyncio.Task[Any]] = set()
        self._group_sends: dict[int, deque[float]] = {}  # group chat id -> monotonic times of bot sends
        self._all_sends: deque[float] = deque()
        self.blocked_by: set[int] = set()  # people who blocked the bot
        self.flood_refusals = 0

    # ------------------------------------------------------------------ public

    def subscribe(self, callback: Observer) -> Callable[[], None]:
        """Call ``callback(chat_id, event, message, alert)`` on every bot-side change; returns unsubscribe."""
        self._observers.append(callback)
        return lambda: self.unsubscribe(callback)

    def unsubscribe(self, callback: Observer) -> None:
        with contextlib.suppress(ValueError):
            self._observers.remove(callback)

    def chat_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[SandboxMessage]:
        """Bot messages in a chat, oldest first."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.messages.values() if m.from_bot and (include_deleted or not m.deleted)]

    # ------------------------------------------------------------------ Bot API methods

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        text, entities = parse_text(params.get("text"), params.get("parse_mode"), caption=False)
        markup = parse_markup(params.get("reply_markup"))
        self._check_flood(chat_id)
        message = self._new_bot_message(chat_id)
        message.text, message.entities = text, entities
        self._apply_markup(message, markup)
        self._commit(message, "sent", markup)
        return message.raw

    async def _send_media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        caption, entities = parse_text(params.get("caption"), params.get("parse_mode"), caption=True)
        markup = parse_markup(params.get("reply_markup"))
        stored = self._resolve_file(params.get(kind), kind)
        self._check_flood(chat_id)
        message = self._new_bot_message(chat_id)
        message.caption = caption or None
        message.entities = entities if caption else []
        message.file_id = stored.file_id
        if kind == "photo":
            message.photo = stored.data
        else:
            message.document = stored.data
            message.document_name = stored.file_name
        self._apply_markup(message, markup)
        self._commit(message, "sent", markup)
        return message.raw

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "photo")

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "document")

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message_for_edit(params)
        text, entities = parse_text(params.get("text"), params.get("parse_mode"), caption=False)
        markup = parse_markup(params.get("reply_markup"), inline_only=True)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        return self._edit(message, markup, text=text, entities=entities)

    async def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message_for_edit(params)
        caption, entities = parse_text(params.get("caption"), params.get("parse_mode"), caption=True)
        markup = parse_markup(params.get("reply_markup"), inline_only=True)
        if message.file_id is None:
            raise bad_request("there is no caption in the message to edit")
        return self._edit(message, markup, caption=caption or None, entities=entities if caption else [])

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message_for_edit(params)
        markup = parse_markup(params.get("reply_markup"), inline_only=True)
        return self._edit(message, markup)

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        message = self._message_for_edit(params, action="delete")
        group = self._groups.get(message.chat_id)
        if group is not None and not group.bot_is_admin and not message.from_bot:
            raise bad_request("message can't be deleted")  # others' messages need an administrator
        message.deleted = True
        if message.from_bot:
            self._notify(message.chat_id, "deleted", message, None)
        return True

    # ------------------------------------------------------------------ helpers

    def _message_for_edit(self, params: dict[str, Any], action: str = "edit") -> SandboxMessage:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat_id = self._require_chat(params)
        message_id = params.get("message_id")
        message = self._chats[chat_id].messages.get(message_id) if isinstance(message_id, int) else None
        if message is None or message.deleted:
            raise bad_request(f"message to {action} not found")
        if action == "edit" and not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def _edit(self, message: SandboxMessage, markup: dict[str, Any] | None, **changes: Any) -> dict[str, Any]:
        new_buttons = (markup or {}).get("inline_keyboard") or []
        old_buttons = [[b.raw for b in row] for row in message.buttons]
        if all(getattr(message, k) == v for k, v in changes.items()) and new_buttons == old_buttons:
            raise bad_request(NOT_MODIFIED)
        for key, value in changes.items():
            setattr(message, key, value)
        message.edited = True
        self._apply_markup(message, markup)
        self._commit(message, "edited")
        return message.raw

    def _check_flood(self, chat_id: int) -> None:
        """Count one more message to ``chat_id``; 403 when that person blocked the bot; 429 when the bot
        already sent its share this second (all chats) or this minute (a group)."""
        if chat_id in self.blocked_by:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.messages_per_second is not None:
            now = time.monotonic()
            while self._all_sends and now - self._all_sends[0] >= 1:
                self._all_sends.popleft()
            if len(self._all_sends) >= self.messages_per_second:
                self.flood_refusals += 1
                raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            self._all_sends.append(now)
        limit = self.group_messages_per_minute
        if limit is None or chat_id not in self._groups:
            return
        now = time.monotonic()
        sent = self._group_sends.setdefault(chat_id, deque())
        while sent and now - sent[0] >= 60:
            sent.popleft()
        if len(sent) >= limit:
            retry_after = max(1, math.ceil(sent[0] + 60 - now))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
        sent.append(now)

    def _new_bot_message(self, chat_id: int) -> SandboxMessage:
        chat = self._chat(chat_id)
        message = SandboxMessage(message_id=chat.next_message_id, chat_id=chat_id, date=int(time.time()))
        chat.next_message_id += 1
        return message

    @staticmethod
    def _apply_markup(message: SandboxMessage, markup: dict[str, Any] | None) -> None:
        message.buttons = []
        if markup and "inline_keyboard" in markup:
            message.buttons = [
                [Button(b["text"], b.get("callback_data"), b.get("url"), raw=b) for b in row]
                for row in markup["inline_keyboard"]
            ]

    def _commit(self, message: SandboxMessage, event: str, markup: dict[str, Any] | None = None) -> None:
        chat = self._chat(message.chat_id)
        if event == "sent":
            chat.messages[message.message_id] = message
            if markup and "keyboard" in markup:
                labels = [[b if isinstance(b, str) else b["text"] for b in row] for row in markup["keyboard"]]
                message.reply_keyboard = labels
                chat.reply_keyboard = labels
            elif markup and markup.get("remove_keyboard"):
                chat.reply_keyboard = None
        self._render(message)
        if event in {"sent", "edited"}:
            self._record_bot_event(chat, message.message_id)
        self._notify(message.chat_id, event, message, None)

    def _render(self, message: SandboxMessage) -> None:
        raw: dict[str, Any] = {"message_id": message.message_id}
        chat = self._chat_json(message.chat_id)
        if message.chat_id in self._channels:
            raw["sender_chat"] = chat  # channel posts have no "from"
        else:
            raw["from"] = self._bot_json()
        raw.update({"chat": chat, "date": message.date})
        if message.edited:
            raw["edit_date"] = int(time.time())
        if message.text is not None:
            raw["text"] = message.text
            if message.entities:
                raw["entities"] = message.entities
        stored = self._files.get(message.file_id) if message.file_id else None
        if stored is not None and stored.kind == "photo":
            raw["photo"] = [self._photo_size(stored)]
        elif stored is not None:
            raw["document"] = self._document_json(stored)
        if message.invoice is not None:
            raw["invoice"] = message.invoice.to_json()
        if message.caption is not None and message.text is None:
            raw["caption"] = message.caption
            if message.entities:
                raw["caption_entities"] = message.entities
        if message.buttons:
            raw["reply_markup"] = {"inline_keyboard": [[dict(b.raw) for b in row] for row in message.buttons]}
        message.raw = raw

    def _notify(self, chat_id: int, event: str, message: SandboxMessage | None, alert: CallbackAnswer | None) -> None:
        for observer in list(self._observers):
            result = observer(chat_id, event, message, alert)
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._background.add(task)
                task.add_done_callback(self._background.discard)
