"""The bot's command menu: setMyCommands, getMyCommands, deleteMyCommands, per scope and language."""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from .markup import bad_request

__all__ = ["CommandsMixin"]

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


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
