"""The sweeps. Each job is one thin call of a domain service, safe to run twice or in two processes."""

from __future__ import annotations

import logging
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from domain.clock import Clock
from domain.services.cart import CartService

logger = logging.getLogger(__name__)


class UpdateLogPort(Protocol):
    async def prune(self, now) -> int: ...


async def release_expired_holds(cart: CartService) -> int:
    released = await cart.release_expired()
    if released:
        logger.info("released %s expired holds", released)
    return released


async def prune_update_log(update_log: UpdateLogPort, clock: Clock) -> int:
    return await update_log.prune(clock.now())


def build_scheduler(
    cart: CartService, update_log: UpdateLogPort, clock: Clock, sweep_seconds: int = 30
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        release_expired_holds,
        "interval",
        seconds=sweep_seconds,
        args=[cart],
        id="release_expired_holds",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        prune_update_log,
        "interval",
        hours=1,
        args=[update_log, clock],
        id="prune_update_log",
        max_instances=1,
        coalesce=True,
    )
    return scheduler
