"""Per-update middlewares: skip redeliveries, identify the user, log, render domain errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import CallbackQuery, Message, TelegramObject, Update

from bot.logs import action_var, update_id_var, user_id_var
from domain.clock import Clock
from domain.errors import DomainError
from domain.models import TelegramProfile
from domain.services.users import UserService
from handlers.render import render_error

logger = logging.getLogger("bot.updates")
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
ALERT_LIMIT = 200


def describe(update: Update) -> str:
    """The action for the log line: a command name or callback prefix, never the text a person typed."""
    if update.message:
        text = update.message.text or ""
        if text.startswith("/"):
            return "command:" + text.split()[0][:32]
        return "message:" + (update.message.content_type or "text")
    if update.callback_query:
        return "callback:" + (update.callback_query.data or "").split(":")[0][:16]
    return update.event_type


class UpdateLogMiddleware(BaseMiddleware):
    """Telegram redelivers after a crash: an update id seen before changes nothing the second time."""

    def __init__(self, log, clock: Clock) -> None:
        self.log = log
        self.clock = clock

    async def __call__(self, handler: Handler, event: Update, data: dict[str, Any]) -> Any:
        update_id_var.set(event.update_id)
        action_var.set(describe(event))
        user = data.get("event_from_user")
        user_id_var.set(user.id if user else None)
        if await self.log.seen(event.update_id):
            logger.info("duplicate update skipped")
            return UNHANDLED
        try:
            return await handler(event, data)
        finally:
            await self.log.mark(event.update_id, self.clock.now())
            logger.info("handled")


class IdentifyMiddleware(BaseMiddleware):
    """First contact creates the user; every update refreshes the profile and injects `user`."""

    def __init__(self, users: UserService) -> None:
        self.users = users

    async def __call__(self, handler: Handler, event: Update, data: dict[str, Any]) -> Any:
        tg = data.get("event_from_user")
        if tg is not None and not tg.is_bot:
            user, first_contact = await self.users.identify_first(
                TelegramProfile(tg.id, tg.first_name, tg.last_name, tg.username, tg.language_code)
            )
            data["user"], data["first_contact"] = user, first_contact
            data["is_admin"] = self.users.is_admin(data["user"])
        return await handler(event, data)


class DomainErrorMiddleware(BaseMiddleware):
    """A domain error is an answer, not a crash: show its translated text and change nothing more."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except DomainError as error:
            text = render_error(error)
            logger.info("domain error %s", error.code)
            if isinstance(event, CallbackQuery):
                answer = data.get("callback_answer")
                alert = render_error(error, html=False)
                if len(alert) <= ALERT_LIMIT and answer is not None and not answer.answered:
                    answer.text = alert
                    answer.show_alert = True
                elif event.message is not None:
                    await event.message.answer(text)
            elif isinstance(event, Message):
                await event.answer(text)
            return None
