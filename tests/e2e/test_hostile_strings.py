"""Hostile text in every free-text field and every command argument: a clear answer each time, never the
apology, never an ERROR log line, and the database keeps cleaned names (no NUL, no bidi override).

Runs the real bot against the sandbox on SQLite and on PostgreSQL (PostgreSQL refuses NUL in text, and
VARCHAR limits and BIGINT ranges are enforced there only).
"""

from __future__ import annotations

import json
import logging
import time

from aiogram.methods import GetUpdates

from bot.textclean import clean_text
from sandbox import ScriptedUser
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import ADMIN_ID, make_event, start_bot, stop_bot

# Every hostile string, in one place. Telegram's JSON can carry all of them (a lone surrogate as "\ud83d").
HOSTILE: dict[str, str] = {
    "nul_inside": "Ан\x00на",
    "only_nul": "\x00",
    "controls": "tab\tcr\rbell\x07esc\x1b[31mnel\x85csi\x9b",
    "rtl_override": "Anna\u202egnp.exe",
    "isolates": "\u2066Bob\u2069\u202a\u202d",
    "zwj_sequences": "👨\u200d👩\u200d👧\u200d👦 👩🏽\u200d💻 🏳️\u200d🌈",
    "5000_chars": ("длинный текст " * 400)[:5000],
    "lone_surrogate": "a\ud83d b",
    "only_lone_surrogate": "\ud83d",
    "percent": "%",
    "underscore": "_",
    "backslash": "\\",
    "like_wildcards": "%_\\",
    "unclosed_tag": "<b>unclosed",
    "script": "<script>alert(1)</script>",
    "html_entity": "&amp;",
    "uffff": "\uffff",
    "sql": "'; DROP TABLE users; --",
    "long_word": "Donaudampfschifffahrtsgesellschaftskapitänswitwe" * 40,
    "combining_cyrillic": "Пётр Ильи\u0301ч Чайко\u0301вский й\u0306 е\u0308",
    # Numbers that are no ids and no amounts: str.isdigit() says yes to some, int() reads others.
    "huge_number": "99999999999999999999",
    "int64_overflow": str(2**63),
    "superscript_two": "²",
    "fullwidth_digits": "１２３",
    "arabic_indic_digits": "١٠٠",
    "signed": "-1",
    "zero": "0",
    "nan": "NaN",
    "infinity": "Infinity",
    "exponent": "1e5",
}

# Telegram usernames are at most 32 characters (of A-Za-z0-9_ even), and the users table does not clip them
# (first and last names it clips to 128). A username here is the hostile string clipped to 32 characters:
# hostile in content, possible in length.
USERNAME_MAX = 32
# Forged button data: a modified client chooses it, but Telegram carries at most 64 bytes of it.
CALLBACK_DATA_MAX_BYTES = 64
FORGED_CALLBACKS = ("{s}", "ev:{s}", "ev:1:{s}", "sp:{s}:0", "tt:{s}:1", "add:1:1:{s}", "ct:{s}:0:0", "lang:{s}")
FORBIDDEN_IN_NAMES = ("\x00", "\u202e", "\u202a", "\u2066", "\u2069", "\x07", "\x1b", "\x85")


async def test_hostile_strings_get_answers_never_apologies(sandbox, engine, clock, caplog):
    caplog.set_level(logging.WARNING)
    app, task = await start_bot(sandbox, engine, clock)
    try:
        await _hostile_story(sandbox, app, clock)
    finally:
        await stop_bot(app, task)
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    apologies = _apologies(app)
    for person in sandbox.users:
        for message in person.messages:
            assert not any(a in message.content for a in apologies), (person.id, message.content[:200])
        assert not any(a in (alert.text or "") for alert in person.alerts for a in apologies)
        assert person.unanswered_queries() == []


async def _hostile_story(sandbox, app, clock) -> None:
    event = await make_event(app.engine, clock)
    admin = sandbox.user("Admin", lang="en", user_id=ADMIN_ID)
    await _answered(admin, "/start")

    # People whose first name and username are hostile (the sandbox has no last name: see below).
    people: dict[str, ScriptedUser] = {}
    for key, s in HOSTILE.items():
        person = sandbox.user(s, lang="ru" if "cyrillic" in key else "en", username=s[:USERNAME_MAX])
        await _answered(person, "/start")
        people[key] = person
        await _answered(admin, f"/credit {person.id} 100")
    for key, person in people.items():
        await _assert_clean_user(app, person.id, HOSTILE[key])

    # The admin names one of them door staff: the confirmation shows the hostile name, escaped.
    steward = people["nul_inside"]
    await _answered(admin, f"/staff {steward.id} {event.id}")
    assert "door staff" in admin.last_text()

    for key, s in HOSTILE.items():
        who = people[key]
        await _answered(who, s)  # a search (or, emptied by cleaning, not text)
        await _answered(who, f"/search {s}")
        await _answered(who, f"/start {s}")  # a deep link payload no real link carries
        await _answered(who, f"/{s}")  # an unknown command
        await _answered(steward, f"/start t_{s}")  # a door code, scanned by staff
        await _answered(steward, f"t_{s}")  # ... and typed
        await _answered(admin, f"/credit {s} 100")
        assert "Usage" in admin.last_text(), key
        await _answered(admin, f"/credit {who.id} {s}")
        assert "not an amount" in admin.last_text() or "Usage" in admin.last_text(), key
        await _answered(admin, f"/staff {s} {event.id}")
        assert "Usage" in admin.last_text(), key
        await _answered(admin, f"/staff {who.id} {s}")
        assert "Usage" in admin.last_text(), key
        for template in FORGED_CALLBACKS:
            await who.press_data(_callback_data(template.format(s=s)))

    # The last name: the sandbox's users have none, so the update Telegram would send is built here and
    # goes through the bot session's JSON loader exactly as a getUpdates answer does, then the dispatcher.
    lena = sandbox.user("Lena")
    await _answered(lena, "/start")
    for n, (key, s) in enumerate(HOSTILE.items()):
        before = len(lena.messages)
        await _deliver_as_get_updates(app, _raw_message_update(10**9 + n, lena.id, s, f"/start {s}"))
        assert len(lena.messages) > before, f"no answer to an update from a person with last name {key}"
        await _assert_clean_user(app, lena.id, s)


async def _answered(person: ScriptedUser, text: str) -> None:
    replies = await person.send(text)
    assert replies, f"no answer to {text[:60]!r} from {person.id}"


def _callback_data(data: str) -> str:
    while len(data.encode("utf-8", "surrogatepass")) > CALLBACK_DATA_MAX_BYTES:
        data = data[:-1]
    return data


def _apologies(app) -> list[str]:
    texts = []
    for lang in ("en", "ru"):
        with app.i18n.context(), app.i18n.use_locale(lang):
            texts.append(app.i18n.gettext("error.unexpected"))
    assert all(t != "error.unexpected" for t in texts)
    return texts


def _raw_message_update(update_id: int, user_id: int, name: str, text: str) -> dict:
    person = {
        "id": user_id,
        "is_bot": False,
        "first_name": name,
        "last_name": name,
        "username": name[:USERNAME_MAX],
        "language_code": "en",
    }
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id % 10**6,
            "from": person,
            "chat": {"id": user_id, "type": "private", "first_name": name, "last_name": name},
            "date": int(time.time()),
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len("/start")}],
        },
    }


async def _deliver_as_get_updates(app, update: dict) -> None:
    raw = json.dumps({"ok": True, "result": [update]})  # ensure_ascii: NUL and lone surrogates as \u escapes
    response = app.bot.session.check_response(app.bot, GetUpdates(), 200, raw)
    for parsed in response.result:
        await app.dp.feed_update(app.bot, parsed)


async def _assert_clean_user(app, telegram_id: int, first: str) -> None:
    async with UnitOfWorkFactory(app.engine)(write=False) as u:
        user = await u.users.by_telegram_id(telegram_id)
    assert user is not None
    for stored in (user.first_name, user.last_name, user.username):
        if stored is None:
            continue
        stored.encode("utf-8")  # no lone surrogate survived
        assert not any(c in stored for c in FORBIDDEN_IN_NAMES), repr(stored[:80])
    assert user.first_name == (clean_text(first)[:128] or str(telegram_id))
