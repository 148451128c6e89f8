"""Supergroups, anonymous administrators, linked channels and the group flood limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from sandbox import Sandbox, SandboxChannel, ScriptedUser

from .helpers import raw_call, start_polling

ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
TELEGRAM = {"id": 777000, "is_bot": False, "first_name": "Telegram"}


def group_router(seen: list[Message]) -> Router:
    router = Router()

    @router.channel_post()
    async def channel_post(post: Message) -> None:
        seen.append(post)

    @router.message(F.text == "/menu")
    async def menu(message: Message) -> None:
        seen.append(message)
        markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Join", callback_data="join")]])
        await message.answer("menu", reply_markup=markup)

    @router.message()
    async def anything(message: Message) -> None:
        seen.append(message)
        sender = (
            message.sender_chat.title if message.sender_chat else message.from_user and message.from_user.first_name
        )
        await message.answer(f"{message.chat.type}: {sender}: {message.text}")

    @router.callback_query(F.data == "join")
    async def join(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text(f"{query.from_user.first_name} joined in {query.message.chat.title}")
        await query.answer("welcome")

    return router


@pytest.fixture
async def seen(sb: Sandbox, bot: Bot) -> AsyncIterator[list[Message]]:
    messages: list[Message] = []
    dp, task = await start_polling(sb, bot, group_router(messages))
    yield messages
    await dp.stop_polling()
    await task


@pytest.fixture
def people(sb: Sandbox) -> tuple[ScriptedUser, ScriptedUser]:
    return sb.user("Anna"), sb.user("Bob")


# ---------------------------------------------------------------------- what the bot receives


async def test_group_updates_have_telegrams_shape(sb: Sandbox, people: tuple[ScriptedUser, ScriptedUser]) -> None:
    anna, bob = people
    news = sb.channel("Fans News", username="fans_news")
    group = sb.group("Fans", members=[anna, bob], linked_channel=news)
    assert str(group.id).startswith("-100") and len(str(group.id)) == 14 and group.type == "supergroup"
    assert sb.group("Fans") is group and group.linked_channel is news and news.linked_group is group

    await anna.send("/wallet", chat=group, wait=False)
    await group.send_as_anonymous_admin("/wallet@sandbox_ticket_bot", signature="Boss", wait=False)
    await news.post("Doors open at 19:00", wait=False)
    _, body = await raw_call(sb, "getUpdates")
    user_msg, admin_msg, post_update, forward_update = body["result"]
    group_json = {"id": group.id, "title": "Fans", "type": "supergroup"}
    channel_json = {"id": news.id, "title": "Fans News", "type": "channel", "username": "fans_news"}

    message = user_msg["message"]
    assert message["chat"] == group_json and message["from"]["id"] == anna.id and "sender_chat" not in message
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 7}]

    message = admin_msg["message"]
    assert message["from"] == ANONYMOUS_ADMIN and message["sender_chat"] == group_json
    assert message["chat"] == group_json and message["author_signature"] == "Boss"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 26}]

    post = post_update["channel_post"]
    assert "from" not in post and post["sender_chat"] == channel_json and post["chat"] == channel_json
    assert post["text"] == "Doors open at 19:00"

    forward = forward_update["message"]
    assert forward["from"] == TELEGRAM and forward["sender_chat"] == channel_json and forward["chat"] == group_json
    assert forward["is_automatic_forward"] is True
    assert forward["forward_origin"] == {
        "type": "channel",
        "chat": channel_json,
        "message_id": post["message_id"],
        "date": post["date"],
    }
    assert anna.messages == [] and group.messages == []


async def test_bot_talks_in_the_group_and_members_press_its_buttons(
    sb: Sandbox, people: tuple[ScriptedUser, ScriptedUser], seen: list[Message]
) -> None:
    anna, bob = people
    group = sb.group("Fans", members=[anna])
    replies = await anna.send("hello", chat=group)  # waits until the bot confirmed the update
    assert [m.text for m in replies] == ["supergroup: Anna: hello"]
    assert group.last_text() == "supergroup: Anna: hello" and anna.messages == []
    assert seen[-1].chat.id == group.id and seen[-1].from_user and seen[-1].from_user.id == anna.id

    with pytest.raises(AssertionError, match="Bob is not a member of group 'Fans'"):
        await bob.send("hi", chat=group)
    group.add(bob)
    await bob.send("/menu", chat=group)
    assert group.buttons() == ["Join"]
    edited = await bob.press("Join", chat=group)
    assert [m.text for m in edited] == ["Bob joined in Fans"] and bob.last_alert() == "welcome"
    assert bob.alerts[-1].chat_id == group.id and bob.unanswered_queries() == []
    with pytest.raises(AssertionError, match=r"no button matching 'Leave' in group 'Fans'"):
        await bob.press("Leave", chat=group)

    replies = await group.send_as_anonymous_admin("pinned rules")
    assert [m.text for m in replies] == ["supergroup: Fans: pinned rules"]
    assert seen[-1].from_user and seen[-1].from_user.id == 1087968824
    assert seen[-1].sender_chat and seen[-1].sender_chat.id == group.id
    status, _ = await raw_call(sb, "deleteMessage", chat_id=group.id, message_id=seen[-1].message_id)
    assert status == 200  # an administrator bot may delete anyone's message


async def test_linked_channel_post_reaches_the_bot_twice(
    sb: Sandbox, people: tuple[ScriptedUser, ScriptedUser], seen: list[Message]
) -> None:
    news = sb.channel("Fans News")
    group = sb.group("Fans", members=people, linked_channel=news)
    replies = await news.post("Doors open at 19:00")
    post, forward = seen[-2:]
    assert (
        post.chat.type == "channel" and post.from_user is None and post.sender_chat and post.sender_chat.id == news.id
    )
    assert forward.is_automatic_forward and forward.from_user and forward.from_user.id == 777000
    assert forward.sender_chat and forward.sender_chat.id == news.id and forward.chat.id == group.id
    assert [m.text for m in replies] == ["supergroup: Fans News: Doors open at 19:00"]

    quiet = sb.channel("Quiet", bot_is_member=False)  # the bot is not in it: only the group sees it
    sb.group("Quiet talk", members=people, linked_channel=quiet)
    count = len(seen)
    await quiet.post("psst")
    assert len(seen) == count + 1 and seen[-1].is_automatic_forward


async def test_channel_posts_the_bot_does_not_ask_for_are_not_an_error(sb: Sandbox, bot: Bot) -> None:
    router = Router()
    got: list[str] = []

    @router.message()
    async def message(message: Message) -> None:
        got.append(message.text or "")

    dp, task = await start_polling(sb, bot, router)  # allowed_updates == ["message"]
    try:
        news = sb.channel("News")
        sb.group("Talk", members=[sb.user("Anna")], linked_channel=news)
        await news.post("hello")
        assert got == ["hello"]
    finally:
        await dp.stop_polling()
        await task


# ---------------------------------------------------------------------- privacy mode


async def test_privacy_mode_shows_a_non_admin_bot_only_commands(sb: Sandbox, bot: Bot, seen: list[Message]) -> None:
    anna = sb.user("Anna")
    group = sb.group("Fans", members=[anna], bot_is_admin=False)
    assert (await bot.get_me()).can_read_all_group_messages is False
    assert await anna.send("hello", chat=group) == []  # never reaches the bot
    assert await group.send_as_anonymous_admin("hello") == []
    assert await anna.send("/wallet@other_bot", chat=group) == []
    assert len(await anna.send("/wallet@Sandbox_Ticket_Bot", chat=group)) == 1
    assert len(await anna.send("/wallet", chat=group)) == 1
    assert [m.text for m in seen] == ["/wallet@Sandbox_Ticket_Bot", "/wallet"]
    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):  # not an administrator
        await bot.delete_message(group.id, seen[-1].message_id)
    assert await bot.delete_message(group.id, group.last_message().message_id)  # its own message


async def test_privacy_mode_off_shows_everything() -> None:
    async with Sandbox(privacy_mode=False) as sb:
        group = sb.group("Fans", members=[sb.user("Anna")], bot_is_admin=False)
        await sb.user("Anna").send("hello", chat=group, wait=False)
        _, body = await raw_call(sb, "getUpdates")
        assert [u["message"]["text"] for u in body["result"]] == ["hello"]
        _, me = await raw_call(sb, "getMe")
        assert me["result"]["can_read_all_group_messages"] is True


# ---------------------------------------------------------------------- what the bot may send


async def test_sending_to_groups_and_channels(sb: Sandbox, bot: Bot) -> None:
    news = sb.channel("Fans News")
    group = sb.group("Fans", username="fans_chat", linked_channel=news)
    hidden = sb.channel("Hidden", bot_is_member=False)
    sent = await bot.send_message(group.id, "hi all")
    assert sent.chat.id == group.id and sent.chat.type == "supergroup" and sent.from_user and sent.from_user.is_bot
    assert group.last_text() == "hi all"
    assert (await bot.send_message("@fans_chat", "by username")).chat.id == group.id
    post = await bot.send_message(news.id, "news")
    assert post.from_user is None and post.sender_chat and post.sender_chat.id == news.id
    assert isinstance(news, SandboxChannel) and news.last_text() == "news"
    for unknown in (hidden.id, -1009999999999):
        with pytest.raises(TelegramBadRequest, match="chat not found"):
            await bot.send_message(unknown, "hi")
    info = await bot.get_chat(group.id)
    assert (info.type, info.title, info.username, info.linked_chat_id) == ("supergroup", "Fans", "fans_chat", news.id)
    assert (await bot.get_chat(news.id)).linked_chat_id == group.id


async def test_group_flood_limit_is_twenty_messages_a_minute(sb: Sandbox, bot: Bot) -> None:
    anna = sb.user("Anna")
    await anna.send("/start", wait=False)
    group, other = sb.group("Fans", members=[anna]), sb.group("Other")
    for n in range(20):
        await bot.send_message(group.id, f"#{n}")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(group.id, "one too many")
    assert 55 <= info.value.retry_after <= 60
    assert "Too Many Requests: retry after" in info.value.message
    assert len(group.messages) == 20
    await bot.send_message(other.id, "another group has its own budget")
    for n in range(25):  # private chats are not limited by the sandbox
        await bot.send_message(anna.id, f"#{n}")


async def test_group_flood_limit_can_be_changed() -> None:
    async with Sandbox(group_messages_per_minute=None) as sb:
        group = sb.group("Fans")
        for n in range(25):
            status, _ = await raw_call(sb, "sendMessage", chat_id=group.id, text=f"#{n}")
            assert status == 200
