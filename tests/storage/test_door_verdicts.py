"""What the door sees, on SQLite and PostgreSQL: each verdict with exactly the details it may show.

Staff of the ticket's event (and platform admins) see the ticket, its event, its tariff and, for a used
ticket, who checked it in. Staff of another event learn only the event. Anyone else learns that the ticket
exists (and whether it is their own). Short codes are for staff only. Failed look-ups (nothing found, another
event's ticket) count against the staff account, successes never; a blocked account is refused even a
correct code; the log names the account, the kind of code and the result, never the code.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import update

from domain.codes import short_code, ticket_payload
from domain.errors import NotStaff, TicketNotFound, TooManyAttempts
from domain.models import TelegramProfile, TicketStatus
from domain.policies import AdminPolicy
from domain.services.checkin import CheckinService
from domain.views import Verdict
from storage.tables import tickets
from tests.paying import pay
from tests.storage.test_checkout_records import buyer, tariff
from tests.storage.test_guards import Shop, expect

ADMIN_TG = 900


class RecordingLimiter:
    """An AttemptLimiter that blocks when told to and remembers what it was asked."""

    def __init__(self, block_for: float | None = None, blocked: float | None = None) -> None:
        self.block_for = block_for  # what `failed` answers
        self.blocked = blocked  # what `retry_after` answers
        self.asked: list[str] = []
        self.failures: list[str] = []

    async def retry_after(self, key, now):
        self.asked.append(key)
        return self.blocked

    async def failed(self, key, now):
        self.failures.append(key)
        return self.block_for


class Door:
    async def setup(self, shop: Shop, limiter=None):
        self.shop = shop
        self.mauser = await tariff(shop, "Маузер", "Parterre", 150_000)
        self.other = await tariff(shop, "Другой концерт", "Balcony", 70_000)
        self.anna = await buyer(shop, 10_000_000)
        view = await shop.carts.add_tickets(self.anna.id, self.mauser.id, 2)
        self.ticket, self.second = [
            v.ticket for v in (await pay(shop.checkout, self.anna.id, view.version, view.terms)).tickets
        ]
        self.door = await self.person(10, "Door")
        self.other_door = await self.person(11, "Other door")
        self.stranger = await self.person(12, "Stranger")
        self.admin = await self.person(ADMIN_TG, "Admin")
        async with shop.uow() as u:
            await u.staff.assign(self.door.id, self.mauser.event_id, self.admin.id, shop.clock.now())
            await u.staff.assign(self.other_door.id, self.other.event_id, self.admin.id, shop.clock.now())
            await u.commit()
        self.checkin = CheckinService(shop.uow, shop.clock, AdminPolicy(frozenset({ADMIN_TG})), limiter)
        return self

    async def person(self, telegram_id: int, name: str):
        return await self.shop.users.identify(TelegramProfile(telegram_id, name))


def full_details(view, verdict, ticket, by=None, rule=""):
    assert view.verdict is verdict, f"{rule}: {view.verdict}"
    assert view.ticket is not None and view.ticket.id == ticket.id and view.ticket.secret == ticket.secret, rule
    assert view.event is not None and view.event.title == "Маузер", rule
    assert view.tariff == "Parterre", rule
    assert (view.checked_in_by.id if view.checked_in_by else None) == (by.id if by else None), rule
    assert view.own_ticket is False, rule


@pytest.mark.parametrize("how", ["qr", "short"])
async def test_the_events_staff_and_admins_see_the_whole_ticket(engine, clock, how):
    rule = "staff of the ticket's event and admins must see ticket, event and tariff"
    d = await Door().setup(Shop(engine, clock))
    look = d.checkin.scan if how == "qr" else d.checkin.scan_short_code
    code = ticket_payload(d.ticket.secret) if how == "qr" else short_code(d.ticket.secret)
    for viewer in (d.door, d.admin):
        view = await look(viewer, code)
        full_details(view, Verdict.VALID, d.ticket, rule=rule)
        assert view.ticket.status is TicketStatus.VALID and view.can_check_in, rule


@pytest.mark.parametrize("how", ["qr", "short"])
async def test_staff_of_another_event_learn_only_the_event(engine, clock, how):
    rule = "staff of another event must learn the ticket's event and nothing else"
    d = await Door().setup(Shop(engine, clock))
    look = d.checkin.scan if how == "qr" else d.checkin.scan_short_code
    code = ticket_payload(d.ticket.secret) if how == "qr" else short_code(d.ticket.secret)
    view = await look(d.other_door, code)
    assert view.verdict is Verdict.WRONG_EVENT and view.event.title == "Маузер", rule
    assert view.ticket is None and view.tariff is None and view.checked_in_by is None, rule
    assert not view.own_ticket and not view.can_check_in, rule


async def test_anyone_else_learns_only_that_the_ticket_exists_and_whether_it_is_theirs(engine, clock):
    rule = "a customer scanning a ticket link must learn only that it exists (and if it is their own)"
    d = await Door().setup(Shop(engine, clock))
    code = ticket_payload(d.ticket.secret)
    theirs = await d.checkin.scan(d.stranger, code)
    mine = await d.checkin.scan(d.anna, code)
    for view, own in ((theirs, False), (mine, True)):
        assert view.verdict is Verdict.EXISTS and view.event.title == "Маузер", rule
        assert view.ticket is None and view.tariff is None and view.checked_in_by is None, rule
        assert view.own_ticket is own, rule


async def test_short_codes_are_for_staff_only(engine, clock):
    rule = "scan_short_code must refuse anyone who is neither an admin nor staff of some event"
    d = await Door().setup(Shop(engine, clock))
    for outsider in (d.stranger, d.anna):
        await expect(NotStaff, d.checkin.scan_short_code(outsider, short_code(d.ticket.secret)), rule)


@pytest.mark.parametrize("code", ["", "hello", "2222-2222", "t_" + "2" * 32, "2" * 32, "2222-22"])
async def test_codes_that_name_no_ticket_are_unknown(engine, clock, code):
    rule = "a code that names no ticket must be UNKNOWN with no details"
    d = await Door().setup(Shop(engine, clock))
    for view in (await d.checkin.scan(d.door, code), await d.checkin.scan_short_code(d.door, code)):
        assert view.verdict is Verdict.UNKNOWN and view.ticket is None and view.event is None, rule


async def test_checking_in_says_who_did_it_and_a_second_scan_shows_it_used(engine, clock):
    rule = "check_in must flip a valid ticket to used once and show who checked it in"
    d = await Door().setup(Shop(engine, clock))
    clock.advance(hours=1)
    done = await d.checkin.check_in(d.door, d.ticket.id)
    full_details(done, Verdict.CHECKED_IN, d.ticket, by=d.door, rule=rule)
    assert done.ticket.status is TicketStatus.USED and done.ticket.checked_in_by == d.door.id, rule
    assert done.ticket.checked_in_at == clock.now() and not done.can_check_in, rule

    clock.advance(minutes=1)
    again = await d.checkin.check_in(d.admin, d.ticket.id)
    full_details(again, Verdict.ALREADY_USED, d.ticket, by=d.door, rule=rule)
    for viewer in (d.door, d.admin):
        seen = await d.checkin.scan(viewer, ticket_payload(d.ticket.secret))
        full_details(seen, Verdict.ALREADY_USED, d.ticket, by=d.door, rule=rule)
        assert seen.checked_in_by.first_name == "Door", rule
    short = await d.checkin.scan_short_code(d.door, short_code(d.ticket.secret))
    full_details(short, Verdict.ALREADY_USED, d.ticket, by=d.door, rule=rule)

    untouched = await d.checkin.scan(d.door, ticket_payload(d.second.secret))
    full_details(untouched, Verdict.VALID, d.second, rule=rule)
    by_admin = await d.checkin.check_in(d.admin, d.second.id)
    full_details(by_admin, Verdict.CHECKED_IN, d.second, by=d.admin, rule=rule)


async def test_checking_in_an_unknown_ticket_is_not_found(engine, clock):
    d = await Door().setup(Shop(engine, clock))
    await expect(TicketNotFound, d.checkin.check_in(d.door, d.second.id + 100), "check_in of no ticket")


async def test_only_failed_look_ups_count_against_the_staff_account(engine, clock, caplog):
    rule = "UNKNOWN and WRONG_EVENT must count as failed guesses under door:<user id>; nothing else counts"
    caplog.set_level(logging.INFO, logger="domain.services.checkin")
    limiter = RecordingLimiter()
    d = await Door().setup(Shop(engine, clock), limiter)
    good = short_code(d.ticket.secret)
    await d.checkin.scan_short_code(d.door, good)
    await d.checkin.scan(d.door, ticket_payload(d.ticket.secret))
    await d.checkin.scan(d.stranger, ticket_payload(d.ticket.secret))  # EXISTS: not a guess
    await d.checkin.check_in(d.door, d.ticket.id)
    await d.checkin.scan(d.door, ticket_payload(d.ticket.secret))  # ALREADY_USED: found
    assert limiter.failures == [], f"{rule}: a successful look-up counted"
    assert caplog.records == [], rule

    assert (await d.checkin.scan_short_code(d.door, "2222-3333")).verdict is Verdict.UNKNOWN
    assert (await d.checkin.scan(d.other_door, ticket_payload(d.ticket.secret))).verdict is Verdict.WRONG_EVENT
    assert limiter.failures == [f"door:{d.door.id}", f"door:{d.other_door.id}"], rule
    assert limiter.asked[-2:] == limiter.failures, f"{rule}: every look-up asks the limiter first, same key"

    failed = [(r.levelno, r.staff_user_id, r.code_kind, r.result) for r in caplog.records]
    assert failed == [
        (logging.WARNING, d.door.id, "short_code", "unknown"),
        (logging.WARNING, d.other_door.id, "full_code", "wrong_event"),
    ], f"{rule}: the log must say who, what kind of code and the result"
    message = caplog.records[1].getMessage()
    assert f"staff_user_id={d.other_door.id}" in message and f"telegram_id={d.other_door.telegram_id}" in message
    assert "kind=full_code" in message and "result=wrong_event" in message, message
    logged = "\n".join(r.getMessage() for r in caplog.records).lower()
    assert "2222" not in logged and d.ticket.secret not in logged, f"{rule}: a code was logged"


async def test_the_failure_that_blocks_is_logged_with_the_wait(engine, clock, caplog):
    caplog.set_level(logging.INFO, logger="domain.services.checkin")
    d = await Door().setup(Shop(engine, clock), RecordingLimiter(block_for=59.2))
    await d.checkin.scan_short_code(d.door, "2222-3333")
    blocked = caplog.records[-1]
    assert blocked.levelno == logging.WARNING and blocked.staff_user_id == d.door.id
    assert blocked.blocked_seconds == 60, "the block is logged in whole seconds, rounded up"
    message = blocked.getMessage()
    assert f"staff_user_id={d.door.id}" in message and f"telegram_id={d.door.telegram_id}" in message
    assert "for=60s" in message, message


@pytest.mark.parametrize("how", ["qr", "short"])
async def test_a_blocked_account_is_refused_even_a_correct_code(engine, clock, caplog, how):
    rule = "while blocked every look-up must raise TooManyAttempts with the whole seconds left, and count nothing"
    caplog.set_level(logging.INFO, logger="domain.services.checkin")
    limiter = RecordingLimiter(blocked=0.3)
    d = await Door().setup(Shop(engine, clock), limiter)
    look = d.checkin.scan if how == "qr" else d.checkin.scan_short_code
    code = ticket_payload(d.ticket.secret) if how == "qr" else short_code(d.ticket.secret)
    error = await expect(TooManyAttempts, look(d.door, code), rule)
    assert error.params == {"seconds": 1}, rule
    assert limiter.asked == [f"door:{d.door.id}"] and limiter.failures == [], rule
    (refused,) = caplog.records
    assert refused.levelno == logging.INFO and f"staff_user_id={d.door.id}" in refused.getMessage(), rule


async def test_without_a_limiter_look_ups_are_not_throttled(engine, clock):
    d = await Door().setup(Shop(engine, clock))
    for _ in range(15):
        assert (await d.checkin.scan_short_code(d.door, "2222-3333")).verdict is Verdict.UNKNOWN
        assert (await d.checkin.scan(d.door, "nonsense")).verdict is Verdict.UNKNOWN


@pytest.mark.parametrize("code", ["", "hello", "2222-22"])
async def test_a_code_that_is_no_short_code_never_finds_a_ticket_without_one(engine, clock, code):
    """Tickets from before the short-code column that shared a prefix have none (NULL): typing something
    that is not a short code must not look for NULL and find one of them."""
    rule = "an unparseable short code must be UNKNOWN without a look-up"
    d = await Door().setup(Shop(engine, clock))
    async with engine.begin() as conn:
        await conn.execute(update(tickets).where(tickets.c.id == d.ticket.id).values(short_code=None))
    view = await d.checkin.scan_short_code(d.door, code)
    assert view.verdict is Verdict.UNKNOWN and view.ticket is None and view.event is None, rule
