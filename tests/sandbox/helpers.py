"""Helpers shared by the sandbox tests: raw Bot API calls and a bot polling the sandbox."""

from __future__ import annotations

import asyncio

import aiohttp
from aiogram import Bot, Dispatcher, Router

from sandbox import Sandbox


async def raw_call(sb: Sandbox, method: str, token: str | None = None, **params: object) -> tuple[int, dict]:
    """POST ``method`` with JSON ``params`` on a fresh connection; returns (HTTP status, body)."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{sb.base_url}/bot{token or sb.token}/{method}", json=params) as response,
    ):
        return response.status, await response.json()


async def start_polling(
    sb: Sandbox, bot: Bot, router: Router, *, handle_as_tasks: bool = False
) -> tuple[Dispatcher, asyncio.Task]:
    """Poll the sandbox with a Dispatcher running ``router``; returns once the first getUpdates arrived."""
    dp = Dispatcher()
    dp.include_router(router)
    polls_before = sum(1 for method, _ in sb.calls if method == "getUpdates")
    task = asyncio.create_task(
        dp.start_polling(
            bot, handle_as_tasks=handle_as_tasks, polling_timeout=1, handle_signals=False, close_bot_session=False
        )
    )
    for _ in range(200):
        if sum(1 for method, _ in sb.calls if method == "getUpdates") > polls_before:
            break
        await asyncio.sleep(0.01)
    return dp, task
