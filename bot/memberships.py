"""Membership notices: what the renewal sweep did (renewed, lapsed, ended), told to each holder in their own
language. The sweep writes a notice row in the same transaction as the renewal; this sender claims unsent
ones (never a row another sender is working on), sends them at most PER_SECOND a second and marks each sent
at once. A sender that dies after sending and before marking leaves its claim, taken up again after a few
minutes: a notice may then go out twice, never not at all. Someone who blocked the bot is not retried."""

from __future__ import annotations

import asyncio
import logging
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.utils.i18n import I18n

from domain.services.memberships import MembershipService
from handlers.views import memberships as view

logger = logging.getLogger(__name__)
PER_SECOND = 20
BATCH = 50


async def send_membership_notices(
    bot: Bot, i18n: I18n, memberships: MembershipService, tz: ZoneInfo, per_second: int = PER_SECOND
) -> int:
    """Send every unsent notice; how many went out (or were given up: the person blocked the bot)."""
    done = 0
    while notices := await memberships.claim_notices(BATCH):
        for notice in notices:
            with i18n.context(), i18n.use_locale(notice.user.language.value):
                text = view.notice(notice, tz)
            try:
                await bot.send_message(notice.user.telegram_id, text)
            except TelegramForbiddenError:
                logger.info("membership notice %s: the holder blocked the bot", notice.id)
            except TelegramBadRequest as exc:
                if "chat not found" not in exc.message:
                    logger.warning("membership notice %s refused: %s; retried later", notice.id, exc.message)
                    continue
            except (TelegramAPIError, OSError) as exc:
                logger.warning("membership notice %s not sent (%s); retried later", notice.id, exc)
                continue
            await memberships.notice_sent(notice.id)
            done += 1
            await asyncio.sleep(1 / per_second)
        if len(notices) < BATCH:
            break
    return done
