"""``ScriptedUser``: a person chatting with the bot under test through the sandbox."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from .models import Button, CallbackAnswer, SandboxMessage

if TYPE_CHECKING:
    from .server import Sandbox, _Pending

__all__ = ["ScriptedUser"]

_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ScriptedUser:
    """A Telegram user in a private chat with the bot (chat id == user id).

    ``send``/``press``/``press_data``/``open``/``repeat_last_update`` post an update and, by default,
    wait until the bot has *processed* it: the update was fetched by getUpdates and a later getUpdates
    confirmed it (offset > update_id).  That only means "processed" when the bot polls with
    ``handle_as_tasks=False``.  They return the bot messages sent or edited in this chat meanwhile.
    Pass ``wait=False`` to just post the update (returns ``[]``).
    """

    def __init__(self, sandbox: Sandbox, user_id: int, name: str, lang: str, username: str | None) -> None:
        self._sandbox = sandbox
        self.id = user_id
        self.name = name
        self.lang = lang
        self.username = username
        self.alerts: list[CallbackAnswer] = []  # every answerCallbackQuery to this user's queries
        self._query_ids: list[str] = []
        self._last_update: _Pending | None = None

    def __repr__(self) -> str:
        return f"ScriptedUser(id={self.id}, name={self.name!r}, lang={self.lang!r})"

    @property
    def chat_id(self) -> int:
        return self.id

    # ------------------------------------------------------------------ actions

    async def send(self, text: str, *, wait: bool = True) -> list[SandboxMessage]:
        """Send a text message (a leading "/" makes it a bot command)."""
        tracker = self._sandbox._post_user_message(self, text)
        return await self._sandbox._wait(tracker) if wait else []

    async def press(
        self, label: str, *, message: SandboxMessage | None = None, wait: bool = True
    ) -> list[SandboxMessage]:
        """Press the inline button labelled ``label`` (exact match, else unique case-insensitive substring)
        in the newest bot message that has it, or in ``message``.  Falls back to the current reply
        keyboard, whose buttons are pressed by sending their text."""
        found = self._find_inline(label, message)
        if found is None:
            reply_label = self._find_reply_button(label) if message is None else None
            if reply_label is None:
                raise AssertionError(
                    f"{self.name}: no button matching {label!r}; visible buttons: {self._visible_buttons()}"
                )
            return await self.send(reply_label, wait=wait)
        target, button = found
        return await self.press_button(target, button, wait=wait)

    async def press_button(self, message: SandboxMessage, button: Button, *, wait: bool = True) -> list[SandboxMessage]:
        """Press a specific :class:`Button` of ``message``."""
        if message.deleted:
            raise AssertionError(f"{self.name}: message {message.message_id} was deleted; can't press its buttons")
        if button.url is not None:
            raise AssertionError(
                f"{self.name}: button {button.text!r} is a link to {button.url}; use `await user.open(url)`"
            )
        if button.callback_data is None:
            raise AssertionError(f"{self.name}: button {button.text!r} has no callback_data ({button.raw})")
        tracker, _ = self._sandbox._post_callback(self, message, button.callback_data)
        return await self._sandbox._wait(tracker) if wait else []

    async def press_data(
        self, data: str, message: SandboxMessage | None = None, *, wait: bool = True
    ) -> list[SandboxMessage]:
        """Send a callback query with arbitrary (possibly forged) ``data`` on ``message`` or the newest
        bot message with an inline keyboard (the newest bot message if none has one)."""
        target = message or self._newest_with_keyboard() or (self.messages[-1] if self.messages else None)
        if target is None:
            raise AssertionError(f"{self.name}: the bot has sent no message to attach a callback query to")
        tracker, _ = self._sandbox._post_callback(self, target, data)
        return await self._sandbox._wait(tracker) if wait else []

    async def open(self, link: str, *, wait: bool = True) -> list[SandboxMessage]:
        """Follow a deep link to this bot: ``https://t.me/<bot>?start=<payload>`` or
        ``tg://resolve?domain=<bot>&start=<payload>`` sends ``/start <payload>`` (plain ``/start`` without
        a payload)."""
        parts = urlsplit(link.strip())
        query = parse_qs(parts.query)
        if parts.scheme in {"http", "https"} and parts.netloc.lower() in {"t.me", "telegram.me", "www.t.me"}:
            username = parts.path.strip("/").split("/")[0]
        elif parts.scheme == "tg" and parts.netloc == "resolve":
            username = (query.get("domain") or [""])[0]
        else:
            raise AssertionError(f"{self.name}: {link!r} is not a Telegram deep link")
        if username.lower() != self._sandbox.bot_username.lower():
            raise AssertionError(
                f"{self.name}: {link!r} points to @{username}, not to this bot @{self._sandbox.bot_username}"
            )
        payload = (query.get("start") or [None])[0]
        if payload is None:
            return await self.send("/start", wait=wait)
        if not _PAYLOAD_RE.match(payload):
            raise AssertionError(
                f"{self.name}: start parameter {payload!r} is invalid (Telegram allows 1-64 characters of A-Za-z0-9_-)"
            )
        return await self.send(f"/start {payload}", wait=wait)

    async def repeat_last_update(self, *, wait: bool = True) -> list[SandboxMessage]:
        """Deliver this user's last update again (same update_id and content), as Telegram does when the
        bot crashed before confirming it; waits until it is confirmed again."""
        if self._last_update is None:
            raise AssertionError(f"{self.name}: has not sent any update yet")
        tracker = self._sandbox._requeue(self._last_update, self.id, f"last update of {self.name}")
        return await self._sandbox._wait(tracker) if wait else []

    # ------------------------------------------------------------------ inspection

    @property
    def messages(self) -> list[SandboxMessage]:
        """Bot messages in this chat that still exist, current state, oldest first."""
        return self._sandbox.chat_messages(self.id)

    @property
    def history(self) -> list[SandboxMessage]:
        """All bot messages in this chat including deleted ones (``deleted=True``)."""
        return self._sandbox.chat_messages(self.id, include_deleted=True)

    def last_message(self) -> SandboxMessage:
        messages = self.messages
        if not messages:
            raise AssertionError(f"{self.name}: the bot has sent no (undeleted) message in this chat")
        return messages[-1]

    def last_text(self) -> str:
        """Text or caption of the newest bot message (reflecting edits)."""
        return self.last_message().content

    def last_photo(self) -> bytes:
        for message in reversed(self.messages):
            if message.photo is not None:
                return message.photo
        raise AssertionError(f"{self.name}: the bot has sent no photo in this chat")

    def last_document(self) -> SandboxMessage:
        for message in reversed(self.messages):
            if message.document is not None:
                return message
        raise AssertionError(f"{self.name}: the bot has sent no document in this chat")

    def buttons(self, message: SandboxMessage | None = None) -> list[str]:
        """Labels of ``message`` or of the newest message with an inline keyboard, row-major."""
        target = message or self._newest_with_keyboard()
        return target.button_labels() if target else []

    def reply_keyboard(self) -> list[str]:
        """Labels of the reply keyboard currently shown (empty when none or removed)."""
        chat = self._sandbox._chats.get(self.id)
        return [label for row in (chat.reply_keyboard if chat else None) or [] for label in row]

    def last_alert(self) -> str | None:
        """Text of the latest answerCallbackQuery to this user's queries (None when none / no text)."""
        return self.alerts[-1].text if self.alerts else None

    def answered(self, query_id: str) -> bool:
        query = self._sandbox._queries.get(query_id)
        return query is not None and query.answer is not None

    def unanswered_queries(self) -> list[str]:
        """Ids of this user's callback queries that the bot never answered."""
        return [q for q in self._query_ids if not self.answered(q)]

    @property
    def query_ids(self) -> list[str]:
        return list(self._query_ids)

    # ------------------------------------------------------------------ internals

    def _newest_with_keyboard(self) -> SandboxMessage | None:
        for message in reversed(self.messages):
            if message.buttons:
                return message
        return None

    def _visible_buttons(self) -> str:
        parts = []
        for message in reversed(self.messages):
            if message.buttons:
                parts.append(f"message {message.message_id}: {message.button_labels()}")
        keyboard = self.reply_keyboard()
        if keyboard:
            parts.append(f"reply keyboard: {keyboard}")
        return "; ".join(parts) or "none"

    def _find_inline(self, label: str, message: SandboxMessage | None) -> tuple[SandboxMessage, Button] | None:
        candidates = [message] if message is not None else list(reversed(self.messages))
        for candidate in candidates:
            exact = [b for row in candidate.buttons for b in row if b.text == label]
            if exact:
                return candidate, exact[0]
        needle = label.casefold()
        for candidate in candidates:
            partial = [b for row in candidate.buttons for b in row if needle in b.text.casefold()]
            if len(partial) == 1:
                return candidate, partial[0]
            if len(partial) > 1:
                raise AssertionError(
                    f"{self.name}: {label!r} is ambiguous in message {candidate.message_id}: "
                    f"{[b.text for b in partial]}; visible buttons: {self._visible_buttons()}"
                )
        return None

    def _find_reply_button(self, label: str) -> str | None:
        labels = self.reply_keyboard()
        if label in labels:
            return label
        partial = [x for x in labels if label.casefold() in x.casefold()]
        if len(partial) > 1:
            raise AssertionError(f"{self.name}: {label!r} is ambiguous on the reply keyboard: {partial}")
        return partial[0] if partial else None
