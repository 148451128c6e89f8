"""Text from Telegram is cleaned once, where it enters: in the JSON loader of the bot's HTTP session.

Every string of every Bot API answer (getUpdates results included) and of every webhook body goes through
:func:`clean_text`, so no handler, service or repository ever sees:

- NUL and the other C0/C1 control characters (PostgreSQL refuses NUL in text; the rest are invisible
  noise). Tab and line feed stay; a carriage return becomes a line feed (``\\r\\n`` one line feed), so
  lines stay lines whatever client typed them.
- lone UTF-16 surrogates: JSON can carry ``"\\ud83d"``, which parses into a Python str that cannot be
  encoded as UTF-8 (no database, log file or reply could take it); each becomes U+FFFD.
- the bidi embedding, override and isolate controls (U+202A..U+202E, U+2066..U+2069), which make a name
  read backwards ("Anna‮gnp.exe") on the door steward's screen.

Everything else stays as typed: zero-width joiners (emoji sequences need them), marks, combining accents,
non-characters such as U+FFFF. Message entities (offsets in UTF-16 units) are moved to match the
cleaned text, so bold, links and commands still cover the same characters.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from typing import Any

_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_REMOVED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
_DIRTY = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_CONTROLS}\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean_text(text: str) -> str:
    """The text without control characters, bidi overrides and lone surrogates (see the module doc)."""
    if _DIRTY.search(text) is None:
        return text
    text = _SURROGATE.sub(REPLACEMENT, text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _REMOVED.sub("", text)


def _units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def _offset_map(original: str) -> tuple[list[int], list[int]]:
    """UTF-16 offsets of every character boundary of `original`, and where each lands in the cleaned text."""
    old_at, new_at = [], []
    old = new = 0
    for i, char in enumerate(original):
        old_at.append(old)
        new_at.append(new)
        old += _units(char)
        if char == "\r":
            new += 0 if original[i + 1 : i + 2] == "\n" else 1
        elif _SURROGATE.match(char) is None and _REMOVED.match(char) is not None:
            pass
        else:
            new += _units(char)
    old_at.append(old)
    new_at.append(new)
    return old_at, new_at


def _move_entities(original: str, entities: list[Any]) -> list[Any]:
    """Entities of `original` re-aimed at its cleaned text; one that covered only removed characters goes."""
    old_at, new_at = _offset_map(original)

    def moved(offset: int) -> int:
        return new_at[max(bisect_right(old_at, offset) - 1, 0)]

    result = []
    for entity in entities:
        offset, length = (entity.get("offset"), entity.get("length")) if isinstance(entity, dict) else (None, None)
        if type(offset) is not int or type(length) is not int:
            result.append(entity)  # not an entity we understand: validation will say so
            continue
        start, end = moved(offset), moved(offset + length)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return result


def _text_of(entities_key: str) -> str:
    """Which field an entity list belongs to: entities -> text, caption_entities -> caption, ..."""
    return "text" if entities_key == "entities" else entities_key.removesuffix("_entities")


def clean(value: Any) -> Any:
    """Every string in a parsed JSON value cleaned (object keys are Telegram's field names and stay)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean(item) for item in value]
    if isinstance(value, dict):
        result = {key: clean(item) for key, item in value.items()}
        for key, item in value.items():
            if not (key == "entities" or key.endswith("_entities")) or not isinstance(item, list):
                continue
            source = value.get(_text_of(key))
            if isinstance(source, str) and result[_text_of(key)] != source:
                result[key] = _move_entities(source, result[key])
        return result
    return value


def loads(data: str | bytes, **kwargs: Any) -> Any:
    """json.loads, then :func:`clean`: the `json_loads` of the bot's session (responses and webhooks)."""
    return clean(json.loads(data, **kwargs))
