"""The JSON loader of the bot's session cleans every string Telegram sends (bot/textclean.py)."""

from __future__ import annotations

import json

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import GetUpdates
from hypothesis import assume, given
from hypothesis import strategies as st

from bot import textclean
from bot.textclean import clean, clean_text, loads

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
REMOVED = {chr(c) for c in range(0x20) if chr(c) not in "\t\n"} | {chr(c) for c in range(0x7F, 0xA0)} | set(BIDI)

# Any character, with the troublesome ones drawn often: controls, bidi controls, lone surrogates.
anything = st.text(
    st.one_of(
        st.characters(),
        st.characters(max_codepoint=0xA0),
        st.sampled_from(sorted(REMOVED)),
        st.characters(categories=["Cs"]),
        st.sampled_from(["\u200d", "\ufffd", "\uffff", "\ufeff", "\u0301", "👩", "🏽"]),
    )
)
# Text that is already clean: no control characters (but tab and line feed), no bidi controls, no surrogates.
clean_alphabet = st.one_of(
    st.characters(exclude_categories=["Cc", "Cs"], exclude_characters=BIDI), st.sampled_from("\t\n")
)


def utf16_slice(text: str, offset: int, length: int) -> str:
    units = text.encode("utf-16-le", "surrogatepass")
    return units[2 * offset : 2 * (offset + length)].decode("utf-16-le", "surrogatepass")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("Ан\x00на", "Анна"),
        ("\x00", ""),
        ("a\x01\x08\x0b\x0c\x0e\x1f\x7fb", "ab"),
        ("esc\x1b[31mred", "esc[31mred"),
        ("c1\x80\x85\x9b\x9f", "c1"),
        ("tab\there\nnext", "tab\there\nnext"),
        ("windows\r\nline", "windows\nline"),
        ("old mac\rline", "old mac\nline"),
        ("\r\r\n", "\n\n"),
        ("Anna\u202egnp.exe", "Annagnp.exe"),
        ("\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069Bob", "Bob"),
        ("a\ud83d b", "a\ufffd b"),
        ("\udc00\ud800", "\ufffd\ufffd"),
    ],
)
def test_examples(raw, cleaned):
    assert clean_text(raw) == cleaned


@pytest.mark.parametrize(
    "kept",
    [
        "👨\u200d👩\u200d👧\u200d👦 🏳️\u200d🌈 👩🏽\u200d💻",  # zero-width joiner sequences
        "Пётр Ильи\u0301ч Чайко\u0301вский й\u0306",  # combining accents
        "\u200e\u200f\u061c",  # bidi marks (not embeddings, not overrides) stay
        "\uffff\ufffe\ufeff\u2028\u2029",
        "%_\\ <b>unclosed &amp; <script>alert(1)</script> '; DROP TABLE users; --",
        "😀",
    ],
)
def test_everything_else_is_kept(kept):
    assert clean_text(kept) == kept


@given(anything)
def test_result_always_encodes_and_holds_no_removed_character(text):
    result = clean_text(text)
    result.encode("utf-8")  # no lone surrogate left
    assert "\x00" not in result
    assert not REMOVED & set(result)
    assert clean_text(result) == result  # cleaning twice changes nothing more


@given(st.text(clean_alphabet))
def test_clean_text_is_unchanged(text):
    assert clean_text(text) == text
    assert loads(json.dumps({"text": text, "entities": [{"type": "bold", "offset": 0, "length": 1}]})) == {
        "text": text,
        "entities": [{"type": "bold", "offset": 0, "length": 1}],
    }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | anything,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


@given(json_values)
def test_loads_cleans_every_string_at_any_depth(value):
    raw = json.dumps(value)  # ensure_ascii: NUL and lone surrogates travel as \u escapes, as in Telegram's JSON
    result = loads(raw)
    for s in _strings(result):
        s.encode("utf-8")
        assert not REMOVED & set(s)
    assert result == clean(json.loads(raw))
    assert loads(raw.encode()) == result  # bytes too (aiohttp may hand either)


def test_non_strings_and_keys_stay():
    value = {"update_id": 7, "ok": True, "none": None, "x\x00": 1.5, "list": [1, "a\x00"]}
    assert clean(value) == {"update_id": 7, "ok": True, "none": None, "x\x00": 1.5, "list": [1, "a"]}


def test_entities_follow_the_cleaned_text():
    text = "/start \x00\u202eab\r\ncd 👩🏽\x00\u200d💻 end"
    entities = [
        {"type": "bot_command", "offset": 0, "length": 6},
        {"type": "bold", "offset": 7, "length": utf16_len("\x00\u202eab")},
        {"type": "italic", "offset": utf16_len("/start \x00\u202eab\r\n"), "length": 2},
        {"type": "code", "offset": utf16_len("/start \x00\u202eab\r\ncd "), "length": utf16_len("👩🏽\x00\u200d💻")},
        {"type": "underline", "offset": 7, "length": 2},  # only removed characters: it goes
    ]
    result = loads(json.dumps({"message": {"text": text, "entities": entities}}))["message"]
    assert result["text"] == "/start ab\ncd 👩🏽\u200d💻 end"
    covered = {e["type"]: utf16_slice(result["text"], e["offset"], e["length"]) for e in result["entities"]}
    assert covered == {"bot_command": "/start", "bold": "ab", "italic": "cd", "code": "👩🏽\u200d💻"}


def test_caption_entities_and_other_entity_lists_follow_their_field():
    value = {
        "caption": "\x00\x00hi",
        "caption_entities": [{"type": "bold", "offset": 2, "length": 2}],
        "quote": {"text": "\u202eq", "entities": [{"type": "italic", "offset": 1, "length": 1}]},
        "poll": {"question": "\x00why", "question_entities": [{"type": "bold", "offset": 1, "length": 3}]},
    }
    result = loads(json.dumps(value))
    assert result["caption_entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert result["quote"]["entities"] == [{"type": "italic", "offset": 0, "length": 1}]
    assert result["poll"]["question_entities"] == [{"type": "bold", "offset": 0, "length": 3}]


@given(
    st.text(clean_alphabet),
    st.lists(st.sampled_from([*sorted(REMOVED - {"\r"}), "\ud83d"]), max_size=3),
    anything.filter(lambda t: "\r" not in t),
    st.text(max_size=10),
)
def test_an_entity_covers_the_same_visible_text_after_cleaning(prefix, junk, word, suffix):
    word = "".join(junk) + word
    assume(word)  # Telegram's entities cover at least one character
    text = prefix + word + suffix
    entity = {"type": "bold", "offset": utf16_len(prefix), "length": utf16_len(word)}
    result = loads(json.dumps({"text": text, "entities": [entity]}, ensure_ascii=True))
    expected = clean_text(word)
    if expected:
        [moved] = result["entities"]
        assert utf16_slice(result["text"], moved["offset"], moved["length"]) == expected
    else:
        assert result["entities"] == []


def test_get_updates_answers_are_parsed_by_the_sessions_loader():
    """aiogram contract: BaseSession.check_response (getUpdates included) parses with session.json_loads."""
    session = AiohttpSession(json_loads=textclean.loads)
    bot = Bot("42:TEST", session=session)
    name = "Ан\x00на\u202e\ud83d"
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private", "first_name": name},
            "from": {"id": 5, "is_bot": False, "first_name": name, "last_name": name, "username": "a\x00b"},
            "text": "маузер\x00",
        },
    }
    response = session.check_response(bot, GetUpdates(), 200, json.dumps({"ok": True, "result": [update]}))
    message = response.result[0].message
    assert message.text == "маузер"
    assert message.from_user.first_name == message.from_user.last_name == "Анна\ufffd"
    assert message.from_user.username == "ab"
    assert message.chat.first_name == "Анна\ufffd"
