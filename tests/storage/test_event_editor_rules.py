"""Event editor rules at the service level, on SQLite and PostgreSQL: what a new draft holds, what each
clear removes (and only that), what publishing asks for, that every edit works on the event as it is
after a concurrent change (the row is locked first), and that looking at one's event never waits for an
edit in progress."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.errors import EventIncomplete, EventNotEditable, OwnEventNotFound
from domain.event_fields import EventField
from domain.models import CartItem, EventStatus, ItemKind, ItemState, TelegramProfile, TicketType
from domain.money import Money
from domain.policies import AdminPolicy
from domain.services.event_editor import EventEditor
from domain.services.users import UserService
from storage.uow import UnitOfWorkFactory

MSK = ZoneInfo("Europe/Moscow")
START = datetime(2026, 12, 25, 16, 0, tzinfo=UTC)  # "25.12.2026 19:00" in Moscow
READER_PATIENCE = 0.5  # seconds a reader may take while a writer is busy (it should take none)


@pytest.fixture
def parts(engine, clock):
    uow = UnitOfWorkFactory(engine)
    return uow, EventEditor(uow, clock), UserService(uow, clock, AdminPolicy())


async def _organizer(uow, users, telegram_id: int = 1):
    user = await users.identify(TelegramProfile(telegram_id, f"P{telegram_id}"))
    async with uow() as u:
        await u.organizers.set_organizer(user.id, True)
        await u.commit()
    return user


async def _add_tariff(uow, event_id: int) -> None:
    async with uow() as u:
        await u.events.add_ticket_type(TicketType(0, event_id, "Std", Money(100, "RUB"), 10))
        await u.commit()


async def _complete_draft(uow, editor, olga, title: str = "Маузер"):
    draft = await editor.create(olga, title)
    await editor.set_text(olga, draft.id, EventField.VENUE, "Сатирикон", MSK)
    await editor.set_text(olga, draft.id, EventField.STARTS_AT, "25.12.2026 19:00", MSK)
    await _add_tariff(uow, draft.id)
    return draft


async def _while_uncommitted(uow, change, call):
    """Start `call` while another transaction has made `change` but not committed it yet; that transaction
    commits a moment later. Returns what `call` returns (or raises what it raises)."""
    async with uow() as u:
        await change(u)
        task = asyncio.create_task(call)
        await asyncio.sleep(0.15)  # the call now waits for a lock (or, without one, has read the old rows)
        await u.commit()
    return await task


async def _while_changed_elsewhere(uow, event_id: int, change, call):
    """As above, with the change made to the event after locking its row, as every edit does."""

    async def locked(u) -> None:
        await change(u, await u.events.get_for_update(event_id))

    return await _while_uncommitted(uow, locked, call)


def _edit(**values):
    """A change of some of the event's details, as another edit would make it."""

    async def change(u, event) -> None:
        for name, value in values.items():
            setattr(event, name, value)
        await u.events.save_details(event)

    return change


async def test_a_new_draft_has_no_venue_yet(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await editor.create(olga, "Маузер")
    assert draft.venue == ""
    stored = await editor.own(olga, draft.id)
    assert (stored.venue, stored.status, stored.title) == ("", EventStatus.DRAFT, "Маузер")


async def test_the_poster_is_stored_and_refused_once_the_event_is_cancelled(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await editor.create(olga, "Маузер")
    assert (await editor.set_poster(olga, draft.id, "AgAC-poster")).poster_file_id == "AgAC-poster"
    assert (await editor.own(olga, draft.id)).poster_file_id == "AgAC-poster"
    with pytest.raises(OwnEventNotFound):
        await editor.set_poster(olga, draft.id + 1000, "AgAC-other")
    await editor.cancel(olga, draft.id)
    with pytest.raises(EventNotEditable):
        await editor.set_poster(olga, draft.id, "AgAC-late")
    assert (await editor.own(olga, draft.id)).poster_file_id == "AgAC-poster"


async def test_an_age_limit_is_stored_as_a_number(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await editor.create(olga, "Маузер")
    assert (await editor.set_text(olga, draft.id, EventField.AGE_LIMIT, " 16+ ", MSK)).age_limit == 16
    assert (await editor.own(olga, draft.id)).age_limit == 16


async def test_editing_an_event_that_does_not_exist_is_told_so(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    with pytest.raises(OwnEventNotFound):
        await editor.set_text(olga, 987654, EventField.TITLE, "Nothing", MSK)
    with pytest.raises(OwnEventNotFound):
        await editor.clear(olga, 987654, EventField.DESCRIPTION)
    with pytest.raises(OwnEventNotFound):
        await editor.publish(olga, 987654)


async def test_clearing_a_text_field_empties_it_and_leaves_the_poster_and_age_limit(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await editor.create(olga, "Маузер")
    await editor.set_text(olga, draft.id, EventField.DESCRIPTION, "A play", MSK)
    await editor.set_text(olga, draft.id, EventField.PERFORMERS, "Райкин", MSK)
    await editor.set_text(olga, draft.id, EventField.AGE_LIMIT, "16", MSK)
    await editor.set_poster(olga, draft.id, "AgAC-poster")
    cleared = await editor.clear(olga, draft.id, EventField.DESCRIPTION)
    assert cleared.description == ""
    stored = await editor.own(olga, draft.id)
    assert (stored.description, stored.performers, stored.poster_file_id, stored.age_limit) == (
        "",
        "Райкин",
        "AgAC-poster",
        16,
    )


async def test_clearing_the_poster_or_the_age_limit_leaves_none_and_nothing_else_changes(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await editor.create(olga, "Маузер")
    await editor.set_text(olga, draft.id, EventField.DESCRIPTION, "A play", MSK)
    await editor.set_text(olga, draft.id, EventField.AGE_LIMIT, "12", MSK)
    await editor.set_poster(olga, draft.id, "AgAC-poster")
    await editor.clear(olga, draft.id, EventField.POSTER)
    stored = await editor.own(olga, draft.id)
    assert (stored.poster_file_id, stored.age_limit, stored.description) == (None, 12, "A play")
    await editor.clear(olga, draft.id, EventField.AGE_LIMIT)
    stored = await editor.own(olga, draft.id)
    assert (stored.poster_file_id, stored.age_limit, stored.description) == (None, None, "A play")


async def test_publishing_names_everything_missing(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await editor.create(olga, "Маузер")
    with pytest.raises(EventIncomplete) as caught:
        await editor.publish(olga, draft.id)
    assert caught.value.params == {"missing": ["venue", "starts_at", "tariffs"]}
    assert (await editor.own(olga, draft.id)).status is EventStatus.DRAFT


async def test_publishing_without_a_venue_is_refused_even_when_the_rest_is_there(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await _complete_draft(uow, editor, olga)
    async with uow() as u:  # the venue emptied behind the editor's back (the editor refuses to clear it)
        event = await u.events.get_for_update(draft.id)
        event.venue = ""
        await u.events.save_details(event)
        await u.commit()
    with pytest.raises(EventIncomplete) as caught:
        await editor.publish(olga, draft.id)
    assert caught.value.params == {"missing": ["venue"]}


async def test_a_start_that_is_now_or_past_is_missing_for_sale(parts, clock):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await _complete_draft(uow, editor, olga)
    for moment in (START, datetime(2026, 12, 26, tzinfo=UTC)):
        clock.set(moment)
        with pytest.raises(EventIncomplete) as caught:
            await editor.publish(olga, draft.id)
        assert caught.value.params == {"missing": ["starts_at"]}


async def test_publishing_one_draft_leaves_the_other_drafts_alone(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    first = await _complete_draft(uow, editor, olga, "First")
    second = await _complete_draft(uow, editor, olga, "Second")
    assert (await editor.publish(olga, first.id)).status is EventStatus.PUBLISHED
    assert (await editor.own(olga, first.id)).status is EventStatus.PUBLISHED
    assert (await editor.own(olga, second.id)).status is EventStatus.DRAFT


async def test_the_overview_shows_the_event_its_tariffs_and_what_is_missing(parts, clock):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    ivan = await _organizer(uow, users, 2)
    draft = await editor.create(olga, "Маузер")
    event, tariffs, missing = await editor.overview(olga, draft.id)
    assert (event.id, event.title, tariffs, missing) == (draft.id, "Маузер", [], ["venue", "starts_at", "tariffs"])
    await editor.set_text(olga, draft.id, EventField.VENUE, "Сатирикон", MSK)
    await editor.set_text(olga, draft.id, EventField.STARTS_AT, "25.12.2026 19:00", MSK)
    await _add_tariff(uow, draft.id)
    event, tariffs, missing = await editor.overview(olga, draft.id)
    assert (event.venue, [t.name for t in tariffs], missing) == ("Сатирикон", ["Std"], [])
    clock.set(START)
    assert (await editor.overview(olga, draft.id))[2] == ["starts_at"]
    with pytest.raises(OwnEventNotFound):
        await editor.overview(ivan, draft.id)


async def test_looking_at_ones_event_does_not_wait_for_an_edit_in_progress(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await editor.create(olga, "Маузер")
    async with uow() as u:  # an edit holding the event (PostgreSQL: its row; SQLite: the writer's turn)
        await u.events.get_for_update(draft.id)
        assert (await asyncio.wait_for(editor.own(olga, draft.id), READER_PATIENCE)).title == "Маузер"
        event, _tariffs, _missing = await asyncio.wait_for(editor.overview(olga, draft.id), READER_PATIENCE)
        assert event.title == "Маузер"


async def test_a_text_edit_keeps_a_concurrent_change_to_another_field(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await editor.create(olga, "Маузер")
    await _while_changed_elsewhere(
        uow,
        draft.id,
        _edit(title="Маузер (премьера)"),
        editor.set_text(olga, draft.id, EventField.VENUE, "Сатирикон", MSK),
    )
    stored = await editor.own(olga, draft.id)
    assert (stored.title, stored.venue) == ("Маузер (премьера)", "Сатирикон")


async def test_a_new_poster_keeps_a_concurrent_change_to_another_field(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await editor.create(olga, "Маузер")
    await _while_changed_elsewhere(
        uow, draft.id, _edit(description="A play"), editor.set_poster(olga, draft.id, "AgAC-poster")
    )
    stored = await editor.own(olga, draft.id)
    assert (stored.description, stored.poster_file_id) == ("A play", "AgAC-poster")


async def test_clearing_a_field_keeps_a_concurrent_change_to_another_field(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await editor.create(olga, "Маузер")
    await editor.set_text(olga, draft.id, EventField.DESCRIPTION, "A play", MSK)
    await _while_changed_elsewhere(
        uow, draft.id, _edit(performers="Райкин"), editor.clear(olga, draft.id, EventField.DESCRIPTION)
    )
    stored = await editor.own(olga, draft.id)
    assert (stored.description, stored.performers) == ("", "Райкин")


async def test_publishing_sees_a_venue_removed_while_it_waited(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await _complete_draft(uow, editor, olga)

    with pytest.raises(EventIncomplete) as caught:
        await _while_changed_elsewhere(uow, draft.id, _edit(venue=""), editor.publish(olga, draft.id))
    assert caught.value.params == {"missing": ["venue"]}
    assert (await editor.own(olga, draft.id)).status is EventStatus.DRAFT


async def test_cancelling_sees_a_publish_made_while_it_waited(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await _complete_draft(uow, editor, olga)

    async def publish(u, event) -> None:
        assert await u.events.set_status(event.id, EventStatus.DRAFT, EventStatus.PUBLISHED)

    cancelled = await _while_changed_elsewhere(uow, draft.id, publish, editor.cancel(olga, draft.id))
    assert cancelled.status is EventStatus.CANCELLED
    assert (await editor.own(olga, draft.id)).status is EventStatus.CANCELLED


async def test_cancelling_ends_a_hold_renewed_while_it_ran(parts, clock):
    """A renew in flight turns an expired item back into a hold: the cancel ends that hold too instead of
    leaving it live on a cancelled event."""
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    anna = await users.identify(TelegramProfile(50, "Anna"))
    draft = await _complete_draft(uow, editor, olga)
    await editor.publish(olga, draft.id)
    now = clock.now()
    async with uow() as u:
        tariff = (await u.events.ticket_types(draft.id))[0]
        cart = await u.carts.for_user(anna.id, now)
        before = now - timedelta(minutes=1)
        expired = CartItem(0, cart.id, ItemKind.TICKET, 2, tariff.price, ItemState.EXPIRED, before, tariff.id, draft.id)
        item = await u.carts.add_item(expired, now)
        await u.commit()

    async def renew(u) -> None:  # what CartService.renew does, up to its commit (the event is not locked)
        assert await u.carts.transition(item.id, ItemState.EXPIRED, ItemState.HELD, now, qty=2)
        assert await u.carts.change_qty(item.id, 2, 2, now + timedelta(minutes=15), now)
        assert await u.inventory.hold(tariff.id, 2)
        assert await u.events.status_of(draft.id) is EventStatus.PUBLISHED

    await _while_uncommitted(uow, renew, editor.cancel(olga, draft.id))
    async with uow(write=False) as u:
        items = (await u.carts.for_user(anna.id, now)).items
    assert [(i.id, i.state, i.hold_active(now)) for i in items] == [(item.id, ItemState.HELD, False)]


async def test_cancelling_waits_for_a_hold_of_its_tickets_in_flight(parts, clock):
    """A hold taken meanwhile (its cart line first, then the quota, as CartService takes it) commits before
    the cancel goes on: the new line refers to the event row the cancel locks. So ending the holds next
    sees them all."""
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await _complete_draft(uow, editor, olga)
    await editor.publish(olga, draft.id)
    buyer = await users.identify(TelegramProfile(4242, "Buyer"))
    async with uow() as u:
        tariff = (await u.events.ticket_types(draft.id))[0]
    async with uow() as u:  # a hold of the event's tickets, not yet committed
        cart = await u.carts.for_user(buyer.id, clock.now(), lock=True)
        until = clock.now() + timedelta(minutes=15)
        line = CartItem(0, cart.id, ItemKind.TICKET, 1, tariff.price, ItemState.HELD, until, tariff.id, draft.id)
        await u.carts.add_item(line, clock.now())
        assert await u.inventory.hold(tariff.id, 1)
        cancel = asyncio.create_task(editor.cancel(olga, draft.id))
        await asyncio.sleep(0.15)
        waited = not cancel.done()
        await u.commit()
    assert (await cancel).status is EventStatus.CANCELLED
    assert waited
    async with uow() as u:
        (held,) = (await u.carts.for_user(buyer.id, clock.now())).items
    assert held.held_until == clock.now()  # the hold that was in flight is ended with the others


async def test_cancelling_one_event_does_not_wait_for_holds_on_another(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    first = await _complete_draft(uow, editor, olga, "First")
    other = await _complete_draft(uow, editor, olga, "Other")
    async with uow() as u:
        other_tariff = (await u.events.ticket_types(other.id))[0]
    if uow.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time: every writer waits for the one before")
    async with uow() as u:  # a hold on the other event's tickets, not yet committed
        assert await u.inventory.hold(other_tariff.id, 1)
        cancelled = await asyncio.wait_for(editor.cancel(olga, first.id), READER_PATIENCE)
        assert cancelled.status is EventStatus.CANCELLED


async def test_an_event_is_over_only_once_its_end_or_start_has_passed(parts, clock):
    uow, editor, users = parts
    olga = await _organizer(uow, users)
    draft = await _complete_draft(uow, editor, olga)
    await editor.publish(olga, draft.id)
    clock.set(START)
    assert await editor.finish_past() == 0
    assert (await editor.own(olga, draft.id)).status is EventStatus.PUBLISHED
    clock.advance(seconds=1)
    assert await editor.finish_past() == 1
    assert (await editor.own(olga, draft.id)).status is EventStatus.FINISHED


async def test_the_status_of_an_event_that_does_not_exist_is_none(engine):
    async with UnitOfWorkFactory(engine)(write=False) as u:
        assert await u.events.status_of(987654) is None
