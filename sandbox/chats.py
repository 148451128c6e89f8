"""Chats the bot knows: private chats with scripted users, supergroups and channels; their Chat/User
JSON; getChat and sendChatAction; resolving the ``chat_id`` parameter ("chat not found" for chats the
bot is not in)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .groups import SandboxChannel, SandboxGroup
from .markup import bad_request
from .models import SandboxMessage

if TYPE_CHECKING:
    from .client import ScriptedUser
    from .views import ChatView

__all__ = ["ChatsMixin"]

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


@dataclass
class _Chat:
    chat_id: int
    next_message_id: int = 1
    messages: dict[int, SandboxMessage] = field(default_factory=dict)
    log: list[tuple[int, int]] = field(default_factory=list)  # (event seq, message_id) sent/edited by bot
    reply_keyboard: list[list[str]] | None = None


class ChatsMixin:
    API_METHODS: ClassVar[dict[str, str]] = {
        "getChat": "_get_chat",
        "sendChatAction": "_send_chat_action",
    }

    bot_id: int
    bot_name: str
    bot_username: str
    _users_by_id: dict[int, ScriptedUser]

    def _setup_chats(self) -> None:
        self._known_chats: set[int] = set()  # chats the bot may send to
        self._chats: dict[int, _Chat] = {}
        self._groups: dict[int, SandboxGroup] = {}
        self._channels: dict[int, SandboxChannel] = {}
        self._supergroup_ids = itertools.count(1)

    # ------------------------------------------------------------------ public

    def group(
        self,
        title: str,
        members: Iterable[ScriptedUser] = (),
        *,
        username: str | None = None,
        linked_channel: SandboxChannel | None = None,
        bot_is_admin: bool = True,
        chat_id: int | None = None,
    ) -> SandboxGroup:
        """A supergroup called ``title`` with the bot in it and ``members`` (created on first use; later
        calls with the same title return it and add ``members``).  ``linked_channel`` makes it that
        channel's discussion group.  See :class:`SandboxGroup` for ``bot_is_admin``."""
        for existing in self._groups.values():
            if existing.title == title:
                return existing.add(*members)
        chat_id = self._new_supergroup_id(chat_id)
        group = SandboxGroup(
            self,
            chat_id,
            title,
            username=username,
            bot_is_admin=bot_is_admin,
            linked_channel=linked_channel,
        )
        if linked_channel is not None:
            if linked_channel.linked_group is not None:
                raise ValueError(f"{linked_channel!r} is already linked to {linked_channel.linked_group!r}")
            linked_channel.linked_group = group
        self._groups[chat_id] = group
        self._known_chats.add(chat_id)
        return group.add(*members)

    def channel(
        self, title: str, *, username: str | None = None, bot_is_member: bool = True, chat_id: int | None = None
    ) -> SandboxChannel:
        """A channel called ``title`` (created on first use).  ``bot_is_member``: the bot was added to it
        (as an administrator, the only way bots join channels)."""
        for existing in self._channels.values():
            if existing.title == title:
                return existing
        chat_id = self._new_supergroup_id(chat_id)
        channel = SandboxChannel(self, chat_id, title, username=username, bot_is_member=bot_is_member)
        self._channels[chat_id] = channel
        if bot_is_member:
            self._known_chats.add(chat_id)
        return channel

    @property
    def groups(self) -> list[SandboxGroup]:
        return list(self._groups.values())

    def _new_supergroup_id(self, chat_id: int | None) -> int:
        """Supergroups and channels have ids like -100xxxxxxxxxx (-1001000000001, -1001000000002, ...)."""
        if chat_id is None:
            chat_id = -(1_001_000_000_000 + next(self._supergroup_ids))
            while chat_id in self._groups or chat_id in self._channels:
                chat_id = -(1_001_000_000_000 + next(self._supergroup_ids))
        elif not str(chat_id).startswith("-100") or chat_id in self._groups or chat_id in self._channels:
            raise ValueError(f"chat id {chat_id} is taken or not a supergroup/channel id (-100...)")
        return chat_id

    def _chat_view(self, chat_id: int) -> ChatView | None:
        """The group or channel ``chat_id`` (a private chat's view is the user: None here)."""
        return self._groups.get(chat_id) or self._channels.get(chat_id)

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(chat_id)
        return chat

    # ------------------------------------------------------------------ JSON

    def _user_json(self, person: ScriptedUser) -> dict[str, Any]:
        data: dict[str, Any] = {"id": person.id, "is_bot": False, "first_name": person.name}
        if person.username:
            data["username"] = person.username
        if person.lang:
            data["language_code"] = person.lang
        return data

    def _bot_json(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_name, "username": self.bot_username}

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        public = self._groups.get(chat_id) or self._channels.get(chat_id)
        if public is not None:
            data = {"id": chat_id, "title": public.title, "type": public.type}
            if public.username:
                data["username"] = public.username
            return data
        person = self._users_by_id.get(chat_id)
        data: dict[str, Any] = {"id": chat_id, "type": "private"}
        if person is not None:
            data["first_name"] = person.name
            if person.username:
                data["username"] = person.username
        return data

    # ------------------------------------------------------------------ chat_id parameter

    def _require_chat(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str):
            if not chat_id.startswith("@"):
                raise bad_request("chat not found")
            chat_id = self._chat_by_username(chat_id[1:])
        if not isinstance(chat_id, int) or chat_id not in self._known_chats:
            raise bad_request("chat not found")
        return chat_id

    def _chat_by_username(self, username: str) -> int:
        holders: list[ScriptedUser | SandboxGroup | SandboxChannel] = [
            *self._users_by_id.values(),
            *self._groups.values(),
            *self._channels.values(),
        ]
        for holder in holders:
            if holder.username and holder.username.lower() == username.lower():
                return holder.id
        raise bad_request("chat not found")

    # ------------------------------------------------------------------ Bot API methods

    async def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        info: dict[str, Any] = self._chat_json(chat_id)
        group, channel = self._groups.get(chat_id), self._channels.get(chat_id)
        linked = (group.linked_channel if group else None) or (channel.linked_group if channel else None)
        if linked is not None:
            info["linked_chat_id"] = linked.id
        return {
            **info,
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

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._require_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True
