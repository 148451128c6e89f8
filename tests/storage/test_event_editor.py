"""Organizers edit only their own, editable events, one checked field at a time (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from domain.errors import (
    EndBeforeStart,
    EventNotEditable,
    FieldEmpty,
    NotOrganizer,
    OwnEventNotFound,
    StartAfterEnd,
)
from domain.event_fields import EventField
from domain.models import EventStatus, TelegramProfile
from domain.policies import AdminPolicy, HoldPolicy
from domain.services.catalog import CatalogService
from domain.services.event_editor import EventEditor
from domain.services.users import UserService
from storage.tables import events
from storage.uow import UnitOfWorkFactory

MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture
def parts(engine, clock):
    uow = UnitOfWorkFactory(engine)
    return uow, EventEditor(uow, clock), UserService(uow, clock, AdminPolicy())


async def _organizer(uow, users, telegram_id: int, organizer: bool = True):
    user = await users.identify(TelegramProfile(telegram_id, f"P{telegram_id}"))
    async with uow() as u:
        await u.organizers.set_organizer(user.id, organizer)
        await u.commit()
    return user


async def test_a_draft_is_stored_from_its_title_and_edited_field_by_field(parts, clock):
    uow, editor, users = parts
    olga = await _organizer(uow, users, 1)
    draft = await editor.create(olga, "  Маузер  ")
    assert (draft.title, draft.status, draft.starts_at, draft.organizer_id) == (
        "Маузер",
        EventStatus.DRAFT,
        None,
        olga.id,
    )
    await editor.set_text(olga, draft.id, EventField.VENUE, "Сатирикон", MSK)
    await editor.set_text(olga, draft.id, EventField.PERFORMERS, "Константин Райкин", MSK)
    await editor.set_text(olga, draft.id, EventField.STARTS_AT, "25.12.2026 19:00", MSK)
    await editor.set_text(olga, draft.id, EventField.CATEGORY, "theatre", MSK)
    event = await editor.own(olga, draft.id)
    assert event.starts_at == datetime(2026, 12, 25, 16, 0, tzinfo=UTC)
    # The search text follows the edits (it is what customers' search matches).
    async with uow() as u:
        await u.connection.execute(update(events).where(events.c.id == draft.id).values(status="published"))
        await u.commit()
    found = await CatalogService(uow, clock, HoldPolicy()).search(olga.id, "райкин")
    assert [item.event.id for item in found.items] == [draft.id]


async def test_start_and_end_keep_their_order_whichever_is_changed(parts):
    uow, editor, users = parts
    olga = await _organizer(uow, users, 1)
    draft = await editor.create(olga, "Маузер")
    await editor.set_text(olga, draft.id, EventField.ENDS_AT, "25.12.2026 22:00", MSK)  # an end before any start
    with pytest.raises(StartAfterEnd):
        await editor.set_text(olga, draft.id, EventField.STARTS_AT, "25.12.2026 22:00", MSK)
    await editor.set_text(olga, draft.id, EventField.STARTS_AT, "25.12.2026 19:00", MSK)
    with pytest.raises(EndBeforeStart):
        await editor.set_text(olga, draft.id, EventField.ENDS_AT, "25.12.2026 19:00", MSK)
    await editor.clear(olga, draft.id, EventField.ENDS_AT)
    await editor.set_text(olga, draft.id, EventField.STARTS_AT, "26.12.2026 19:00", MSK)
    event = await editor.own(olga, draft.id)
    assert event.ends_at is None and event.starts_at == datetime(2026, 12, 26, 16, 0, tzinfo=UTC)
    for required in (EventField.TITLE, EventField.VENUE, EventField.STARTS_AT):
        with pytest.raises(FieldEmpty):
            await editor.clear(olga, draft.id, required)


async def test_only_the_owner_while_an_organizer_and_only_while_editable(parts, engine):
    uow, editor, users = parts
    olga = await _organizer(uow, users, 1)
    ivan = await _organizer(uow, users, 2)
    customer = await _organizer(uow, users, 3, organizer=False)
    draft = await editor.create(olga, "Маузер")
    with pytest.raises(OwnEventNotFound):
        await editor.set_text(ivan, draft.id, EventField.TITLE, "Mine now", MSK)
    with pytest.raises(OwnEventNotFound):
        await editor.own(ivan, draft.id)
    with pytest.raises(OwnEventNotFound):
        await editor.own(olga, draft.id + 1000)
    with pytest.raises(NotOrganizer):
        await editor.create(customer, "Anything")
    with pytest.raises(NotOrganizer):
        await editor.set_poster(customer, draft.id, "AgAC")
    for status in ("cancelled", "finished"):
        async with engine.begin() as conn:
            await conn.execute(update(events).where(events.c.id == draft.id).values(status=status))
        with pytest.raises(EventNotEditable):
            await editor.set_text(olga, draft.id, EventField.TITLE, "Changed", MSK)
        with pytest.raises(EventNotEditable):
            await editor.own(olga, draft.id, editable=True)
        with pytest.raises(EventNotEditable):
            await editor.clear(olga, draft.id, EventField.DESCRIPTION)
    assert (await editor.own(olga, draft.id)).title == "Маузер"
    async with uow() as u:
        await u.organizers.set_organizer(olga.id, False)
        await u.commit()
    with pytest.raises(NotOrganizer):
        await editor.own(olga, draft.id)
