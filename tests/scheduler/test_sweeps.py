"""The sweeps with a moved clock: quota comes back once, a restart or a second process changes nothing;
saved searches and old update ids do not pile up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import SearchExpired
from domain.models import Event, EventStatus, TelegramProfile, TicketType
from domain.money import Money
from domain.policies import AdminPolicy, HoldPolicy
from domain.services.cart import CartService
from domain.services.catalog import CatalogService
from domain.services.event_editor import EventEditor
from domain.services.users import UserService
from scheduler.jobs import build_scheduler, finish_past_events, prune_searches, release_expired_holds
from storage.inbox import MAX_ATTEMPTS, UpdateInbox
from storage.tables import searches
from storage.uow import UnitOfWorkFactory


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

    catalog = CatalogService(uow, clock, HoldPolicy())
    scheduler = build_scheduler(cart, catalog, UpdateInbox(engine), clock)
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
    log = UpdateInbox(engine)
    await log.mark(1, clock.now())
    assert await log.seen(1)
    clock.advance(days=3)
    await log.mark(2, clock.now())
    assert await log.prune(clock.now()) == 1
    assert not await log.seen(1) and await log.seen(2)


async def test_saved_searches_expire_with_their_buttons(engine, clock):
    uow, _tt, users = await _setup(engine, clock)
    catalog = CatalogService(uow, clock, HoldPolicy())
    anna = await users.identify(TelegramProfile(1, "Anna"))
    old = await catalog.search(anna.id, "Маузер")
    clock.advance(days=1)
    fresh = await catalog.search(anna.id, "Маузер")
    clock.advance(days=1, minutes=1)
    assert await prune_searches(catalog) == 1
    with pytest.raises(SearchExpired):
        await catalog.page(anna.id, old.search_id, 0)
    assert (await catalog.page(anna.id, fresh.search_id, 0)).total == 1
    async with engine.connect() as conn:
        assert (await conn.execute(searches.select())).all() != []
    clock.advance(days=2)
    await prune_searches(catalog)
    async with engine.connect() as conn:
        assert (await conn.execute(searches.select())).all() == []


async def test_inbox_replays_what_was_not_finished_and_gives_up_on_a_poison_update(engine, clock):
    inbox = UpdateInbox(engine)
    assert await inbox.record([(10, '{"update_id": 10}'), (11, '{"update_id": 11}')], clock.now()) == {10, 11}
    # A redelivery of the same batch (the offset was not confirmed before a crash) is not new.
    assert await inbox.record([(11, '{"update_id": 11}'), (12, '{"update_id": 12}')], clock.now()) == {12}
    await inbox.mark(11, clock.now())
    replay, given_up = await inbox.unfinished(clock.now())
    assert [uid for uid, _ in replay] == [10, 12] and given_up == []
    # Only an update that actually started counts: 12 waits behind 10 at each of these starts.
    for _ in range(MAX_ATTEMPTS):
        replay, given_up = await inbox.unfinished(clock.now())
        assert [uid for uid, _ in replay] == [10, 12]
        await inbox.attempt(10)
    replay, given_up = await inbox.unfinished(clock.now())
    assert [uid for uid, _ in replay] == [12] and given_up == [10]
    assert await inbox.seen(10) and not await inbox.seen(12)


async def test_handled_updates_noted_together_are_written_in_one_go(engine, clock):
    inbox = UpdateInbox(engine)
    await inbox.record([(20, '{"update_id": 20}'), (21, '{"update_id": 21}')], clock.now())
    for update_id in (20, 21, 22):
        inbox.mark_soon(update_id, clock.now())
    await inbox.flush()
    assert all([await inbox.seen(20), await inbox.seen(21), await inbox.seen(22)])
    assert await inbox.unfinished(clock.now()) == ([], [])


async def test_events_that_are_over_become_finished_and_leave_search(engine, clock):
    uow = UnitOfWorkFactory(engine)
    now = clock.now()
    async with uow() as u:
        ended = await u.events.add(
            Event(0, "Вчерашний концерт", now + timedelta(hours=1), "Hall", EventStatus.PUBLISHED),
        )
        ended.ends_at = now + timedelta(hours=3)
        await u.events.save_details(ended)
        started = await u.events.add(
            Event(0, "Идущий концерт", now + timedelta(hours=2), "Hall", EventStatus.PUBLISHED)
        )
        ahead = await u.events.add(
            Event(0, "Завтрашний концерт", now + timedelta(days=1), "Hall", EventStatus.PUBLISHED)
        )
        draft = await u.events.add(Event(0, "Черновик концерт", now + timedelta(hours=1), "Hall"))
        await u.commit()
    editor = EventEditor(uow, clock)
    clock.advance(hours=2, minutes=30)  # the first is still on (ends at +3 h), the second has started
    assert await finish_past_events(editor) == 1
    clock.advance(hours=1)
    assert await finish_past_events(editor) == 1
    assert await finish_past_events(editor) == 0  # a second run (or a second process) changes nothing
    async with uow(write=False) as u:
        statuses = [(await u.events.get(e.id)).status for e in (ended, started, ahead, draft)]
    assert statuses == [EventStatus.FINISHED, EventStatus.FINISHED, EventStatus.PUBLISHED, EventStatus.DRAFT]
    someone = await UserService(uow, clock, AdminPolicy()).identify(TelegramProfile(1, "Anna"))
    found = await CatalogService(uow, clock, HoldPolicy()).search(someone.id, "концерт")
    assert [item.event.title for item in found.items] == ["Завтрашний концерт"]
    scheduler = build_scheduler(
        CartService(uow, clock, HoldPolicy(), "RUB"),
        CatalogService(uow, clock, HoldPolicy()),
        UpdateInbox(engine),
        clock,
        editor=editor,
    )
    assert scheduler.get_job("finish_past_events") is not None
