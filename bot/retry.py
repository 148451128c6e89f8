"""One session-level answer to Telegram's 429: wait `retry_after` (bounded) and send again."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType

logger = logging.getLogger(__name__)


class RetryAfterMiddleware(BaseRequestMiddleware):
    def __init__(self, max_attempts: int = 4, max_wait: float = 30.0) -> None:
        self.max_attempts = max_attempts
        self.max_wait = max_wait

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        attempt = 1
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if isinstance(method, GetUpdates) or attempt >= self.max_attempts or exc.retry_after > self.max_wait:
                    raise
                logger.warning("flood control on %s: retry in %ss", type(method).__name__, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
                attempt += 1
