"""The sandbox Bot API, exercised by a real aiogram Bot/Dispatcher over HTTP."""

from __future__ import annotations

import asyncio
import html
import io
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError, TelegramRetryAfter
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from PIL import Image

from sandbox import Sandbox, SandboxMessage
from sandbox.callbacks import QUERY_TOO_OLD
from sandbox.chat import run_terminal_chat

from .helpers import raw_call


def png_bytes(color: str = "red", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def kb(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=list(rows))


def cb(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def make_router(seen: list[int]) -> Router:
    router = Router()

    @router.message(CommandStart(deep_link=True))
    async def start_link(message: Message, command: CommandObject) -> None:
        await message.answer(f"start:{command.args}")

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("welcome")

    @router.message(Command("shop"))
    async def shop(message: Message) -> None:
        await message.answer(
            "Shop",
            reply_markup=kb(
                [cb("Buy ticket", "buy:t"), cb("Buy merch", "buy:m")],
                [InlineKeyboardButton(text="Site", url="https://example.org")],
            ),
        )

    @router.message(F.text == "menu")
    async def menu(message: Message) -> None:
        await message.answer_photo(
            BufferedInputFile(png_bytes(), "menu.png"),
            caption="Pick one",
            reply_markup=kb([cb("Yes", "yes"), cb("No", "no")]),
        )

    @router.message(F.text == "slow")
    async def slow(message: Message) -> None:
        await asyncio.sleep(0.3)
        await message.answer("slow done")

    @router.message(F.text)
    async def echo(message: Message, event_update: Update) -> None:
        seen.append(event_update.update_id)
        await message.answer(
            f"<b>echo</b>: {html.escape(message.text or '')}",
            parse_mode="HTML",
            reply_markup=kb([cb("Again", "again")]),
        )

    @router.callback_query(F.data == "again")
    async def again(query: CallbackQuery) -> None:
        await asyncio.sleep(0.2)
        assert isinstance(query.message, Message)
        await query.message.edit_text("edited")
        await query.answer("done!")

    @router.callback_query(F.data.in_({"yes", "no"}))
    async def choose(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_caption(caption=f"chose {query.data}")
        await query.answer(f"you chose {query.data}", show_alert=True)

    @router.callback_query()
    async def other(query: CallbackQuery) -> None:
        await query.answer(f"unknown button {query.data}")

    return router


async def start_bot(sb: Sandbox, bot: Bot, *, handle_as_tasks: bool = False) -> tuple[Dispatcher, asyncio.Task]:
    dp = Dispatcher()
    dp["seen"] = []
    dp.include_router(make_router(dp["seen"]))
    task = asyncio.create_task(
        dp.start_polling(
            bot,
            handle_as_tasks=handle_as_tasks,
            polling_timeout=1,
            handle_signals=False,
            close_bot_session=False,
        )
    )
    for _ in range(200):
        if any(method == "getUpdates" for method, _ in sb.calls):
            break
        await asyncio.sleep(0.01)
    return dp, task


@pytest.fixture
async def running(sb: Sandbox, bot: Bot) -> AsyncIterator[Dispatcher]:
    dp, task = await start_bot(sb, bot)
    yield dp
    await dp.stop_polling()
    await task


# ---------------------------------------------------------------------- basics


async def test_get_me_and_http_errors(sb: Sandbox, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "sandbox_ticket_bot" and me.first_name == "Ticket Bot"
    assert (await raw_call(sb, "GETME"))[1]["result"]["username"] == "sandbox_ticket_bot"
    assert await raw_call(sb, "getMe", token="1:WRONG") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert await raw_call(sb, "sendSticker") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )


async def test_send_and_press_wait_for_processing(sb: Sandbox, running: Dispatcher) -> None:
    alice = sb.user("Alice")
    replies = await alice.send("slow")
    assert [m.text for m in replies] == ["slow done"]

    replies = await alice.send("a < b & c")
    assert [m.text for m in replies] == ["echo: a < b & c"]  # tags stripped, entities unescaped
    assert replies[0].entities == [{"type": "bold", "offset": 0, "length": 4}]
    assert alice.buttons() == ["Again"]

    edited = await alice.press("again")  # case-insensitive substring match; handler sleeps 0.2 s first
    assert [m.text for m in edited] == ["edited"]
    assert alice.last_text() == "edited" and alice.buttons() == []
    assert alice.last_alert() == "done!" and alice.unanswered_queries() == []

    forged = await alice.press_data("forged:1", message=alice.last_message())
    assert forged == [] and alice.last_alert() == "unknown button forged:1"


async def test_press_finds_buttons_and_deep_links(sb: Sandbox, running: Dispatcher) -> None:
    bob = sb.user("Bob", lang="ru")
    await bob.send("/shop")
    assert bob.buttons() == ["Buy ticket", "Buy merch", "Site"]
    with pytest.raises(AssertionError, match=r"ambiguous.*Buy ticket"):
        await bob.press("buy")
    with pytest.raises(AssertionError, match="is a link"):
        await bob.press("Site")
    with pytest.raises(AssertionError, match="no button matching 'Refund'"):
        await bob.press("Refund")
    assert (await bob.open("https://t.me/sandbox_ticket_bot?start=ev_42"))[0].text == "start:ev_42"
    assert (await bob.open("tg://resolve?domain=sandbox_ticket_bot&start=abc"))[0].text == "start:abc"
    assert (await bob.open("https://t.me/sandbox_ticket_bot"))[0].text == "welcome"
    with pytest.raises(AssertionError, match="not to this bot"):
        await bob.open("https://t.me/other_bot?start=x")


async def test_send_times_out_with_clear_message(sb: Sandbox) -> None:
    sb.wait_timeout = 0.3
    with pytest.raises(AssertionError, match=r"update 1 \(message 'hello' from Carol\).*never fetched"):
        await sb.user("Carol").send("hello")


# ---------------------------------------------------------------------- getUpdates semantics


async def test_long_poll_returns_as_soon_as_an_update_arrives(sb: Sandbox) -> None:
    dave = sb.user("Dave")
    started = time.monotonic()
    poll = asyncio.create_task(raw_call(sb, "getUpdates", timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await dave.send("ping", wait=False)
    status, body = await poll
    assert status == 200 and body["result"][0]["message"]["text"] == "ping"
    assert time.monotonic() - started < 1.5
    # with nothing pending, timeout=0 answers at once with []
    first_id = body["result"][0]["update_id"]
    assert (await raw_call(sb, "getUpdates", offset=first_id + 1, timeout=0))[1]["result"] == []


async def test_offset_semantics(sb: Sandbox) -> None:
    erin = sb.user("Erin")
    await erin.send("/start", wait=False)
    await erin.send("one", wait=False)
    _, body = await raw_call(sb, "getUpdates")
    ids = [u["update_id"] for u in body["result"]]
    assert len(ids) == 2 and ids[0] < ids[1]
    assert body["result"][0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    _, body = await raw_call(sb, "getUpdates", offset=ids[1])
    assert [u["update_id"] for u in body["result"]] == [ids[1]]
    _, body = await raw_call(sb, "getUpdates", offset=ids[0])  # a lower offset resurrects nothing
    assert [u["update_id"] for u in body["result"]] == [ids[1]]
    _, body = await raw_call(sb, "getUpdates", offset=ids[1] + 1)
    assert body["result"] == []
    _, body = await raw_call(sb, "getUpdates", limit=1)
    assert body["result"] == []


async def test_repeat_last_update_delivers_same_update_id(sb: Sandbox, running: Dispatcher) -> None:
    fay = sb.user("Fay")
    await fay.send("hello")
    again = await fay.repeat_last_update()
    seen = running["seen"]
    assert len(seen) == 2 and seen[0] == seen[1]
    assert [m.text for m in again] == ["echo: hello"]
    assert len(fay.messages) == 2


# ---------------------------------------------------------------------- rejections


@pytest.fixture
async def chat_id(sb: Sandbox) -> int:
    person = sb.user("Gus", user_id=555)
    await person.send("/start", wait=False)  # the chat becomes known to the bot
    return person.id


async def expect_bad(call: object, description: str) -> None:
    with pytest.raises(TelegramBadRequest) as info:
        await call  # type: ignore[misc]
    assert info.value.message == f"Bad Request: {description}", info.value.message


async def test_text_rejections(sb: Sandbox, bot: Bot, chat_id: int) -> None:
    await expect_bad(bot.send_message(chat_id, ""), "message text is empty")
    await expect_bad(bot.send_message(chat_id, " \n "), "message text is empty")
    await expect_bad(bot.send_message(chat_id, "<b> </b>", parse_mode="HTML"), "message text is empty")
    await expect_bad(bot.send_message(chat_id, "x" * 4097), "message is too long")
    ok = await bot.send_message(chat_id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    assert len(ok.text or "") == 4096
    await expect_bad(bot.send_message(999, "hi"), "chat not found")
    await expect_bad(
        bot.send_photo(chat_id, BufferedInputFile(png_bytes(), "p.png"), caption="c" * 1025),
        "message caption is too long",
    )
    for bad in ["<foo>x</foo>", "<b>x", "a < b", "<b>x</i>", "x</b>", "&nbsp;", '<span class="x">y</span>']:
        with pytest.raises(TelegramBadRequest, match="Bad Request: can't parse entities: "):
            await bot.send_message(chat_id, bad, parse_mode="HTML")
    good = await bot.send_message(
        chat_id,
        '<b>a</b> &lt;3 &amp; &quot;q&quot; &#33;&#x21; <a href="https://x.org/?a=1&amp;b=2">l</a> '
        '<tg-spoiler>s</tg-spoiler> <pre><code class="language-py">c</code></pre> Fish & Chips',
        parse_mode="HTML",
    )
    assert good.text == 'a <3 & "q" !! l s c Fish & Chips'
    assert sb.user("Gus").last_text() == good.text
    assert good.entities and good.entities[0].type == "bold"


async def test_keyboard_rejections(sb: Sandbox, bot: Bot, chat_id: int) -> None:
    await expect_bad(bot.send_message(chat_id, "k", reply_markup=kb([cb("x", "d" * 65)])), "BUTTON_DATA_INVALID")
    await expect_bad(bot.send_message(chat_id, "k", reply_markup=kb([cb("x", "я" * 33)])), "BUTTON_DATA_INVALID")
    await expect_bad(bot.send_message(chat_id, "k", reply_markup=kb([cb("x", "")])), "BUTTON_DATA_INVALID")
    with pytest.raises(TelegramBadRequest, match="Bad Request: can't parse inline keyboard button"):
        await bot.send_message(chat_id, "k", reply_markup=kb([InlineKeyboardButton(text="plain")]))
    sent = await bot.send_message(chat_id, "k", reply_markup=kb([cb("x", "d" * 64)]))
    assert sent.reply_markup is not None and sent.reply_markup.inline_keyboard[0][0].callback_data == "d" * 64


async def test_edit_delete_and_answer_rejections(sb: Sandbox, bot: Bot, chat_id: int) -> None:
    sent = await bot.send_message(chat_id, "hello", reply_markup=kb([cb("A", "a")]))
    await expect_bad(bot.edit_message_text(text="x", chat_id=chat_id, message_id=9999), "message to edit not found")
    await expect_bad(
        bot.edit_message_text(
            text="hello", chat_id=chat_id, message_id=sent.message_id, reply_markup=kb([cb("A", "a")])
        ),
        "message is not modified: specified new message content and reply markup are exactly the same as a "
        "current content and reply markup of the old message",
    )
    # same text without markup removes the keyboard: that *is* a modification
    edited = await bot.edit_message_text(text="hello", chat_id=chat_id, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.reply_markup is None
    await expect_bad(bot.delete_message(chat_id, 9999), "message to delete not found")
    assert await bot.delete_message(chat_id, sent.message_id)
    await expect_bad(bot.delete_message(chat_id, sent.message_id), "message to delete not found")
    await expect_bad(
        bot.answer_callback_query("nope"),
        "query is too old and response timeout expired or query ID is invalid",
    )

    gus = sb.user("Gus")
    keyboard = await bot.send_message(chat_id, "pick", reply_markup=kb([cb("A", "a")]))
    await gus.press("A", wait=False)
    query_id = gus.query_ids[-1]
    assert gus.unanswered_queries() == [query_id]
    await expect_bad(bot.answer_callback_query(query_id, text="t" * 201), "MESSAGE_TOO_LONG")
    assert await bot.answer_callback_query(query_id, text="ok", show_alert=True)
    assert gus.last_alert() == "ok" and gus.alerts[-1].show_alert and gus.unanswered_queries() == []
    await expect_bad(
        bot.answer_callback_query(query_id),
        "query is too old and response timeout expired or query ID is invalid",
    )
    await expect_bad(bot.send_photo(chat_id, "AgACunknown"), "wrong file identifier/HTTP URL specified")
    assert keyboard.message_id > sent.message_id


async def test_fail_next_injects_errors(sb: Sandbox, bot: Bot, chat_id: int) -> None:
    sb.fail_next("sendMessage", retry_after=7)
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(chat_id, "hi")
    assert info.value.retry_after == 7
    assert "Too Many Requests: retry after 7" in str(info.value)
    sb.fail_next("SENDMESSAGE", error_code=400, description="Bad Request: custom", times=2)
    for _ in range(2):
        with pytest.raises(TelegramBadRequest, match="custom"):
            await bot.send_message(chat_id, "hi")
    assert (await bot.send_message(chat_id, "hi")).text == "hi"
    assert [m for m, _ in sb.calls].count("sendMessage") == 4
    assert sb.calls[-1][1]["chat_id"] == chat_id and sb.calls[-1][1]["text"] == "hi"


# ---------------------------------------------------------------------- files and commands


async def test_photo_upload_and_resend_by_file_id(sb: Sandbox, bot: Bot, chat_id: int) -> None:
    data = png_bytes("blue", (64, 48))
    first = await bot.send_photo(
        chat_id, BufferedInputFile(data, "qr.png"), caption="Your <b>ticket</b>", parse_mode="HTML"
    )
    assert first.photo and (first.photo[-1].width, first.photo[-1].height) == (64, 48)
    assert first.caption == "Your ticket"
    second = await bot.send_photo(chat_id, first.photo[-1].file_id)
    assert second.photo and second.photo[-1].file_id == first.photo[-1].file_id
    gus = sb.user("Gus")
    assert [m.photo for m in gus.messages] == [data, data] and gus.last_photo() == data
    downloaded = await bot.download(first.photo[-1].file_id)
    assert downloaded is not None and downloaded.read() == data
    doc = await bot.send_document(chat_id, BufferedInputFile(b"%PDF-1.4 fake", "ticket.pdf"))
    assert doc.document and doc.document.file_name == "ticket.pdf" and doc.document.mime_type == "application/pdf"
    assert gus.last_document().document == b"%PDF-1.4 fake"
    await expect_bad(bot.send_photo(chat_id, BufferedInputFile(b"not an image", "x.png")), "IMAGE_PROCESS_FAILED")


async def test_commands_are_stored_per_language(sb: Sandbox, bot: Bot) -> None:
    await bot.set_my_commands(
        [BotCommand(command="start", description="Start"), BotCommand(command="shop", description="Shop")]
    )
    await bot.set_my_commands([BotCommand(command="start", description="Старт")], language_code="ru")
    assert sb.commands() == [("start", "Start"), ("shop", "Shop")]
    assert sb.commands("ru") == [("start", "Старт")]
    assert sb.commands("de") == sb.commands()
    assert [c.description for c in await bot.get_my_commands(language_code="ru")] == ["Старт"]
    await bot.delete_my_commands(language_code="ru")
    assert sb.commands("ru") == sb.commands()


async def test_command_scopes_are_checked_and_a_person_sees_the_first_scope_that_has_commands(
    sb: Sandbox, bot: Bot
) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    await bot.set_my_commands([BotCommand(command="start", description="Старт")], language_code="ru")
    gus = sb.user("Gus", lang="ru")
    menu = [BotCommand(command="events", description="Events")]
    await expect_bad(bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id=gus.id)), "chat not found")
    await gus.send("hello", wait=False)  # now the bot knows the chat
    await bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id=gus.id))
    assert sb.menu_of(gus.id, "ru") == [("events", "Events")]  # the chat scope wins over the language
    await bot.set_my_commands(
        [BotCommand(command="events", description="Мои")], BotCommandScopeChat(chat_id=gus.id), "ru"
    )
    assert sb.menu_of(gus.id, "ru") == [("events", "Мои")] and sb.menu_of(gus.id, "de") == [("events", "Events")]
    assert sb.menu_of(12345, "ru") == [("start", "Старт")]
    await bot.delete_my_commands(BotCommandScopeChat(chat_id=gus.id))
    await bot.delete_my_commands(BotCommandScopeChat(chat_id=gus.id), "ru")
    assert sb.menu_of(gus.id, "ru") == [("start", "Старт")]
    async with aiohttp.ClientSession() as http:
        url = f"{sb.base_url}/bot{bot.token}/setMyCommands"
        commands = [{"command": "x", "description": "X"}]
        for scope, error in (
            ({"type": "everyone"}, "unsupported bot command scope type"),
            (
                {"type": "chat_member", "chat_id": gus.id},
                'can\'t parse BotCommandScope JSON object: field "user_id" is missing',
            ),
        ):
            async with http.post(url, json={"commands": commands, "scope": scope}) as response:
                assert (await response.json())["description"] == f"Bad Request: {error}"
    await expect_bad(bot.get_my_commands(scope=BotCommandScopeChat(chat_id=-100999)), "chat not found")


# ---------------------------------------------------------------------- terminal chat


async def test_terminal_chat(sb: Sandbox, bot: Bot, tmp_path: Path) -> None:
    dp, task = await start_bot(sb, bot, handle_as_tasks=True)
    output = io.StringIO()
    events: list[str] = []
    sb.subscribe(lambda chat_id, event, message, alert: events.append(event))

    async def wait_for(text: str) -> None:
        for _ in range(300):
            if text in output.getvalue():
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{text!r} never printed:\n{output.getvalue()}")

    script = [
        ("menu", None),
        ("1", "[2] No"),
        (":as Steward ru", "(alert, popup) you chose yes"),
        ("hi", "(now chatting as Steward"),
        (":quit", "echo: hi"),
    ]

    async def input_func(prompt: str) -> str:
        line, wait_text = script.pop(0)
        if wait_text:
            await wait_for(wait_text)
        return line

    try:
        await asyncio.wait_for(
            run_terminal_chat(sb, name="Hana", photo_dir=tmp_path, output=output, input_func=input_func), 10
        )
    finally:
        await dp.stop_polling()
        await task
    printed = output.getvalue()
    assert "Pick one" in printed and "[1] Yes  [2] No" in printed
    assert "(pressed) Yes" in printed and "chose yes" in printed and "(edited)" in printed
    hana = sb.user("Hana")
    saved = tmp_path / f"{hana.id}_{hana.messages[0].message_id}.png"
    assert saved.read_bytes() == hana.last_photo()
    assert str(saved) in printed
    assert sb.user("Steward").lang == "ru" and sb.user("Steward").last_text() == "echo: hi"
    assert events[:3] == ["sent", "edited", "alert"]


async def test_terminal_chat_eof_and_help(sb: Sandbox) -> None:
    output = io.StringIO()
    lines = iter([":help", "5"])

    def input_func(prompt: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    await run_terminal_chat(sb, output=output, input_func=input_func)
    assert ":as NAME" in output.getvalue()
    assert isinstance(sb.user("You").history, list)
    assert sb.pending_update_ids and all(isinstance(i, int) for i in sb.pending_update_ids)
    assert SandboxMessage  # exported


async def test_webhook_reply_keyboard_and_observers(sb: Sandbox, bot: Bot, chat_id: int) -> None:
    assert await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(TelegramConflictError):
        await bot.get_updates()
    assert await bot.delete_webhook()

    events: list[tuple[str, int | None, str | None]] = []
    unsubscribe = sb.subscribe(
        lambda chat, event, message, alert: events.append(
            (event, message.message_id if message else None, alert.text if alert else None)
        )
    )
    markup = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="🎫 My tickets")]], resize_keyboard=True)
    sent = await bot.send_message(chat_id, "menu", reply_markup=markup)
    assert sent.reply_markup is None  # Telegram never echoes reply keyboards
    gus = sb.user("Gus")
    assert gus.reply_keyboard() == ["🎫 My tickets"]
    await gus.press("my tickets", wait=False)  # reply-keyboard buttons are pressed by sending their text
    _, body = await raw_call(sb, "getUpdates")
    assert body["result"][-1]["message"]["text"] == "🎫 My tickets"
    await bot.delete_message(chat_id, sent.message_id)
    unsubscribe()
    await bot.send_message(chat_id, "not observed")
    assert events == [("sent", sent.message_id, None), ("deleted", sent.message_id, None)]
    assert gus.history[-2].deleted and gus.messages[-1].text == "not observed"


async def test_answer_inline_query_is_checked_like_telegram(sb: Sandbox, bot: Bot) -> None:
    gus = sb.user("Gus")
    _tracker, query_id = sb._post_inline_query(gus, "jazz", "", "supergroup")

    def article(n: int, **extra) -> InlineQueryResultArticle:
        return InlineQueryResultArticle(
            id=f"r{n}",
            title=f"T{n}",
            input_message_content=InputTextMessageContent(message_text=f"<b>{n}</b>"),
            **extra,
        )

    await expect_bad(bot.answer_inline_query(query_id, [article(1), article(1)]), "RESULT_ID_DUPLICATE")
    await expect_bad(bot.answer_inline_query(query_id, [article(n) for n in range(51)]), "RESULTS_TOO_MUCH")
    await expect_bad(bot.answer_inline_query(query_id, [article(1)], next_offset="x" * 65), "NEXT_OFFSET_INVALID")
    bad_html = InlineQueryResultArticle(
        id="h", title="H", input_message_content=InputTextMessageContent(message_text="<b>open", parse_mode="HTML")
    )
    with pytest.raises(TelegramBadRequest):
        await bot.answer_inline_query(query_id, [bad_html])
    assert await bot.answer_inline_query(query_id, [article(1), article(2)], cache_time=5, next_offset="2")
    answer = sb.inline_answer(query_id)
    assert answer.titles() == ["T1", "T2"] and answer.next_offset == "2" and answer.cache_time == 5
    await expect_bad(bot.answer_inline_query(query_id, [article(3)]), QUERY_TOO_OLD)  # answered once
    await expect_bad(bot.answer_inline_query("12345", [article(3)]), QUERY_TOO_OLD)
