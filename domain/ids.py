"""Ids typed by people (telegram ids, event ids in admin commands) parsed strictly.

`str.isdigit` says yes to "²" and "１２" and `int` then fails or reads a full-width number; twenty digits
fit no BIGINT column. An id here is plain ASCII digits, 1 to 2**63 - 1, nothing around it.
"""

from __future__ import annotations

import re

MAX_ID = 2**63 - 1  # a signed 64-bit integer: what a BIGINT column (and Telegram's ids) can hold
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_telegram_id(text: str) -> int | None:
    """The id `text` spells in ASCII digits, or None: no signs, spaces, separators or other digits."""
    if not isinstance(text, str) or _DIGITS.fullmatch(text) is None:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


_USERNAME = re.compile(r"@?([A-Za-z][A-Za-z0-9_]{3,31})")


def parse_person(text: str) -> int | str | None:
    """A person as an admin types them: a Telegram id, or an @username (returned lower-case, without the
    @; Telegram usernames are 4 to 32 letters, digits and underscores, case-insensitive)."""
    if not isinstance(text, str):
        return None
    telegram_id = parse_telegram_id(text)
    if telegram_id is not None:
        return telegram_id
    match = _USERNAME.fullmatch(text)
    return match.group(1).lower() if match else None
