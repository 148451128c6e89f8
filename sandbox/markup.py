"""Telegram-style parsing of ``parse_mode="HTML"`` text and validation of text lengths and reply markup.

Mirrors what the Bot API accepts (it follows TDLib's HTML parser): only Telegram's tags, properly
nested; the character references ``&lt; &gt; &amp; &quot;`` and numeric ones are decoded.  A lone
``&`` stays literal (Telegram keeps it too).  One deliberate extra strictness: an unknown *named*
reference such as ``&nbsp;`` is rejected, because Telegram would show it verbatim to the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_CAPTION",
    "MAX_TEXT",
    "ApiError",
    "bad_request",
    "parse_html",
    "parse_markup",
    "parse_text",
    "strip_text",
    "utf16_len",
]

MAX_TEXT = 4096  # UTF-16 code units, like Telegram counts them
MAX_CAPTION = 1024


class ApiError(Exception):
    """An error answer of the Bot API: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, error_code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_ALLOWED_TAGS = {*_SIMPLE_TAGS, "a", "span", "blockquote", "tg-emoji"}
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_REF_RE = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[a-zA-Z][a-zA-Z0-9]{0,31});")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z0-9_-]+")
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


@dataclass
class _Open:
    tag: str
    entity: dict[str, Any] | None
    start: int  # UTF-16 offset in the plain text


def _entities_error(message: str) -> ApiError:
    return bad_request(f"can't parse entities: {message}")


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


def _decode_ref(src: str, index: int) -> tuple[str, int] | None:
    """Decode the character reference at ``src[index] == "&"``; None keeps the ampersand literal."""
    match = _REF_RE.match(src, index)
    if not match:
        return None
    name = match.group(1)
    if name[0] == "#":
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code), match.end()
    if name in _NAMED_REFS:
        return _NAMED_REFS[name], match.end()
    raise _entities_error(f'Unsupported HTML entity "&{name};" at byte offset {_byte_offset(src, index)}')


def _unescape_attr(src: str, value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&":
            decoded = _decode_ref(value, i)
            if decoded:
                out.append(decoded[0])
                i = decoded[1]
                continue
        out.append(value[i])
        i += 1
    return "".join(out)


def _parse_attributes(src: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse attributes from ``src[i]`` up to and including ``>``; returns (attrs, index after '>')."""
    attrs: dict[str, str] = {}
    n = len(src)
    while True:
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise _entities_error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        if src[i] == ">":
            return attrs, i + 1
        match = _ATTR_NAME_RE.match(src, i)
        if not match:
            raise _entities_error(f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(src, begin)}')
        name = match.group(0).lower()
        i = match.end()
        while i < n and src[i].isspace():
            i += 1
        if i < n and src[i] != "=":
            attrs[name] = ""
            continue
        if i >= n:
            raise _entities_error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        i += 1  # '='
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise _entities_error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        if src[i] in "\"'":
            quote = src[i]
            end = src.find(quote, i + 1)
            if end == -1:
                raise _entities_error(
                    f'Unclosed end of attribute value in the tag "{tag}" at byte offset {_byte_offset(src, begin)}'
                )
            raw_value = src[i + 1 : end]
            i = end + 1
        else:
            start = i
            while i < n and not src[i].isspace() and src[i] != ">":
                i += 1
            raw_value = src[start:i]
        attrs[name] = _unescape_attr(src, raw_value)


def _make_entity(tag: str, attrs: dict[str, str], src: str, begin: int) -> dict[str, Any] | None:
    if tag in _SIMPLE_TAGS:
        entity: dict[str, Any] = {"type": _SIMPLE_TAGS[tag]}
        if tag == "code" and attrs.get("class", "").startswith("language-"):
            entity["language"] = attrs["class"][len("language-") :]
        return entity
    if tag == "span":
        if attrs.get("class") != "tg-spoiler":
            raise _entities_error(f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(src, begin)}')
        return {"type": "spoiler"}
    if tag == "a":
        href = attrs.get("href")
        return {"type": "text_link", "url": href} if href else None
    if tag == "blockquote":
        return {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
    if tag == "tg-emoji":
        emoji_id = attrs.get("emoji-id", "")
        if not emoji_id.isdigit():
            raise _entities_error(
                f"Invalid custom emoji identifier specified at byte offset {_byte_offset(src, begin)}"
            )
        return {"type": "custom_emoji", "custom_emoji_id": emoji_id}
    return None  # pragma: no cover - guarded by _ALLOWED_TAGS


def parse_html(src: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities with UTF-16 offsets) or raise ApiError like the Bot API does."""
    out: list[str] = []
    pos16 = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(src)
    while i < n:
        ch = src[i]
        if ch == "&":
            decoded = _decode_ref(src, i)
            if decoded:
                out.append(decoded[0])
                pos16 += utf16_len(decoded[0])
                i = decoded[1]
                continue
        if ch != "<":
            out.append(ch)
            pos16 += utf16_len(ch)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and src[i] == "/":
            end = src.find(">", i)
            if end == -1:
                raise _entities_error(f"Unclosed end tag at byte offset {_byte_offset(src, begin)}")
            tag = src[i + 1 : end].strip().lower()
            if not stack:
                raise _entities_error(f"Unexpected end tag at byte offset {_byte_offset(src, begin)}")
            opened = stack.pop()
            if tag != opened.tag:
                raise _entities_error(
                    f"Unmatched end tag at byte offset {_byte_offset(src, begin)}, "
                    f'expected "</{opened.tag}>", found "</{tag}>"'
                )
            if opened.entity is not None and pos16 > opened.start:
                entities.append({**opened.entity, "offset": opened.start, "length": pos16 - opened.start})
            i = end + 1
            continue
        start = i
        while i < n and not src[i].isspace() and src[i] != ">":
            i += 1
        if i >= n:
            raise _entities_error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        tag = src[start:i].lower()
        if tag not in _ALLOWED_TAGS:
            raise _entities_error(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(src, begin)}')
        attrs, i = _parse_attributes(src, i, tag, begin)
        stack.append(_Open(tag, _make_entity(tag, attrs, src, begin), pos16))
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace like Telegram does, shifting/clipping entities accordingly."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def parse_text(text: Any, parse_mode: Any, *, caption: bool) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of a ``text``/``caption`` parameter, validated like the Bot API does."""
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
        if utf16_len(text) > MAX_TEXT:
            raise bad_request("message is too long")
    elif utf16_len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return text, entities


def parse_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
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
                _check_inline_button(button)
        return {"inline_keyboard": rows}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else button.get("text") if isinstance(button, dict) else None
                if not isinstance(text, str) or not text:
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


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
