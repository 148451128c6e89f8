"""The bot's command menu: setMyCommands, getMyCommands, deleteMyCommands, per scope and language."""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from .markup import bad_request

__all__ = ["CommandsMixin"]

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SCOPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}


class CommandsMixin:
    API_METHODS: ClassVar[dict[str, str]] = {
        "setMyCommands": "_set_my_commands",
        "getMyCommands": "_get_my_commands",
        "deleteMyCommands": "_delete_my_commands",
    }

    def _setup_commands(self) -> None:
        self._commands: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def commands(self, language_code: str | None = None, scope: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        """(command, description) pairs set for ``language_code`` (falling back to the default language)."""
        key = self._scope_key(scope)
        if language_code:
            stored = self._commands.get((key, language_code))
            if stored is not None:
                return list(stored)
        return list(self._commands.get((key, ""), []))

    def menu_of(self, chat_id: int, language_code: str | None = None) -> list[tuple[str, str]]:
        """The menu a person sees in their private chat: Telegram takes the first scope with commands, in
        the documented order (chat, all private chats, default), each first in the person's language."""
        chat_key = "chat" + json.dumps({"chat_id": chat_id}, sort_keys=True)
        for key in (chat_key, "all_private_chats", "default"):
            for code in (language_code or "", ""):
                if (key, code) in self._commands:
                    return list(self._commands[(key, code)])
        return []

    def _scope_key(self, scope: Any) -> str:
        """As Telegram checks a scope: a known type, its required fields, and a chat the bot knows."""
        if not scope:
            return "default"
        if isinstance(scope, str):
            try:
                scope = json.loads(scope)
            except ValueError:
                raise bad_request("can't parse BotCommandScope JSON object") from None
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        if kind not in _SCOPES:
            raise bad_request("unsupported bot command scope type")
        for name in _SCOPES[kind]:
            if name not in scope:
                raise bad_request(f'can\'t parse BotCommandScope JSON object: field "{name}" is missing')
        if "chat_id" in scope:
            scope = {**scope, "chat_id": self._require_chat({"chat_id": scope["chat_id"]})}
        if kind == "default":
            return "default"
        extra = {k: v for k, v in scope.items() if k != "type"}
        return kind + (json.dumps(extra, sort_keys=True) if extra else "")

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        return self._scope_key(params.get("scope")), str(params.get("language_code") or "")

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
        key = self._commands_key(params)
        if parsed:
            self._commands[key] = parsed
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return [{"command": c, "description": d} for c, d in self._commands.get(self._commands_key(params), [])]

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True
