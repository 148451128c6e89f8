"""Log lines carry the update id, the user id and the action; never the token or what a person typed."""

from __future__ import annotations

import logging

from bot.app import SANDBOX_TOKEN
from bot.logs import ContextFilter


async def test_log_lines_are_structured_and_discreet(sandbox, bot_app, demo_event, caplog):
    caplog.handler.addFilter(ContextFilter())
    caplog.set_level(logging.INFO)
    anna = sandbox.user("Anna")
    await anna.send("/start")
    await anna.send("Маузер secret-phone-89161234567")
    lines = [r for r in caplog.records if r.name == "bot.updates"]
    assert lines, "every handled update is logged"
    assert {r.action for r in lines} >= {"command:/start", "message:text"}
    assert all(r.user_id == anna.id for r in lines)
    assert all(isinstance(r.update_id, int) for r in lines)
    full = "\n".join(f"{r.getMessage()} {r.action}" for r in caplog.records)
    assert SANDBOX_TOKEN not in full and "89161234567" not in full
