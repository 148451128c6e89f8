"""Reading what the bot shows in one chat: shared by :class:`ScriptedUser` (its private chat) and
:class:`SandboxGroup` / :class:`SandboxChannel`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Button, SandboxMessage

if TYPE_CHECKING:
    from .server import Sandbox

__all__ = ["ChatView"]


class ChatView:
    """Bot messages of the chat ``self.chat_id``, in their current state (edits and deletions applied)."""

    _sandbox: Sandbox

    @property
    def chat_id(self) -> int:
        raise NotImplementedError

    @property
    def _label(self) -> str:
        raise NotImplementedError

    @property
    def messages(self) -> list[SandboxMessage]:
        """Bot messages in this chat that still exist, current state, oldest first."""
        return self._sandbox.chat_messages(self.chat_id)

    @property
    def history(self) -> list[SandboxMessage]:
        """All bot messages in this chat including deleted ones (``deleted=True``)."""
        return self._sandbox.chat_messages(self.chat_id, include_deleted=True)

    def last_message(self) -> SandboxMessage:
        messages = self.messages
        if not messages:
            raise AssertionError(f"{self._label}: the bot has sent no (undeleted) message in this chat")
        return messages[-1]

    def last_text(self) -> str:
        """Text or caption of the newest bot message (reflecting edits)."""
        return self.last_message().content

    def last_photo(self) -> bytes:
        for message in reversed(self.messages):
            if message.photo is not None:
                return message.photo
        raise AssertionError(f"{self._label}: the bot has sent no photo in this chat")

    def last_document(self) -> SandboxMessage:
        for message in reversed(self.messages):
            if message.document is not None:
                return message
        raise AssertionError(f"{self._label}: the bot has sent no document in this chat")

    def buttons(self, message: SandboxMessage | None = None) -> list[str]:
        """Labels of ``message`` or of the newest message with an inline keyboard, row-major."""
        target = message or self._newest_with_keyboard()
        return target.button_labels() if target else []

    def reply_keyboard(self) -> list[str]:
        """Labels of the reply keyboard currently shown (empty when none or removed)."""
        chat = self._sandbox._chats.get(self.chat_id)
        return [label for row in (chat.reply_keyboard if chat else None) or [] for label in row]

    # ------------------------------------------------------------------ finding buttons

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

    def _find_inline(
        self, label: str, message: SandboxMessage | None, who: str
    ) -> tuple[SandboxMessage, Button] | None:
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
                    f"{who}: {label!r} is ambiguous in message {candidate.message_id}: "
                    f"{[b.text for b in partial]}; visible buttons: {self._visible_buttons()}"
                )
        return None

    def _find_reply_button(self, label: str, who: str) -> str | None:
        labels = self.reply_keyboard()
        if label in labels:
            return label
        partial = [x for x in labels if label.casefold() in x.casefold()]
        if len(partial) > 1:
            raise AssertionError(f"{who}: {label!r} is ambiguous on the reply keyboard: {partial}")
        return partial[0] if partial else None
