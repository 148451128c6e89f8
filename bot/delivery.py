"""Ticket messages of paid orders: sent right after the payment, and again by a sweep when Telegram or
the network refused them then. A customer who paid always gets their QR codes."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.utils.i18n import I18n

from domain.services.checkout import CheckoutService
from handlers.qr import TicketPictures
from handlers.tickets import send_ticket
from handlers.views import cart as cart_view

logger = logging.getLogger(__name__)
RETRY_AFTER = timedelta(seconds=60)


async def deliver_undelivered(
    bot: Bot, pictures: TicketPictures, checkout: CheckoutService, i18n: I18n, tz: ZoneInfo
) -> int:
    """The sweep: every paid order still without its ticket messages a minute after the payment."""
    delivered = 0
    for result, buyer in await checkout.undelivered(RETRY_AFTER):
        try:
            with i18n.context(), i18n.use_locale(buyer.language.value):
                await bot.send_message(buyer.telegram_id, cart_view.purchase(result, delivering=True))
                for ticket in result.tickets:
                    await send_ticket(bot, pictures, buyer.telegram_id, ticket, tz)
        except TelegramForbiddenError:
            logger.warning("order %s: the buyer blocked the bot; tickets stay in /tickets", result.order.id)
        except (TelegramAPIError, OSError) as exc:
            logger.warning("order %s: tickets not delivered yet (%s); next sweep", result.order.id, exc)
            continue
        await checkout.mark_delivered(buyer.id, result.order.id)
        delivered += 1
    if delivered:
        logger.info("delivered the tickets of %s paid orders", delivered)
    return delivered
