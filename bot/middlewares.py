"""Per-update middlewares: skip redeliveries, keep to private chats, identify the user, log, retry
transient conflicts, render domain errors."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message, TelegramObject, Update
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware
from aiogram.utils.i18n import I18n

from bot.logs import action_var, update_id_var, user_id_var
from domain.clock import Clock
from domain.errors import ConcurrencyConflict, DomainError
from domain.models import Language, TelegramProfile
from domain.services.users import UserService
from handlers.views.base import render_error
from handlers.views.common import private_chat_pointer

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
    """Telegram redelivers after a crash: an update id seen before changes nothing the second time.
    The durable poller already checked its inbox (and says so with `inbox_checked`); other entry points
    (a webhook, tests feeding updates) are checked here."""

    def __init__(self, log, clock: Clock) -> None:
        self.log = log
        self.clock = clock

    async def __call__(self, handler: Handler, event: Update, data: dict[str, Any]) -> Any:
        update_id_var.set(event.update_id)
        action_var.set(describe(event))
        user = data.get("event_from_user")
        user_id_var.set(user.id if user else None)
        if not data.get("inbox_checked") and await self.log.seen(event.update_id):
            logger.info("duplicate update skipped")
            return UNHANDLED
        try:
            result = await handler(event, data)
        except asyncio.CancelledError:
            raise  # cut short (a stop's deadline): unfinished, so it is replayed at the next start
        except Exception:
            self.log.mark_soon(event.update_id, self.clock.now())  # the error handler answers it
            raise
        self.log.mark_soon(event.update_id, self.clock.now())
        logger.info("handled")
        return result


GROUP_ANONYMOUS_BOT = 1087968824  # what Telegram puts in `from` for an anonymous group admin
SERVICE_ACCOUNT = 777000  # "Telegram": the sender of channel posts forwarded into a linked group


def identifiable_person(update: Update, data: dict[str, Any]) -> bool:
    """A real person wrote or pressed this: not a channel, not an anonymous admin, not a bot."""
    person = data.get("event_from_user")
    if person is None or person.is_bot or person.id in (GROUP_ANONYMOUS_BOT, SERVICE_ACCOUNT):
        return False
    message = update.message
    return not (message is not None and (message.sender_chat is not None or message.is_automatic_forward))


class PrivateChatOnlyMiddleware(BaseMiddleware):
    """Customer, organiser and staff dialogs live in private chats: balances, tickets and names must never
    be posted to a group. In a group a command gets one short line pointing to the private chat (at most
    once a minute per group, so a busy group cannot make the bot flood it); everything else is ignored.
    Nothing is written to the database for a group update."""

    def __init__(self, i18n: I18n, cooldown: float = 60.0) -> None:
        self.i18n = i18n
        self.cooldown = cooldown
        self._pointed: dict[int, float] = {}

    async def __call__(self, handler: Handler, event: Update, data: dict[str, Any]) -> Any:
        if not identifiable_person(event, data):
            logger.info("ignored: no identifiable person")
            return UNHANDLED
        chat = data.get("event_chat")
        if chat is not None and chat.type == ChatType.PRIVATE:
            return await handler(event, data)
        if event.inline_query is not None:
            return await handler(event, data)  # public search results, from any chat: nothing personal
        if event.pre_checkout_query is not None:
            return await handler(event, data)  # no chat at all: the answer goes to Telegram, not to a chat
        logger.info("ignored: not a private chat")
        bot: Bot = data["bot"]
        person = data["event_from_user"]
        lang = Language.from_telegram(person.language_code).value
        if event.callback_query is not None:
            text, _kb = await self._pointer(bot, lang)
            await _answer_quietly(event.callback_query, text)
        elif event.message is not None and (event.message.text or "").startswith("/") and self._may_point(chat):
            text, kb = await self._pointer(bot, lang)
            await event.message.answer(text, reply_markup=kb)
        return UNHANDLED

    async def _pointer(self, bot: Bot, lang: str):
        me = await bot.me()
        with self.i18n.context(), self.i18n.use_locale(lang):
            return private_chat_pointer(me.username or "")

    def _may_point(self, chat) -> bool:
        if chat is None:
            return False
        now = time.monotonic()
        if len(self._pointed) > 256:
            self._pointed = {k: v for k, v in self._pointed.items() if now - v < self.cooldown}
        last = self._pointed.get(chat.id)
        if last is not None and now - last < self.cooldown:
            return False
        self._pointed[chat.id] = now
        return True


async def _answer_quietly(query: CallbackQuery, text: str) -> None:
    try:
        await query.answer(text, show_alert=True)
    except TelegramBadRequest as exc:
        logger.info("could not answer a callback query: %s", exc.message)


class LenientCallbackAnswerMiddleware(CallbackAnswerMiddleware):
    """Answers every press, as aiogram's does; but a press replayed after a restart may be too old for
    Telegram to accept an answer, and that must not turn a finished purchase into an apology."""

    async def answer(self, event: CallbackQuery, callback_answer: CallbackAnswer) -> None:
        try:
            await super().answer(event, callback_answer)
        except TelegramBadRequest as exc:
            if "query is too old" not in exc.message and "query ID is invalid" not in exc.message:
                raise
            logger.info("callback query too old to answer")


class ConflictRetryMiddleware(BaseMiddleware):
    """A deadlock or serialization failure rolled the whole unit of work back: run the handler again
    (a bounded number of times, with a little jitter) before anyone sees an apology. Handlers call one
    service before they say anything, so a retried handler has sent nothing yet."""

    def __init__(self, attempts: int = 4, base_delay: float = 0.02) -> None:
        self.attempts = attempts
        self.base_delay = base_delay

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        for attempt in range(1, self.attempts + 1):
            try:
                return await handler(event, data)
            except ConcurrencyConflict:
                if attempt == self.attempts:
                    raise
                logger.info("transient conflict, attempt %s of %s", attempt, self.attempts)
                await asyncio.sleep(self.base_delay * attempt * (1 + random.random()))
        raise AssertionError("unreachable")


class IdentifyMiddleware(BaseMiddleware):
    """First contact creates the user; every update refreshes the profile and injects `user`."""

    def __init__(self, users: UserService) -> None:
        self.users = users

    async def __call__(self, handler: Handler, event: Update, data: dict[str, Any]) -> Any:
        tg = data.get("event_from_user")
        if event.inline_query is not None:
            return await handler(event, data)  # anyone may search inline: nobody is written down for it
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
