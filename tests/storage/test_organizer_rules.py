"""Organizer role rules at the service and storage level, on SQLite and PostgreSQL: what errors carry for
the message shown, what a decision records, that one decision touches one request, how people are
found by username, how an organizer's events are ordered and paged, and that reading the role never
waits for a writer."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from domain.errors import (
    NotAnOrganizer,
    OrganizerAboutInvalid,
    OrganizerRequestDecided,
    OrganizerRequestDeclined,
    UserNotFound,
)
from domain.models import Event, EventStatus, OrganizerRequestStatus, TelegramProfile, TicketType
from domain.money import Money
from domain.policies import AdminPolicy
from domain.services.organizers import ABOUT_MAX, ABOUT_MIN, EVENTS_PAGE, OrganizerService
from domain.services.users import UserService
from storage.uow import UnitOfWorkFactory

ADMINS = (7001, 7002)
READER_PATIENCE = 0.5  # seconds a reader may take while a writer is busy (it should take none)


class Box:
    def __init__(self, engine, clock) -> None:
        self.clock = clock
        self.uow = UnitOfWorkFactory(engine)
        policy = AdminPolicy(frozenset(ADMINS))
        self.organizers = OrganizerService(self.uow, clock, policy)
        self.users = UserService(self.uow, clock, policy)

    async def person(self, telegram_id: int, username: str | None = None, first_name: str | None = None):
        return await self.users.identify(
            TelegramProfile(telegram_id, first_name or f"P{telegram_id}", username=username)
        )

    async def organizer(self, telegram_id: int, username: str | None = None):
        user = await self.person(telegram_id, username)
        admin = await self.person(ADMINS[0])
        request = (await self.organizers.request(user, "Theatre")).request
        return (await self.organizers.decide(admin, request.id, approve=True)).applicant

    async def stored_user(self, user_id: int):
        async with self.uow(write=False) as u:
            return await u.users.get(user_id)

    async def stored_request(self, request_id: int):
        async with self.uow(write=False) as u:
            return await u.organizers.get_request(request_id)


@pytest.fixture
def box(engine, clock):
    return Box(engine, clock)


async def test_the_shortest_line_about_oneself_is_accepted_and_a_wrong_one_names_the_bounds(box):
    anna = await box.person(1)
    with pytest.raises(OrganizerAboutInvalid) as caught:
        await box.organizers.request(anna, "ab")
    assert caught.value.params == {"min": ABOUT_MIN, "max": ABOUT_MAX}
    filed = await box.organizers.request(anna, "a" * ABOUT_MIN)
    assert filed.request.about == "a" * ABOUT_MIN
    assert filed.request.created_at == box.clock.now()


async def test_a_decision_records_who_decided_and_when_and_the_applicant_as_stored(box):
    anna = await box.person(1)
    admin = await box.person(ADMINS[0])
    request = (await box.organizers.request(anna, "Satirikon Theatre")).request
    box.clock.advance(minutes=5)
    decision = await box.organizers.decide(admin, request.id, approve=True)
    stored = await box.stored_request(request.id)
    assert (stored.status, stored.decided_at, stored.decided_by) == (
        OrganizerRequestStatus.APPROVED,
        box.clock.now(),
        admin.id,
    )
    assert stored.created_at == box.clock.now() - timedelta(minutes=5)
    assert decision.request == stored
    applicant = await box.stored_user(anna.id)
    assert applicant.is_organizer is True
    assert decision.applicant == applicant


async def test_a_declined_request_is_stored_with_who_declined_it_and_when(box):
    anna = await box.person(1)
    admin = await box.person(ADMINS[1])
    request = (await box.organizers.request(anna, "Satirikon Theatre")).request
    box.clock.advance(hours=1)
    await box.organizers.decide(admin, request.id, approve=False)
    stored = await box.stored_request(request.id)
    assert (stored.status, stored.decided_at, stored.decided_by) == (
        OrganizerRequestStatus.DECLINED,
        box.clock.now(),
        admin.id,
    )
    assert (await box.stored_user(anna.id)).is_organizer is False


async def test_a_second_press_says_what_was_decided_and_about_whom(box):
    anna = await box.person(1, first_name="Anna")
    boris = await box.person(2, first_name="Boris")
    admin = await box.person(ADMINS[0])
    approved = (await box.organizers.request(anna, "Satirikon Theatre")).request
    declined = (await box.organizers.request(boris, "Lenkom Theatre")).request
    await box.organizers.decide(admin, approved.id, approve=True)
    await box.organizers.decide(admin, declined.id, approve=False)
    with pytest.raises(OrganizerRequestDecided) as caught:
        await box.organizers.decide(admin, approved.id, approve=False)
    assert type(caught.value) is OrganizerRequestDecided  # not "declined": it was approved
    assert caught.value.params == {"name": "Anna"}
    with pytest.raises(OrganizerRequestDeclined) as caught:
        await box.organizers.decide(admin, declined.id, approve=True)
    assert caught.value.params == {"name": "Boris"}


async def test_deciding_one_request_leaves_the_other_pending_requests_pending(box):
    anna = await box.person(1)
    boris = await box.person(2)
    admin = await box.person(ADMINS[0])
    first = (await box.organizers.request(anna, "Satirikon Theatre")).request
    second = (await box.organizers.request(boris, "Lenkom Theatre")).request
    await box.organizers.decide(admin, first.id, approve=True)
    stored = await box.stored_request(second.id)
    assert (stored.status, stored.decided_at, stored.decided_by) == (OrganizerRequestStatus.PENDING, None, None)
    assert not await box.organizers.is_organizer(boris)
    decision = await box.organizers.decide(admin, second.id, approve=False)  # still open to a decision
    assert decision.request.status is OrganizerRequestStatus.DECLINED


async def test_revoking_returns_the_person_as_now_stored(box):
    anna = await box.organizer(1, username="Satirikon_Team")
    admin = await box.person(ADMINS[0])
    revoked = await box.organizers.revoke(admin, anna.telegram_id)
    assert revoked == await box.stored_user(anna.id)
    assert revoked.is_organizer is False


async def test_a_username_is_found_with_or_without_its_at_sign(box):
    anna = await box.organizer(1, username="Satirikon_Team")
    admin = await box.person(ADMINS[0])
    assert (await box.organizers.revoke(admin, "@satirikon_team")).id == anna.id
    assert not await box.organizers.is_organizer(anna)


async def test_a_username_held_by_two_people_finds_the_one_seen_with_it_last(box):
    first = await box.organizer(1, username="stage_door")
    box.clock.advance(days=1)
    second = await box.organizer(2, username="Stage_Door")  # the first has since given the name up
    admin = await box.person(ADMINS[0])
    assert (await box.organizers.revoke(admin, "stage_door")).id == second.id
    assert await box.organizers.is_organizer(first)


async def test_people_that_cannot_be_found_are_named_as_typed(box):
    admin = await box.person(ADMINS[0])
    with pytest.raises(UserNotFound) as caught:
        await box.organizers.revoke(admin, 123456)
    assert caught.value.params == {"telegram_id": 123456}
    with pytest.raises(UserNotFound) as caught:
        await box.organizers.revoke(admin, "nobody_here")
    assert caught.value.params == {"telegram_id": "@nobody_here"}


async def test_revoking_someone_without_the_role_names_them(box):
    await box.person(1, first_name="Anna")
    admin = await box.person(ADMINS[0])
    with pytest.raises(NotAnOrganizer) as caught:
        await box.organizers.revoke(admin, 1)
    assert caught.value.params == {"name": "Anna"}


async def test_admins_are_listed_by_telegram_id_and_only_those_who_started_the_bot(box):
    assert await box.organizers.known_admins() == []
    second = await box.person(ADMINS[1])  # started the bot first
    first = await box.person(ADMINS[0])
    assert [a.id for a in await box.organizers.known_admins()] == [first.id, second.id]
    anna = await box.person(1)
    filed = await box.organizers.request(anna, "Satirikon Theatre")
    assert [a.id for a in filed.admins] == [first.id, second.id]


async def _events(box, organizer, starts_in_days: list[int]) -> list[Event]:
    """Events in the order given (ids ascending), starting that many days ahead."""
    added = []
    async with box.uow() as u:
        for n, days in enumerate(starts_in_days):
            start = box.clock.now() + timedelta(days=days)
            event = await u.events.add(
                Event(0, f"Show {n}", start, "Hall", EventStatus.PUBLISHED, organizer_id=organizer.id)
            )
            await u.events.add_ticket_type(TicketType(0, event.id, "Std", Money(100, "RUB"), 20, sold=n))
            added.append(event)
        await u.commit()
    return added


async def test_my_events_run_latest_start_first_and_by_newest_on_the_same_start(box):
    anna = await box.organizer(1)
    await _events(box, anna, [5, 1, 3, 3])
    page = await box.organizers.my_events(anna)
    assert [line.event.title for line in page.items] == ["Show 0", "Show 3", "Show 2", "Show 1"]
    assert [line.sold for line in page.items] == [0, 3, 2, 1]


async def test_my_events_without_any_are_one_empty_page(box):
    anna = await box.organizer(1)
    page = await box.organizers.my_events(anna)
    assert (page.items, page.page, page.pages, page.total) == ([], 0, 1, 0)
    assert (await box.organizers.my_events(anna, 3)).page == 0


async def test_my_events_come_a_page_at_a_time_and_a_page_past_the_end_shows_the_last(box):
    anna = await box.organizer(1)
    await _events(box, anna, list(range(1, EVENTS_PAGE + 3)))  # Show n starts n + 1 days ahead
    first = await box.organizers.my_events(anna)
    assert (len(first.items), first.page, first.pages, first.total) == (EVENTS_PAGE, 0, 2, EVENTS_PAGE + 2)
    for asked in (2, 3, 99):
        last = await box.organizers.my_events(anna, asked)
        assert (last.page, last.pages, last.total) == (1, 2, EVENTS_PAGE + 2), asked
        assert [line.event.title for line in last.items] == ["Show 1", "Show 0"], asked
    assert (await box.organizers.my_events(anna, -1)).page == 0


async def test_reading_the_role_events_and_admins_does_not_wait_for_a_writer(box):
    anna = await box.organizer(1)
    await _events(box, anna, [1])
    async with box.uow() as u:  # a writer in the middle of its transaction (SQLite: it has the writer's turn)
        await u.users.get(anna.id)
        assert await asyncio.wait_for(box.organizers.is_organizer(anna), READER_PATIENCE)
        page = await asyncio.wait_for(box.organizers.my_events(anna), READER_PATIENCE)
        assert page.total == 1
        admins = await asyncio.wait_for(box.organizers.known_admins(), READER_PATIENCE)
        assert [a.telegram_id for a in admins] == [ADMINS[0]]
