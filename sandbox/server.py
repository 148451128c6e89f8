"""A local stand-in for the Telegram Bot API, served over real HTTP with aiohttp.

Point aiogram at it with::

    Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(sandbox.base_url)))

and drive it from tests with :class:`sandbox.ScriptedUser` objects (``sandbox.user("Alice")``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import io
import itertools
import json
import mimetypes
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .client import ScriptedUser
from .markup import ApiError, bad_request, parse_html, strip_text, utf16_len
from .models import Button, CallbackAnswer, SandboxMessage, StoredFile, Upload

__all__ = ["Observer", "Sandbox"]

Observer = Callable[[int, str, SandboxMessage | None, CallbackAnswer | None], Any]
"""``callback(chat_id, event, message, alert)``; event is "sent", "edited", "deleted" (message set,
alert None) or "alert" (message None, alert = the :class:`CallbackAnswer`). May be sync or async."""

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_ALERT = 200

_JSON_FIELDS = {
    "reply_markup",
    "link_preview_options",
    "commands",
    "scope",
    "reply_parameters",
    "allowed_updates",
    "entities",
    "caption_entities",
    "media",
    "menu_button",
    "suggested_post_parameters",
}
_INT_FIELDS = {
    "chat_id",
    "message_id",
    "offset",
    "limit",
    "timeout",
    "cache_time",
    "reply_to_message_id",
    "message_thread_id",
    "from_chat_id",
    "user_id",
    "max_connections",
}
_BOOL_FIELDS = {
    "show_alert",
    "disable_notification",
    "protect_content",
    "drop_pending_updates",
    "has_spoiler",
    "disable_web_page_preview",
    "allow_sending_without_reply",
    "disable_content_type_detection",
    "show_caption_above_media",
    "allow_paid_broadcast",
}
_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class _Failure:
    error_code: int
    description: str
    retry_after: int | None
    remaining: int


@dataclass
class _Pending:
    update_id: int
    kind: str  # "message" | "callback_query"
    payload: dict[str, Any]
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


@dataclass
class _Query:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str | None
    answer: CallbackAnswer | None = None


@dataclass
class _Chat:
    chat_id: int
    next_message_id: int = 1
    messages: dict[int, SandboxMessage] = field(default_factory=dict)
    log: list[tuple[int, int]] = field(default_factory=list)  # (event seq, message_id) sent/edited by bot
    reply_keyboard: list[list[str]] | None = None


class Sandbox:
    """Fake Bot API server. ``async with Sandbox() as sb:`` or ``await sb.start()`` / ``await sb.stop()``.

    ``wait_timeout`` bounds how long :meth:`ScriptedUser.send` & co. wait for the bot to process an update.
    """

    def __init__(
        self,
        token: str = "123456:SANDBOX",
        bot_username: str = "sandbox_ticket_bot",
        bot_name: str = "Ticket Bot",
        *,
        wait_timeout: float = 10.0,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.wait_timeout = wait_timeout
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 123456
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.webhook_url = ""
        self.allowed_updates: list[str] | None = None
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._closing = False
        self._users_by_name: dict[str, ScriptedUser] = {}
        self._users_by_id: dict[int, ScriptedUser] = {}
        self._user_ids = itertools.count(100001)
        self._known_chats: set[int] = set()
        self._chats: dict[int, _Chat] = {}
        self._pending: list[_Pending] = []
        self._trackers: dict[int, list[_Tracker]] = {}
        self._update_ids = itertools.count(1)
        self._seq = itertools.count(1)
        self._last_seq = 0
        self._wakeup = asyncio.Event()
        self._poll_generation = 0
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._queries: dict[str, _Query] = {}
        self._query_counter = itertools.count(1)
        self._observers: list[Observer] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._commands: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._last_activity = time.monotonic()
        self._background: set[asyncio.Task[Any]] = set()
        self._methods: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
            name.lower(): handler
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "logOut": self._true,
                "close": self._true,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendMessage": self._send_message,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                "getFile": self._get_file,
                "getChat": self._get_chat,
            }.items()
        }
        self._canonical = {
            name.lower(): name
            for name in (
                "getMe getUpdates deleteWebhook setWebhook getWebhookInfo logOut close setMyCommands "
                "getMyCommands deleteMyCommands sendMessage sendPhoto sendDocument editMessageText "
                "editMessageCaption editMessageReplyMarkup deleteMessage answerCallbackQuery sendChatAction "
                "getFile getChat"
            ).split()
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Sandbox:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_port = self._runner.addresses[0][1]
        self._base_url = f"http://{host}:{bound_port}"
        self._closing = False
        return self

    async def stop(self) -> None:
        self._closing = True
        self._wake()
        for tracker in [t for ts in self._trackers.values() for t in ts]:
            if not tracker.future.done():
                tracker.future.set_result("stopped")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("Sandbox is not started")
        return self._base_url

    # ------------------------------------------------------------------ public test API

    def user(
        self, name: str, lang: str = "en", user_id: int | None = None, username: str | None = None
    ) -> ScriptedUser:
        """Create the person called ``name`` (or return the existing one)."""
        existing = self._users_by_name.get(name)
        if existing is not None:
            return existing
        if user_id is None:
            user_id = next(self._user_ids)
            while user_id in self._users_by_id:
                user_id = next(self._user_ids)
        elif user_id in self._users_by_id:
            raise ValueError(f"user id {user_id} already belongs to {self._users_by_id[user_id].name!r}")
        person = ScriptedUser(self, user_id, name, lang, username)
        self._users_by_name[name] = person
        self._users_by_id[user_id] = person
        return person

    @property
    def users(self) -> list[ScriptedUser]:
        return list(self._users_by_id.values())

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with this Bot API error."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        queue = self._failures.setdefault(method.lower(), deque())
        queue.append(_Failure(error_code, description, retry_after, times))

    def subscribe(self, callback: Observer) -> Callable[[], None]:
        """Call ``callback(chat_id, event, message, alert)`` on every bot-side change; returns unsubscribe."""
        self._observers.append(callback)
        return lambda: self.unsubscribe(callback)

    def unsubscribe(self, callback: Observer) -> None:
        with contextlib.suppress(ValueError):
            self._observers.remove(callback)

    def commands(self, language_code: str | None = None, scope: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        """(command, description) pairs set for ``language_code`` (falling back to the default language)."""
        key = self._scope_key(scope)
        if language_code:
            stored = self._commands.get((key, language_code))
            if stored is not None:
                return list(stored)
        return list(self._commands.get((key, ""), []))

    def chat_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[SandboxMessage]:
        """Bot messages in a chat, oldest first."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.messages.values() if m.from_bot and (include_deleted or not m.deleted)]

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    @property
    def pending_update_ids(self) -> list[int]:
        return [p.update_id for p in sorted(self._pending, key=lambda p: p.update_id)]

    async def settle(self, quiet: float = 0.15, max_wait: float = 3.0, first_call_within: float = 1.0) -> None:
        """Best-effort wait for the bot to finish reacting (for the terminal chat, not for assertions).

        Waits up to ``first_call_within`` s for the bot to make an API call (other than getUpdates), then
        until it made none for ``quiet`` s; never longer than ``max_wait`` s in total.
        """
        start = time.monotonic()
        deadline = start + max_wait
        first_deadline = min(deadline, start + first_call_within)
        while self._last_activity < start and time.monotonic() < first_deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        while True:
            now = time.monotonic()
            idle = now - self._last_activity
            if idle >= quiet or now >= deadline:
                return
            await asyncio.sleep(min(quiet - idle, deadline - now) + 0.005)

    # ------------------------------------------------------------------ used by ScriptedUser

    def _user_json(self, person: ScriptedUser) -> dict[str, Any]:
        data: dict[str, Any] = {"id": person.id, "is_bot": False, "first_name": person.name}
        if person.username:
            data["username"] = person.username
        if person.lang:
            data["language_code"] = person.lang
        return data

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        person = self._users_by_id.get(chat_id)
        data: dict[str, Any] = {"id": chat_id, "type": "private"}
        if person is not None:
            data["first_name"] = person.name
            if person.username:
                data["username"] = person.username
        return data

    def _bot_json(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_name, "username": self.bot_username}

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(chat_id)
        return chat

    def _post_user_message(self, person: ScriptedUser, text: str) -> _Tracker:
        self._known_chats.add(person.id)
        chat = self._chat(person.id)
        message_id = chat.next_message_id
        chat.next_message_id += 1
        payload: dict[str, Any] = {
            "message_id": message_id,
            "from": self._user_json(person),
            "chat": self._chat_json(person.id),
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        chat.messages[message_id] = SandboxMessage(
            message_id=message_id,
            chat_id=person.id,
            date=payload["date"],
            from_bot=False,
            text=text,
            raw=payload,
        )
        short = text if len(text) <= 40 else text[:37] + "..."
        return self._post_update("message", payload, person, f"message {short!r} from {person.name}")

    def _post_callback(self, person: ScriptedUser, message: SandboxMessage, data: str) -> tuple[_Tracker, str]:
        self._known_chats.add(person.id)
        query_id = f"{person.id}{next(self._query_counter):06d}"
        chat_instance = str(int(hashlib.sha1(f"{self.bot_id}:{message.chat_id}".encode()).hexdigest()[:15], 16))
        payload = {
            "id": query_id,
            "from": self._user_json(person),
            "message": json.loads(json.dumps(message.raw)),
            "chat_instance": chat_instance,
            "data": data,
        }
        self._queries[query_id] = _Query(query_id, person.id, message.chat_id, message.message_id, data)
        person._query_ids.append(query_id)
        tracker = self._post_update("callback_query", payload, person, f"callback query {data!r} from {person.name}")
        return tracker, query_id

    def _post_update(self, kind: str, body: dict[str, Any], person: ScriptedUser, description: str) -> _Tracker:
        update_id = next(self._update_ids)
        pending = _Pending(update_id, kind, {"update_id": update_id, kind: body})
        person._last_update = pending
        return self._queue(pending, person.id, description)

    def _requeue(self, pending: _Pending, chat_id: int, description: str) -> _Tracker:
        self._pending = [p for p in self._pending if p.update_id != pending.update_id]
        again = _Pending(pending.update_id, pending.kind, pending.payload, sticky=True)
        return self._queue(again, chat_id, f"{description} (repeated)")

    def _queue(self, pending: _Pending, chat_id: int, description: str) -> _Tracker:
        self._pending.append(pending)
        tracker = _Tracker(
            pending.update_id,
            f"update {pending.update_id} ({description})",
            chat_id,
            self._last_seq,
            asyncio.get_running_loop().create_future(),
        )
        self._trackers.setdefault(pending.update_id, []).append(tracker)
        self._wake()
        return tracker

    async def _wait(self, tracker: _Tracker) -> list[SandboxMessage]:
        try:
            outcome = await asyncio.wait_for(asyncio.shield(tracker.future), self.wait_timeout)
        except TimeoutError:
            state = "delivered to the bot but never confirmed" if tracker.delivered else "never fetched"
            raise AssertionError(
                f"Sandbox: {tracker.description} was not processed within {self.wait_timeout:g} s "
                f"({state}). Is the bot polling {self._base_url} with handle_as_tasks=False, "
                f"and did its handler finish?"
            ) from None
        if outcome != "confirmed":
            raise AssertionError(f"Sandbox: {tracker.description} was {outcome}")
        return self._messages_since(tracker.chat_id, tracker.start_seq)

    def _messages_since(self, chat_id: int, seq: int) -> list[SandboxMessage]:
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        seen: dict[int, SandboxMessage] = {}
        for event_seq, message_id in chat.log:
            if event_seq > seq and message_id not in seen:
                seen[message_id] = chat.messages[message_id]
        return list(seen.values())

    # ------------------------------------------------------------------ update queue

    def _wake(self) -> None:
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    def _forget(self, pending: _Pending, outcome: str) -> None:
        for tracker in self._trackers.pop(pending.update_id, []):
            if not tracker.future.done():
                tracker.future.set_result(outcome)

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

    # ------------------------------------------------------------------ HTTP layer

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").to_json(), status=401)
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").to_json(), status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").to_json(), status=401)
        method = request.match_info["method"].lower()
        try:
            params = await self._read_params(request)
        except ApiError as error:
            return web.json_response(error.to_json(), status=error.error_code)
        self.calls.append((self._canonical.get(method, request.match_info["method"]), params))
        if method != "getupdates":
            self._last_activity = time.monotonic()
        handler = self._methods.get(method)
        if handler is None:
            return web.json_response(ApiError(404, "Not Found: method not found").to_json(), status=404)
        try:
            self._maybe_fail(method)
            if method == "getupdates":
                result = await self._get_updates(params, request)
            else:
                result = await handler(params)
        except ApiError as error:
            return web.json_response(error.to_json(), status=error.error_code)
        finally:
            if method != "getupdates":
                self._last_activity = time.monotonic()
        return web.json_response({"ok": True, "result": result})

    def _maybe_fail(self, method: str) -> None:
        queue = self._failures.get(method)
        if not queue:
            return
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.popleft()
        parameters = {"retry_after": failure.retry_after} if failure.retry_after is not None else None
        raise ApiError(failure.error_code, failure.description, parameters)

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise bad_request("can't parse JSON request body") from None
                if not isinstance(body, dict):
                    raise bad_request("request body must be a JSON object")
                raw.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        uploads[key] = Upload(
                            value.filename or key,
                            value.content_type or "application/octet-stream",
                            value.file.read(),
                        )
                    else:
                        raw[key] = value
        params: dict[str, Any] = {}
        for key, value in raw.items():
            params[key] = self._convert(key, value, uploads)
        for key, upload in uploads.items():
            if key in {"photo", "document", "thumbnail", "certificate"} and key not in params:
                params[key] = upload
        return params

    @staticmethod
    def _convert(key: str, value: Any, uploads: dict[str, Upload]) -> Any:
        if not isinstance(value, str):
            return value
        if value.startswith("attach://") and value[len("attach://") :] in uploads:
            return uploads[value[len("attach://") :]]
        if key in _JSON_FIELDS:
            try:
                return json.loads(value)
            except ValueError:
                if key == "reply_markup":
                    raise bad_request("can't parse reply keyboard markup JSON object") from None
                raise bad_request(f"can't parse {key} JSON object") from None
        if key in _INT_FIELDS and re.fullmatch(r"-?\d+", value):
            return int(value)
        if key in _BOOL_FIELDS:
            return value.lower() in {"true", "1"}
        return value

    # ------------------------------------------------------------------ helpers for methods

    def _require_chat(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                for person in self._users_by_id.values():
                    if person.username and person.username.lower() == chat_id[1:].lower():
                        chat_id = person.id
                        break
                else:
                    raise bad_request("chat not found")
            else:
                raise bad_request("chat not found")
        if not isinstance(chat_id, int) or chat_id not in self._known_chats:
            raise bad_request("chat not found")
        return chat_id

    @staticmethod
    def _parse_text(text: Any, parse_mode: Any, *, caption: bool) -> tuple[str, list[dict[str, Any]]]:
        text = "" if text is None else str(text)
        entities: list[dict[str, Any]] = []
        if isinstance(parse_mode, str) and parse_mode.lower() == "html":
            text, entities = parse_html(text)
        elif parse_mode not in (None, "", "Markdown", "MarkdownV2"):
            raise bad_request(f"unsupported parse_mode {parse_mode!r}")
        text, entities = strip_text(text, entities)
        if not caption:
            if not text:
                raise bad_request("message text is empty")
            if utf16_len(text) > MAX_TEXT:  # Telegram counts UTF-16 code units
                raise bad_request("message is too long")
        elif utf16_len(text) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return text, entities

    @staticmethod
    def _parse_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
        """Validate reply_markup; returns it normalised, or None when absent."""
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
            if sum(len(row) for row in rows) > 100:
                raise bad_request("REPLY_MARKUP_TOO_LONG")
            for row in rows:
                for button in row:
                    Sandbox._check_inline_button(button)
            return {"inline_keyboard": rows}
        if inline_only:
            raise bad_request("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
            for row in rows:
                for button in row:
                    text = (
                        button if isinstance(button, str) else button.get("text") if isinstance(button, dict) else None
                    )
                    if not isinstance(text, str) or not text:
                        raise bad_request("can't parse keyboard button: Text must be non-empty")
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise bad_request("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        if not isinstance(button, dict):
            raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        text = button.get("text")
        if not isinstance(text, str) or not text.strip():
            raise bad_request("can't parse inline keyboard button: Text must be non-empty")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not data or len(data.encode("utf-8")) > 64:
                raise bad_request("BUTTON_DATA_INVALID")
            return
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url):
                raise bad_request("BUTTON_URL_INVALID")
            return
        if not any(key in button for key in _INLINE_ACTIONS):
            raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")

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
            seq = next(self._seq)
            self._last_seq = seq
            chat.log.append((seq, message.message_id))
        self._notify(message.chat_id, event, message, None)

    def _render(self, message: SandboxMessage) -> None:
        raw: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self._bot_json(),
            "chat": self._chat_json(message.chat_id),
            "date": message.date,
        }
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

    def _store_file(self, upload: Upload, kind: str) -> StoredFile:
        number = next(self._file_counter)
        digest = hashlib.sha1(upload.data).hexdigest()
        width = height = 0
        mime = upload.content_type
        if kind == "photo":
            width, height, fmt = self._image_info(upload.data)
            ext = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}.get(fmt, "jpg")
            file_path = f"photos/file_{number}.{ext}"
            mime = mimetypes.types_map.get(f".{ext}", "image/jpeg")
        else:
            name = upload.filename or f"file_{number}"
            file_path = f"documents/file_{number}_{name}"
            guessed = mimetypes.guess_type(name)[0]
            if not mime or mime == "application/octet-stream":
                mime = guessed or "application/octet-stream"
        prefix = "AgACAgIAAxkDAA" if kind == "photo" else "BQACAgIAAxkDAA"
        stored = StoredFile(
            file_id=f"{prefix}{number:06d}{digest[:20]}",
            file_unique_id=f"AQAD{digest[:12]}",
            kind=kind,
            data=upload.data,
            file_path=file_path,
            file_name=upload.filename if kind == "document" else None,
            mime_type=mime,
            width=width,
            height=height,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[file_path] = stored
        return stored

    @staticmethod
    def _image_info(data: bytes) -> tuple[int, int, str]:
        try:
            from PIL import Image
        except ImportError:  # pragma: no cover - Pillow is a project dependency
            return 0, 0, ""
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                fmt = image.format or ""
        except Exception:
            raise bad_request("IMAGE_PROCESS_FAILED") from None
        if width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        return width, height, fmt

    @staticmethod
    def _photo_size(stored: StoredFile) -> dict[str, Any]:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": stored.width,
            "height": stored.height,
            "file_size": len(stored.data),
        }

    @staticmethod
    def _document_json(stored: StoredFile) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.file_name:
            data["file_name"] = stored.file_name
        if stored.mime_type:
            data["mime_type"] = stored.mime_type
        return data

    def _resolve_file(self, value: Any, kind: str) -> StoredFile:
        if isinstance(value, Upload):
            if kind == "photo" and len(value.data) > 10 * 1024 * 1024:
                raise bad_request("PHOTO_SAVE_FILE_INVALID")
            return self._store_file(value, kind)
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {kind} in the request")
        stored = self._files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}")
        return stored

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

    # ------------------------------------------------------------------ Bot API methods

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._bot_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

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
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
                "delete the webhook first",
            )
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
                raise ApiError(409, _DEFAULT_DESCRIPTIONS[409])
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
            for pending in self._pending:
                self._forget(pending, "dropped by deleteWebhook(drop_pending_updates=True)")
            self._pending = []
        return True

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            for pending in self._pending:
                self._forget(pending, "dropped by setWebhook(drop_pending_updates=True)")
            self._pending = []
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if not scope:
            return "default"
        if isinstance(scope, str):
            return scope
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object")
        extra = {k: v for k, v in scope.items() if k != "type"}
        return scope["type"] + (json.dumps(extra, sort_keys=True) if extra else "")

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        parsed: list[tuple[str, str]] = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand JSON object")
            command = str(item.get("command", "")).lower().lstrip("/")
            description = str(item.get("description", ""))
            if not _COMMAND_RE.match(command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            parsed.append((command, description))
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        if parsed:
            self._commands[key] = parsed
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        return [{"command": c, "description": d} for c, d in self._commands.get(key, [])]

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands.pop(key, None)
        return True

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        text, entities = self._parse_text(params.get("text"), params.get("parse_mode"), caption=False)
        markup = self._parse_markup(params.get("reply_markup"))
        message = self._new_bot_message(chat_id)
        message.text, message.entities = text, entities
        self._apply_markup(message, markup)
        self._commit(message, "sent", markup)
        return message.raw

    async def _send_media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        caption, entities = self._parse_text(params.get("caption"), params.get("parse_mode"), caption=True)
        markup = self._parse_markup(params.get("reply_markup"))
        stored = self._resolve_file(params.get(kind), kind)
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

    @staticmethod
    def _not_modified() -> ApiError:
        return bad_request(
            "message is not modified: specified new message content and reply markup are exactly the same "
            "as a current content and reply markup of the old message"
        )

    def _edit(self, message: SandboxMessage, markup: dict[str, Any] | None, **changes: Any) -> dict[str, Any]:
        new_buttons = (markup or {}).get("inline_keyboard") or []
        old_buttons = [[b.raw for b in row] for row in message.buttons]
        if all(getattr(message, k) == v for k, v in changes.items()) and new_buttons == old_buttons:
            raise self._not_modified()
        for key, value in changes.items():
            setattr(message, key, value)
        message.edited = True
        self._apply_markup(message, markup)
        self._commit(message, "edited")
        return message.raw

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message_for_edit(params)
        text, entities = self._parse_text(params.get("text"), params.get("parse_mode"), caption=False)
        markup = self._parse_markup(params.get("reply_markup"), inline_only=True)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        return self._edit(message, markup, text=text, entities=entities)

    async def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message_for_edit(params)
        caption, entities = self._parse_text(params.get("caption"), params.get("parse_mode"), caption=True)
        markup = self._parse_markup(params.get("reply_markup"), inline_only=True)
        if message.file_id is None:
            raise bad_request("there is no caption in the message to edit")
        return self._edit(message, markup, caption=caption or None, entities=entities if caption else [])

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message_for_edit(params)
        markup = self._parse_markup(params.get("reply_markup"), inline_only=True)
        return self._edit(message, markup)

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        message = self._message_for_edit(params, action="delete")
        message.deleted = True
        if message.from_bot:
            self._notify(message.chat_id, "deleted", message, None)
        return True

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query = self._queries.get(str(params.get("callback_query_id") or ""))
        if query is None or query.answer is not None:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
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

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._require_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        return {
            **self._chat_json(chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
