"""Sending organizers' broadcasts: the one place that talks to Telegram for them (the notifications
issue turns this into the outbox's notifier).

Deliveries are claimed in batches (never twice, even across processes), sent at most PER_SECOND a
second (Telegram allows about 30 for bulk messages), and each outcome recorded at once; the author is
told how many were reached and how many had blocked the bot. A crash leaves claims that go back to
pending after a few minutes, and the scheduler takes the broadcast up again: a message sent just before
the crash may then go out twice, one never goes missing."""

from __future__ import annotations

import asyncio
import logging
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.utils.i18n import I18n

from domain.models import DeliveryStatus
from domain.services.broadcasts import BroadcastOutcome, BroadcastService
from handlers.views import base as v

logger = logging.getLogger(__name__)
PER_SECOND = 20


class BroadcastSender:
    def __init__(self, bot: Bot, i18n: I18n, service: BroadcastService, tz: ZoneInfo, per_second: int = PER_SECOND):
        self._bot = bot
        self._i18n = i18n
        self._service = service
        self._tz = tz
        self._pause = 1 / per_second
        self._running: dict[int, asyncio.Task[None]] = {}

    def launch(self, broadcast_id: int) -> None:
        """Start sending in the background unless this process is sending it already."""
        task = self._running.get(broadcast_id)
        if task is None or task.done():
            self._running[broadcast_id] = asyncio.create_task(self._run(broadcast_id))

    async def resume(self) -> int:
        """The scheduler's job: take up broadcasts left unfinished (by a restart, or another process)."""
        ids = await self._service.unfinished()
        for broadcast_id in ids:
            self.launch(broadcast_id)
        return len(ids)

    async def wait(self) -> None:
        await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def close(self) -> None:
        for task in self._running.values():
            task.cancel()
        await self.wait()

    async def _run(self, broadcast_id: int) -> None:
        loaded = await self._service.load(broadcast_id)
        if loaded is None:
            return
        broadcast, event = loaded
        while batch := await self._service.claim(broadcast_id):
            for delivery in batch:
                status = await self._send(delivery.recipient, event.title, broadcast.text, broadcast_id)
                await self._service.record(delivery.id, status)
                await asyncio.sleep(self._pause)
        outcome = await self._service.finish(broadcast_id)
        if outcome is not None:
            await self._report(outcome)

    async def _send(self, recipient, title: str, text: str, broadcast_id: int) -> DeliveryStatus:
        with self._i18n.context(), self._i18n.use_locale(recipient.language.value):
            header = v._("broadcast.header").format(title=v.escape(title))
        try:
            await self._bot.send_message(recipient.telegram_id, header + "\n\n" + v.escape(text))
        except TelegramForbiddenError:
            return DeliveryStatus.BLOCKED
        except TelegramBadRequest as exc:
            if "chat not found" in exc.message:
                return DeliveryStatus.BLOCKED  # never started the bot, or deleted their account
            logger.warning("broadcast %s to user %s refused: %s", broadcast_id, recipient.id, exc.message)
            return DeliveryStatus.FAILED
        except TelegramAPIError as exc:
            logger.warning("broadcast %s to user %s failed: %s", broadcast_id, recipient.id, exc.message)
            return DeliveryStatus.FAILED
        return DeliveryStatus.SENT

    async def _report(self, outcome: BroadcastOutcome) -> None:
        with self._i18n.context(), self._i18n.use_locale(outcome.author.language.value):
            text = v._("broadcast.done").format(
                title=v.escape(outcome.event.title), sent=outcome.sent, blocked=outcome.blocked, failed=outcome.failed
            )
        try:
            await self._bot.send_message(outcome.author.telegram_id, text)
        except TelegramAPIError as exc:
            logger.warning("could not report broadcast %s: %s", outcome.broadcast.id, exc.message)
