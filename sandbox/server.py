"""A local stand-in for the Telegram Bot API, served over real HTTP with aiohttp.

Point aiogram at it with::

    Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(sandbox.base_url)))

and drive it from tests with :class:`sandbox.ScriptedUser` objects (``sandbox.user("Alice")``).

:class:`Sandbox` is assembled from one mixin per Bot API area (updates, messages, callbacks, commands,
files, chats, payments); each lists the methods it serves in ``API_METHODS``.  This module holds the lifecycle,
the HTTP dispatch and the test helpers that don't belong to one area.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from aiohttp import web

from .callbacks import CallbacksMixin
from .chats import ChatsMixin
from .client import ScriptedUser
from .commands import CommandsMixin
from .files import FilesMixin
from .incoming import IncomingMixin
from .inline import InlineMixin
from .markup import ApiError
from .messages import MessagesMixin, Observer
from .params import read_params
from .payments import PaymentsMixin
from .updates import CONFLICT_OTHER_POLLER, UpdatesMixin

__all__ = ["Observer", "Sandbox"]

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: CONFLICT_OTHER_POLLER,
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class _Failure:
    error_code: int
    description: str
    retry_after: int | None
    remaining: int


class Sandbox(
    UpdatesMixin,
    IncomingMixin,
    MessagesMixin,
    CallbacksMixin,
    InlineMixin,
    CommandsMixin,
    FilesMixin,
    ChatsMixin,
    PaymentsMixin,
):
    """Fake Bot API server. ``async with Sandbox() as sb:`` or ``await sb.start()`` / ``await sb.stop()``.

    ``wait_timeout`` bounds how long :meth:`ScriptedUser.send` & co. wait for the bot to process an update.
    ``callback_answer_timeout``: seconds after a button press was posted beyond which answerCallbackQuery
    fails with "query is too old ..." (None: never; the Bot API documents no figure).
    ``privacy_mode``: the bot's group privacy setting (see :class:`SandboxGroup`).
    ``group_messages_per_minute``: the Bot FAQ's limit of messages to one group per minute (None: off).
    ``pre_checkout_timeout``: seconds the bot has to answer a pre_checkout_query (Telegram's 10); no answer
    by then and the payment fails (:meth:`ScriptedUser.pay` returns outcome "timeout").

    Groups and channels: :meth:`group`, :meth:`channel` (in :mod:`sandbox.chats`).
    """

    API_METHODS: ClassVar[dict[str, str]] = {"getMe": "_get_me", "logOut": "_true", "close": "_true"}

    def __init__(
        self,
        token: str = "123456:SANDBOX",
        bot_username: str = "sandbox_ticket_bot",
        bot_name: str = "Ticket Bot",
        *,
        wait_timeout: float = 10.0,
        callback_answer_timeout: float | None = None,
        privacy_mode: bool = True,
        group_messages_per_minute: int | None = 20,
        pre_checkout_timeout: float = 10.0,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.wait_timeout = wait_timeout
        self.callback_answer_timeout = callback_answer_timeout
        self.privacy_mode = privacy_mode
        self.group_messages_per_minute = group_messages_per_minute
        self.pre_checkout_timeout = pre_checkout_timeout
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 123456
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._closing = False
        self._users_by_name: dict[str, ScriptedUser] = {}
        self._users_by_id: dict[int, ScriptedUser] = {}
        self._user_ids = itertools.count(100001)
        self._failures: dict[str, deque[_Failure]] = {}
        self._last_activity = time.monotonic()
        self._setup_updates()
        self._setup_messages()
        self._setup_callbacks()
        self._setup_inline()
        self._setup_commands()
        self._setup_files()
        self._setup_chats()
        self._setup_payments()
        self._methods: dict[str, tuple[str, Callable[[dict[str, Any]], Awaitable[Any]]]] = {}
        for cls in reversed(type(self).__mro__):
            for name, attribute in vars(cls).get("API_METHODS", {}).items():
                self._methods[name.lower()] = (name, getattr(self, attribute))

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
        self._stop_trackers()
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

    # ------------------------------------------------------------------ HTTP layer

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").to_json(), status=401)
        method = request.match_info["method"].lower()
        try:
            params = await read_params(request)
        except ApiError as error:
            return web.json_response(error.to_json(), status=error.error_code)
        known = self._methods.get(method)
        self.calls.append((known[0] if known else request.match_info["method"], params))
        if method != "getupdates":
            self._last_activity = time.monotonic()
        if known is None:
            return web.json_response(ApiError(404, "Not Found: method not found").to_json(), status=404)
        try:
            self._maybe_fail(method)
            if method == "getupdates":
                result = await self._get_updates(params, request)
            else:
                result = await known[1](params)
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

    # ------------------------------------------------------------------ bot identity

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._bot_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
