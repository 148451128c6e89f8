"""Messages others send where the bot reads them: ``message`` updates from scripted users (private
chats and groups), anonymous group administrators and linked-channel automatic forwards, and
``channel_post`` updates."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .files import MAX_PHOTO_BYTES
from .models import SandboxMessage, Upload

if TYPE_CHECKING:
    from .client import ScriptedUser
    from .groups import SandboxChannel, SandboxGroup
    from .updates import _Pending, _Tracker

__all__ = ["GROUP_ANONYMOUS_BOT", "TELEGRAM_SERVICE", "IncomingMixin"]

GROUP_ANONYMOUS_BOT = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
"""The ``from`` of messages of anonymous group administrators (their ``sender_chat`` is the group)."""
TELEGRAM_SERVICE = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
"""The ``from`` of channel posts automatically forwarded to the channel's discussion group."""


def _command_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command entity Telegram adds to a message starting with "/"."""
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0] if text.strip() else text
    return [{"type": "bot_command", "offset": 0, "length": len(command)}]


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


class IncomingMixin:
    """``privacy_mode`` (getMe's ``can_read_all_group_messages`` is its negation): in a group where the bot
    is not an administrator it only receives commands (``/cmd`` or ``/cmd@<this bot>``); Telegram's
    other exceptions (replies to the bot, messages sent via the bot) don't occur in the sandbox."""

    bot_username: str
    privacy_mode: bool
    _known_chats: set[int]

    def _post_user_message(self, person: ScriptedUser, text: str) -> _Tracker:
        self._known_chats.add(person.id)
        payload = self._incoming_message(person.id, text, sender=self._user_json(person))
        pending, tracker = self._post_update(
            "message", payload, person.id, f"message {_short(text)!r} from {person.name}"
        )
        person._last_update = pending
        return tracker

    def _post_user_media(
        self, person: ScriptedUser, kind: str, data: bytes, caption: str, file_name: str, mime_type: str
    ) -> _Tracker:
        """A photo or a document a person sends in their private chat. As Telegram's apps do, a photo is
        sent compressed (a picture over 10 MB can only be sent as a file), so such a photo is refused here
        as a mistake of the test; a document may be up to 2 GB."""
        self._known_chats.add(person.id)
        if kind == "photo":
            if len(data) > MAX_PHOTO_BYTES:
                raise AssertionError("Telegram apps send a picture over 10 MB as a document: use send_document")
            stored = self._store_file(Upload(file_name, mime_type or "image/jpeg", data), "photo")
            extra: dict[str, Any] = {"photo": [self._photo_size(stored)]}
        else:
            stored = self._store_file(Upload(file_name, mime_type, data), "document")
            extra = {"document": self._document_json(stored)}
        if caption:
            extra["caption"] = caption
        payload = self._incoming_message(person.id, "", sender=self._user_json(person), extra=extra)
        stored_message = self._chat(person.id).messages[payload["message_id"]]
        if kind == "photo":
            stored_message.photo = data
        else:
            stored_message.document, stored_message.document_name = data, file_name
        described = f"{kind} {file_name!r} from {person.name}"
        pending, tracker = self._post_update("message", payload, person.id, described)
        person._last_update = pending
        return tracker

    def _post_user_forward(self, person: ScriptedUser, text: str, origin: ScriptedUser | str) -> _Tracker:
        """A message `person` forwards into their private chat with the bot. origin: the person who wrote
        it, or a plain name when that person hides their account in forwards (Telegram then sends a
        `hidden_user` origin with only the name)."""
        self._known_chats.add(person.id)
        date = int(time.time()) - 60
        if isinstance(origin, str):
            forward = {"type": "hidden_user", "sender_user_name": origin, "date": date}
        else:
            forward = {"type": "user", "sender_user": self._user_json(origin), "date": date}
        payload = self._incoming_message(
            person.id, text, sender=self._user_json(person), extra={"forward_origin": forward}
        )
        pending, tracker = self._post_update(
            "message", payload, person.id, f"forward {_short(text)!r} from {person.name}"
        )
        person._last_update = pending
        return tracker

    def _post_group_message(self, person: ScriptedUser, group: SandboxGroup, text: str) -> _Tracker | None:
        if person not in group.members:
            raise AssertionError(
                f"{person.name} is not a member of group {group.title!r}; add them: group.add({person.name.lower()})"
            )
        payload = self._incoming_message(group.id, text, sender=self._user_json(person))
        described = f"message {_short(text)!r} from {person.name} in {group.title!r}"
        pending = self._post_group_update(group, payload, described)
        if pending is None:
            return None
        person._last_update = pending[0]
        return pending[1]

    def _post_anonymous_admin(self, group: SandboxGroup, text: str, signature: str | None) -> _Tracker | None:
        payload = self._incoming_message(
            group.id,
            text,
            sender=dict(GROUP_ANONYMOUS_BOT),
            sender_chat=self._chat_json(group.id),
            extra={"author_signature": signature} if signature else None,
        )
        described = f"message {_short(text)!r} from an anonymous admin of {group.title!r}"
        pending = self._post_group_update(group, payload, described)
        return pending[1] if pending else None

    def _post_channel_post(self, channel: SandboxChannel, text: str, signature: str | None) -> list[_Tracker]:
        post = self._incoming_message(
            channel.id,
            text,
            sender=None,
            sender_chat=self._chat_json(channel.id),
            extra={"author_signature": signature} if signature else None,
        )
        trackers = []
        if channel.bot_is_member:
            described = f"channel post {_short(text)!r} in {channel.title!r}"
            trackers.append(self._post_update("channel_post", post, channel.id, described)[1])
        group = channel.linked_group
        if group is not None:
            origin: dict[str, Any] = {
                "type": "channel",
                "chat": self._chat_json(channel.id),
                "message_id": post["message_id"],
                "date": post["date"],
            }
            if signature:
                origin["author_signature"] = signature
            forward = self._incoming_message(
                group.id,
                text,
                sender=dict(TELEGRAM_SERVICE),
                sender_chat=self._chat_json(channel.id),
                extra={"forward_origin": origin, "is_automatic_forward": True},
            )
            described = f"automatic forward {_short(text)!r} from {channel.title!r} to {group.title!r}"
            pending = self._post_group_update(group, forward, described)
            if pending is not None:
                trackers.append(pending[1])
        return trackers

    def _post_group_update(
        self, group: SandboxGroup, payload: dict[str, Any], description: str
    ) -> tuple[_Pending, _Tracker] | None:
        if not (group.bot_is_admin or not self.privacy_mode or self._is_command_for_bot(payload.get("text", ""))):
            return None  # privacy mode: Telegram does not show this message to the bot
        return self._post_update("message", payload, group.id, description)

    def _is_command_for_bot(self, text: str) -> bool:
        if not text.startswith("/"):
            return False
        command = text.split(maxsplit=1)[0] if text.strip() else text
        _, _, addressee = command.partition("@")
        return not addressee or addressee.lower() == self.bot_username.lower()

    def _incoming_message(
        self,
        chat_id: int,
        text: str,
        *,
        sender: dict[str, Any] | None,
        sender_chat: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store a message someone else than the bot sent in ``chat_id``; return its Message JSON.
        ``extra`` fields (forward_origin, is_automatic_forward, author_signature) come before the text."""
        chat = self._chat(chat_id)
        message_id = chat.next_message_id
        chat.next_message_id += 1
        payload: dict[str, Any] = {"message_id": message_id}
        if sender is not None:
            payload["from"] = sender
        if sender_chat is not None:
            payload["sender_chat"] = sender_chat
        payload.update({"chat": self._chat_json(chat_id), "date": int(time.time())})
        payload.update(extra or {})
        if text or not extra or not ({"photo", "document", "successful_payment"} & extra.keys()):
            payload["text"] = text
        entities = _command_entities(text)
        if entities:
            payload["entities"] = entities
        chat.messages[message_id] = SandboxMessage(
            message_id=message_id,
            chat_id=chat_id,
            date=payload["date"],
            from_bot=False,
            text=payload.get("text"),
            caption=payload.get("caption"),
            raw=payload,
        )
        return payload
