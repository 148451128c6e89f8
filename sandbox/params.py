"""Reading Bot API request parameters the way Telegram accepts them: query string, JSON body,
urlencoded or multipart form (with file uploads), values converted to the types the methods expect."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from .markup import bad_request
from .models import Upload

__all__ = ["read_params"]

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
    "results",
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
_FILE_FIELDS = {"photo", "document", "thumbnail", "certificate"}


async def read_params(request: web.Request) -> dict[str, Any]:
    """All parameters of a Bot API request; uploaded files become :class:`Upload` objects."""
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
    params: dict[str, Any] = {key: _convert(key, value, uploads) for key, value in raw.items()}
    for key, upload in uploads.items():
        if key in _FILE_FIELDS and key not in params:
            params[key] = upload
    return params


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
