"""A webhook body is cleaned by the same loader as a getUpdates answer: aiogram's webhook handler parses
requests with `bot.session.json_loads` (a webhook mode is coming; this pins the contract down now)."""

from __future__ import annotations

import json
import time

from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import textclean
from bot.app import build_app
from bot.config import Settings
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import ADMIN_ID

HOSTILE_NAME = "Ан\x00на\u202egnp.exe\ud83d"


async def test_webhook_update_with_hostile_names_is_cleaned_and_answered(sandbox, engine, clock):
    settings = Settings(
        _env_file=None,
        bot_token=None,
        telegram_api_base=sandbox.base_url,
        admin_ids=str(ADMIN_ID),
        timezone="Europe/Moscow",
    )
    app = build_app(settings, engine, clock)
    assert app.bot.session.json_loads is textclean.loads
    person = sandbox.user("Webhook person")
    await person.send("/start", wait=False)  # the sandbox now knows the chat; nobody polls in this test
    web_app = web.Application()
    SimpleRequestHandler(dispatcher=app.dp, bot=app.bot, handle_in_background=False).register(web_app, "/webhook")
    update = {
        "update_id": 77,
        "message": {
            "message_id": 5,
            "date": int(time.time()),
            "chat": {"id": person.id, "type": "private", "first_name": HOSTILE_NAME},
            "from": {
                "id": person.id,
                "is_bot": False,
                "first_name": HOSTILE_NAME,
                "last_name": HOSTILE_NAME,
                "username": "w\x00b",
                "language_code": "en",
            },
            "text": "маузер\x00\u202e",
        },
    }
    try:
        async with TestClient(TestServer(web_app)) as client:
            response = await client.post(
                "/webhook", data=json.dumps(update), headers={"Content-Type": "application/json"}
            )
            assert response.status == 200
    finally:
        await app.close()
    async with UnitOfWorkFactory(engine)(write=False) as u:
        user = await u.users.by_telegram_id(person.id)
    assert (user.first_name, user.last_name, user.username) == ("Аннаgnp.exe\ufffd", "Аннаgnp.exe\ufffd", "wb")
    assert person.messages, "the search got an answer"
    assert "маузер" in person.last_text() and "Sorry" not in person.last_text()
