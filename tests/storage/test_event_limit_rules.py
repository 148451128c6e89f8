"""The event's own anti-scalping limits as its organizer sets them from the event's menu, on SQLite and
PostgreSQL: the number typed is kept (and read back), an unreadable one is refused and changes nothing,
and clearing one goes back to the shop's limit (none of the event's own), leaving the other as it was."""

from __future__ import annotations

import pytest

from domain.errors import TicketLimitInvalid
from domain.event_fields import MAX_TICKET_LIMIT, EventField
from domain.policies import AdminPolicy
from domain.services.event_editor import EventEditor
from domain.services.users import UserService
from storage.uow import UnitOfWorkFactory
from tests.storage.test_event_editor_rules import MSK, _organizer


async def _stored(uow, event_id: int):
    async with uow(write=False) as u:
        return await u.events.get(event_id)


async def test_the_organizer_sets_the_events_own_limits_and_clears_them_back_to_the_shops(engine, clock):
    uow = UnitOfWorkFactory(engine)
    editor, users = EventEditor(uow, clock), UserService(uow, clock, AdminPolicy())
    olga = await _organizer(uow, users)
    draft = await editor.create(olga, "Маузер")

    shown = await editor.set_text(olga, draft.id, EventField.MAX_PER_PERSON, " 4 ", MSK)
    assert (shown.max_per_person, shown.max_per_order) == (4, None)
    shown = await editor.set_text(olga, draft.id, EventField.MAX_PER_ORDER, "2", MSK)
    assert (shown.max_per_person, shown.max_per_order) == (4, 2)
    stored = await _stored(uow, draft.id)
    assert (stored.max_per_person, stored.max_per_order) == (4, 2), "kept"

    for typed in ("0", "1001", "x", "", "٣"):
        with pytest.raises(TicketLimitInvalid) as refused:
            await editor.set_text(olga, draft.id, EventField.MAX_PER_ORDER, typed, MSK)
        assert refused.value.params == {"max": MAX_TICKET_LIMIT}, typed
    stored = await _stored(uow, draft.id)
    assert (stored.max_per_person, stored.max_per_order) == (4, 2), "a refused number changes nothing"

    shown = await editor.clear(olga, draft.id, EventField.MAX_PER_PERSON)
    assert (shown.max_per_person, shown.max_per_order) == (None, 2)
    stored = await _stored(uow, draft.id)
    assert (stored.max_per_person, stored.max_per_order) == (None, 2), "back to the shop's, the other kept"
    await editor.clear(olga, draft.id, EventField.MAX_PER_ORDER)
    stored = await _stored(uow, draft.id)
    assert (stored.max_per_person, stored.max_per_order, stored.title) == (None, None, "Маузер")
