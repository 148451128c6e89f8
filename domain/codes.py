"""Ticket secrets and deep-link payloads."""

from __future__ import annotations

import re
import secrets

# pretix's alphabet: no look-alikes (no i, l, o, 0, 1). 31 symbols * 32 chars = about 158 bits.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SECRET_LENGTH = 32
TICKET_PREFIX = "t_"
_TICKET_PAYLOAD = re.compile(rf"^{TICKET_PREFIX}([{ALPHABET}]{{{SECRET_LENGTH}}})$")
_PAYLOAD_ALLOWED = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def new_ticket_secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))


def ticket_payload(secret: str) -> str:
    payload = TICKET_PREFIX + secret
    assert _PAYLOAD_ALLOWED.match(payload), "deep-link payload must be 1-64 chars of A-Za-z0-9_-"
    return payload


def parse_ticket_payload(payload: str) -> str | None:
    """The secret from a scanned payload or typed code, or None when it cannot be a ticket of ours."""
    candidate = payload.strip()
    if candidate[:2].lower() == TICKET_PREFIX:
        candidate = candidate[2:]
    candidate = TICKET_PREFIX + candidate.lower()
    match = _TICKET_PAYLOAD.match(candidate)
    return match.group(1) if match else None


def looks_like_ticket_payload(payload: str) -> bool:
    return payload.startswith(TICKET_PREFIX)


SHORT_CODE = rf"(?i)^\s*[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}\s*$"


def parse_short_code(code: str) -> str | None:
    """The secret's first 8 characters from "A8ZA-ZJG3" as printed under the QR, or None."""
    match = re.fullmatch(rf"([{ALPHABET}]{{4}})-([{ALPHABET}]{{4}})", code.strip().lower())
    return match.group(1) + match.group(2) if match else None


def short_code(secret: str) -> str:
    """What a person reads aloud at the door: the first characters, grouped."""
    return f"{secret[:4]}-{secret[4:8]}".upper()


def deep_link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={payload}"
