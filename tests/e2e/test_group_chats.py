"""In a group the bot says nothing personal: at most one line pointing to the private chat.

Once, in a supergroup, /wallet posted a member's balance and Telegram id, and a message from an
anonymous admin or a linked channel raised TypeError and the apology went to the group.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from storage.tables import users, wallet_entries
from tests.e2e.conftest import open_tariff

POINTER = "I work in a private chat"


async def _people(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(users))).scalar_one()


async def test_commands_in_a_group_get_only_a_pointer_to_the_private_chat(sandbox, bot_app, demo_event, admin):
    anna = sandbox.user("Anna", lang="en")
    await anna.send("/start")
    await admin.send(f"/credit {anna.id} 5000")
    await open_tariff(anna)
    await anna.press("Add to cart")
    fans = sandbox.group("Fans", members=[anna, sandbox.user("Bob", lang="ru")])

    await anna.send("/wallet", chat=fans)
    assert len(fans.messages) == 1
    text = fans.last_text()
    assert POINTER in text
    assert str(anna.id) not in text and "5,000" not in text and "₽" not in text
    assert [b.url for row in fans.last_message().buttons for b in row] == [f"https://t.me/{sandbox.bot_username}"]

    for command in ("/tickets", "/cart", "/start", "/credit 1 100", "Маузер"):
        await anna.send(command, chat=fans)
    assert len(fans.messages) == 1, "one pointer a minute per group, nothing else"
    assert all(POINTER in m.content for m in fans.messages)
    # Anna's private chat did not get the group's commands either.
    assert "Balance" not in anna.last_text()


async def test_a_russian_member_is_pointed_in_russian(sandbox, bot_app):
    boris = sandbox.user("Борис", lang="ru")
    chat = sandbox.group("Болельщики", members=[boris])
    await boris.send("/tickets", chat=chat)
    assert "личном чате" in chat.last_text()


async def test_nobody_identifiable_is_ignored_without_an_error(sandbox, bot_app, caplog):
    channel = sandbox.channel("News")
    group = sandbox.group("Discussion", linked_channel=channel)
    people_before = await _people(bot_app.engine)
    with caplog.at_level(logging.INFO):
        await group.send_as_anonymous_admin("/wallet")
        await group.send_as_anonymous_admin("/start", signature="Boss")
        await channel.post("/cart")  # reaches the discussion group as an automatic forward
    assert group.messages == [] and channel.messages == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert await _people(bot_app.engine) == people_before, "nobody was created from a channel or an anonymous admin"


async def test_a_button_pressed_in_a_group_is_answered_privately(sandbox, bot_app, demo_event):
    anna = sandbox.user("Anna", lang="en")
    chat = sandbox.group("Fans", members=[anna])
    await anna.send("/wallet", chat=chat)
    pointer = chat.last_message()
    await anna.press_data("ct:show:0:0", pointer, chat=chat)
    assert POINTER in (anna.last_alert() or "")
    assert len(chat.messages) == 1, "the press was answered with an alert only Anna sees"
    assert anna.unanswered_queries() == []


async def test_an_admin_command_in_a_group_does_nothing(sandbox, bot_app, admin):
    anna = sandbox.user("Anna", lang="en")
    await anna.send("/start")
    staffroom = sandbox.group("Staff", members=[admin])
    await admin.send(f"/credit {anna.id} 100", chat=staffroom)
    async with bot_app.engine.connect() as conn:
        credits = (await conn.execute(select(func.count()).select_from(wallet_entries))).scalar_one()
    assert credits == 0
    assert [POINTER in m.content for m in staffroom.messages] == [True]
    assert anna.messages[-1].content.startswith("Hello"), "Anna heard nothing about a credit"
