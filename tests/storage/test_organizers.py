"""The organizer role at the service level, on SQLite and PostgreSQL: one pending request per person,
one decision per request (even when two admins press at once), and the role read from the database."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from domain.errors import (
    AlreadyOrganizer,
    NotAdmin,
    NotAnOrganizer,
    NotOrganizer,
    OrganizerAboutInvalid,
    OrganizerRequestDecided,
    OrganizerRequestDeclined,
    OrganizerRequestNotFound,
    OrganizerRequestPending,
    UserNotFound,
)
from domain.models import Event, EventStatus, OrganizerRequestStatus, TelegramProfile, TicketType
from domain.money import Money
from domain.policies import AdminPolicy
from domain.services.organizers import ABOUT_MAX, EVENTS_PAGE, OrganizerService
from domain.services.users import UserService
from storage.uow import UnitOfWorkFactory

ADMINS = (7001, 7002)


@pytest.fixture
def svc(engine, clock):
    uow = UnitOfWorkFactory(engine)
    policy = AdminPolicy(frozenset(ADMINS))
    return OrganizerService(uow, clock, policy), UserService(uow, clock, policy)


async def _person(users: UserService, telegram_id: int, username: str | None = None):
    return await users.identify(TelegramProfile(telegram_id, f"P{telegram_id}", username=username))


async def test_a_request_reaches_the_admins_who_started_the_bot(svc):
    organizers, users = svc
    anna = await _person(users, 1)
    admin = await _person(users, ADMINS[0])
    filed = await organizers.request(anna, "  Satirikon   Theatre\n drama ")
    assert filed.request.about == "Satirikon Theatre drama"
    assert filed.request.status is OrganizerRequestStatus.PENDING
    assert [a.id for a in filed.admins] == [admin.id]  # the other admin never started the bot


@pytest.mark.parametrize("about", ["", "ab", "  a \n ", "x" * (ABOUT_MAX + 1)])
async def test_the_line_about_oneself_is_bounded(svc, about):
    organizers, users = svc
    anna = await _person(users, 1)
    with pytest.raises(OrganizerAboutInvalid):
        await organizers.request(anna, about)
    await organizers.request(anna, "x" * ABOUT_MAX)  # the limit itself is fine


async def test_one_pending_request_per_person_even_when_sent_twice_at_once(svc):
    organizers, users = svc
    anna = await _person(users, 1)
    results = await asyncio.gather(
        *(organizers.request(anna, f"Theatre {n}") for n in range(4)), return_exceptions=True
    )
    filed = [r for r in results if not isinstance(r, Exception)]
    assert len(filed) == 1, results
    assert all(isinstance(r, OrganizerRequestPending) for r in results if isinstance(r, Exception)), results
    with pytest.raises(OrganizerRequestPending):
        await organizers.request(anna, "Theatre again")


async def test_approval_grants_the_role_once_and_a_second_press_changes_nothing(svc):
    organizers, users = svc
    anna = await _person(users, 1)
    admin = await _person(users, ADMINS[0])
    request = (await organizers.request(anna, "Satirikon Theatre")).request
    assert not await organizers.is_organizer(anna)
    decision = await organizers.decide(admin, request.id, approve=True)
    assert decision.applicant.is_organizer and decision.request.status is OrganizerRequestStatus.APPROVED
    assert await organizers.is_organizer(anna)
    with pytest.raises(OrganizerRequestDecided):
        await organizers.decide(admin, request.id, approve=True)
    with pytest.raises(OrganizerRequestDecided):  # nor can it be turned into a decline afterwards
        await organizers.decide(admin, request.id, approve=False)
    assert await organizers.is_organizer(anna)
    with pytest.raises(AlreadyOrganizer):
        await organizers.request(anna, "Once more")


async def test_a_declined_request_says_so_and_the_person_may_ask_again(svc):
    organizers, users = svc
    anna = await _person(users, 1)
    admin = await _person(users, ADMINS[0])
    request = (await organizers.request(anna, "Satirikon Theatre")).request
    decision = await organizers.decide(admin, request.id, approve=False)
    assert not decision.applicant.is_organizer and not await organizers.is_organizer(anna)
    with pytest.raises(OrganizerRequestDeclined):
        await organizers.decide(admin, request.id, approve=True)
    assert not await organizers.is_organizer(anna)
    again = await organizers.request(anna, "Satirikon Theatre, second try")
    assert again.request.id != request.id


async def test_two_admins_deciding_at_once_make_one_decision(svc):
    organizers, users = svc
    anna = await _person(users, 1)
    first, second = await _person(users, ADMINS[0]), await _person(users, ADMINS[1])
    request = (await organizers.request(anna, "Satirikon Theatre")).request
    results = await asyncio.gather(
        organizers.decide(first, request.id, approve=False),
        organizers.decide(second, request.id, approve=True),
        return_exceptions=True,
    )
    won = [r for r in results if not isinstance(r, Exception)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], OrganizerRequestDecided), results
    assert await organizers.is_organizer(anna) is won[0].applicant.is_organizer


async def test_only_admins_decide_and_revoke(svc):
    organizers, users = svc
    anna = await _person(users, 1)
    mallory = await _person(users, 2)
    request = (await organizers.request(anna, "Satirikon Theatre")).request
    with pytest.raises(NotAdmin):
        await organizers.decide(mallory, request.id, approve=True)
    with pytest.raises(NotAdmin):
        await organizers.decide(anna, request.id, approve=True)
    with pytest.raises(NotAdmin):
        await organizers.revoke(mallory, anna.telegram_id)
    assert not await organizers.is_organizer(anna)
    admin = await _person(users, ADMINS[0])
    with pytest.raises(OrganizerRequestNotFound):
        await organizers.decide(admin, request.id + 1000, approve=True)


async def test_revoking_takes_effect_at_once_and_is_refused_when_there_is_nothing_to_revoke(svc):
    organizers, users = svc
    anna = await _person(users, 1, username="Satirikon_Team")
    admin = await _person(users, ADMINS[0])
    request = (await organizers.request(anna, "Satirikon Theatre")).request
    await organizers.decide(admin, request.id, approve=True)
    await organizers.ensure_organizer(anna)
    stale = anna  # the user object an update carried before the revoke: the role is read afresh
    revoked = await organizers.revoke(admin, "satirikon_team")  # usernames match case-insensitively
    assert revoked.id == anna.id and not revoked.is_organizer
    with pytest.raises(NotOrganizer):
        await organizers.ensure_organizer(stale)
    with pytest.raises(NotOrganizer):
        await organizers.my_events(stale)
    with pytest.raises(NotAnOrganizer):
        await organizers.revoke(admin, anna.telegram_id)
    with pytest.raises(UserNotFound):
        await organizers.revoke(admin, "nobody_here")
    with pytest.raises(UserNotFound):
        await organizers.revoke(admin, 123456)


async def test_my_events_are_only_mine_latest_first_and_paged(svc, engine, clock):
    organizers, users = svc
    anna = await _person(users, 1)
    boris = await _person(users, 2)
    admin = await _person(users, ADMINS[0])
    for person in (anna, boris):
        await organizers.decide(admin, (await organizers.request(person, "Theatre")).request.id, approve=True)
    uow = UnitOfWorkFactory(engine)
    async with uow() as u:
        for n in range(EVENTS_PAGE + 2):
            status = EventStatus.DRAFT if n % 2 else EventStatus.PUBLISHED
            event = await u.events.add(
                Event(0, f"Show {n}", clock.now() + timedelta(days=n + 1), "Hall", status, organizer_id=anna.id)
            )
            await u.events.add_ticket_type(TicketType(0, event.id, "Std", Money(100, "RUB"), 10 + n, sold=n))
        await u.events.add(Event(0, "Boris's", clock.now() + timedelta(days=3), "Hall", organizer_id=boris.id))
        await u.commit()
    first = await organizers.my_events(anna)
    assert (first.page, first.pages, first.total) == (0, 2, EVENTS_PAGE + 2)
    assert [line.event.title for line in first.items[:2]] == [f"Show {EVENTS_PAGE + 1}", f"Show {EVENTS_PAGE}"]
    assert (first.items[0].sold, first.items[0].quantity) == (EVENTS_PAGE + 1, 10 + EVENTS_PAGE + 1)
    second = await organizers.my_events(anna, 1)
    assert [line.event.title for line in second.items] == ["Show 1", "Show 0"]
    assert (await organizers.my_events(anna, 99)).page == 1  # past the end: the last page
    assert [line.event.title for line in (await organizers.my_events(boris)).items] == ["Boris's"]
    assert (await organizers.my_events(boris)).items[0].quantity == 0
