"""The hold sweep with a moved clock: quota comes back once, a restart or a second process changes nothing."""

from __future__ import annotations

from datetime import timedelta

from domain.models import Event, EventStatus, TelegramProfile, TicketType
from domain.money import Money
from domain.policies import AdminPolicy, HoldPolicy
from domain.services.cart import CartService
from domain.services.users import UserService
from scheduler.jobs import build_scheduler, release_expired_holds
from storage.uow import UnitOfWorkFactory, UpdateLog


async def _setup(engine, clock):
    uow = UnitOfWorkFactory(engine)
    async with uow() as u:
        event = await u.events.add(Event(0, "Маузер", clock.now() + timedelta(days=5), "Hall", EventStatus.PUBLISHED))
        tt = await u.events.add_ticket_type(TicketType(0, event.id, "Standard", Money(100_000, "RUB"), 10))
        await u.commit()
    users = UserService(uow, clock, AdminPolicy())
    return uow, tt, users


async def test_sweep_releases_expired_holds_once(engine, clock):
    uow, tt, users = await _setup(engine, clock)
    cart = CartService(uow, clock, HoldPolicy(hold_minutes=15), "RUB")
    a = await users.identify(TelegramProfile(1, "A"))
    b = await users.identify(TelegramProfile(2, "B"))
    await cart.add_tickets(a.id, tt.id, 3)
    clock.advance(minutes=10)
    await cart.add_tickets(b.id, tt.id, 2)

    scheduler = build_scheduler(cart, UpdateLog(engine), clock)
    job = scheduler.get_job("release_expired_holds")
    assert job is not None and scheduler.get_job("prune_update_log") is not None

    assert await job.func(*job.args) == 0  # nothing is due yet
    clock.advance(minutes=6)  # A's hold is 16 minutes old, B's 6
    assert await job.func(*job.args) == 1
    # A restarted process (a fresh service and scheduler) finds nothing left to do.
    again = CartService(uow, clock, HoldPolicy(hold_minutes=15), "RUB")
    assert await release_expired_holds(again) == 0
    async with uow(write=False) as u:
        assert (await u.events.ticket_type(tt.id)).held == 2
    clock.advance(minutes=10)
    assert await release_expired_holds(cart) == 1
    async with uow(write=False) as u:
        assert (await u.events.ticket_type(tt.id)).held == 0


async def test_update_log_prunes_old_ids(engine, clock):
    log = UpdateLog(engine)
    await log.mark(1, clock.now())
    assert await log.seen(1)
    clock.advance(days=3)
    await log.mark(2, clock.now())
    assert await log.prune(clock.now()) == 1
    assert not await log.seen(1) and await log.seen(2)
