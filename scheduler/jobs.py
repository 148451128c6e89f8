"""The sweeps. Each job is one thin call of a domain service, safe to run twice or in two processes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from domain.clock import Clock
from domain.services.cart import CartService
from domain.services.catalog import CatalogService
from domain.services.event_editor import EventEditor
from domain.services.memberships import MembershipService, RenewalRun

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


async def prune_searches(catalog: CatalogService) -> int:
    pruned = await catalog.prune_searches()
    if pruned:
        logger.info("pruned %s saved searches", pruned)
    return pruned


async def finish_past_events(editor: EventEditor) -> int:
    finished = await editor.finish_past()
    if finished:
        logger.info("finished %s past events", finished)
    return finished


async def renew_memberships(
    memberships: MembershipService, send_notices: Callable[[], Awaitable[int]] | None = None
) -> RenewalRun:
    """Renew (or lapse, or end) every membership whose paid period is over, then tell the holders."""
    run = await memberships.renew_due()
    if run.total:
        logger.info("memberships: %s renewed, %s lapsed, %s ended", run.renewed, run.lapsed, run.ended)
    if send_notices is not None:
        await send_notices()
    return run


def build_scheduler(
    cart: CartService,
    catalog: CatalogService,
    update_log: UpdateLogPort,
    clock: Clock,
    sweep_seconds: int = 30,
    deliver: Callable[[], Awaitable[int]] | None = None,
    editor: EventEditor | None = None,
    resume_broadcasts: Callable[[], Awaitable[int]] | None = None,
    memberships: MembershipService | None = None,
    membership_notices: Callable[[], Awaitable[int]] | None = None,
) -> AsyncIOScheduler:
    """`deliver` sends the tickets of paid orders Telegram refused at payment time (bot/delivery.py)."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    every = dict(max_instances=1, coalesce=True)
    scheduler.add_job(
        release_expired_holds, "interval", seconds=sweep_seconds, args=[cart], id="release_expired_holds", **every
    )
    scheduler.add_job(prune_update_log, "interval", hours=1, args=[update_log, clock], id="prune_update_log", **every)
    scheduler.add_job(prune_searches, "interval", hours=1, args=[catalog], id="prune_searches", **every)
    if editor is not None:
        scheduler.add_job(finish_past_events, "interval", minutes=5, args=[editor], id="finish_past_events", **every)
    if resume_broadcasts is not None:
        scheduler.add_job(resume_broadcasts, "interval", minutes=1, id="resume_broadcasts", **every)
    if deliver is not None:
        scheduler.add_job(deliver, "interval", seconds=sweep_seconds, id="deliver_tickets", **every)
    if memberships is not None:
        scheduler.add_job(
            renew_memberships,
            "interval",
            seconds=sweep_seconds,
            args=[memberships, membership_notices],
            id="renew_memberships",
            **every,
        )
    return scheduler
