"""What the busiest paths cost in statements, on SQLite and PostgreSQL: the cart view, adding a ticket,
➕/➖, removing a line, hold again, paying and the sweep. Each runs exactly the statements listed: the
cart is read once per transaction unless it changed since, a payment reads back neither the balance it has
just debited nor the tickets it has just issued, a new order's wallet entry is not looked up by its new
key first, an add with nothing expired is one transaction, and on PostgreSQL each of them locks the
person's cart row first (FOR UPDATE) so the same person's presses queue and every path takes its locks in
one order. An optimisation updates these lists; a read repeated or a lock dropped fails them."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC

from sqlalchemy import event

from domain.models import EntryKind, MembershipPlan, Question, QuestionKind
from domain.money import Money
from domain.promotions import PromotionKind, PromotionRule
from domain.services.memberships import MembershipService
from tests.paying import same_as_me
from tests.storage.test_checkout_race import make_event
from tests.storage.test_guards import Shop

_VERB = re.compile(r"^(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b")
_PARENTHESES = re.compile(r"\([^()]*\)")


def _shape(sql: str) -> str:
    """The statement as verb and table: SELECT carts, SELECT carts FOR UPDATE, UPDATE cart_items..."""
    sql = " ".join(sql.split())
    verb = _VERB.match(sql).group(1)
    if verb == "SELECT":
        top = sql
        while (inner := _PARENTHESES.sub("", top)) != top:  # the statement's own FROM, not a subquery's
            top = inner
        table = re.search(r" FROM (\w+)", top).group(1)
        lock = " FOR UPDATE" if "FOR UPDATE" in sql else ""
        return f"SELECT {table}{lock}{' SKIP LOCKED' if 'SKIP LOCKED' in sql else ''}"
    table = sql[len(verb) :].split()[0]
    return f"{verb.split()[0]} {table}"


@contextmanager
def _statements(engine):
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(_shape(statement))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def _lock(engine) -> list[str]:
    """The cart row lock taken first on PostgreSQL (SQLite's BEGIN IMMEDIATE already serialises writers)."""
    return ["SELECT carts FOR UPDATE"] if engine.dialect.name == "postgresql" else []


# the cart with its lines (and whether the person has a running membership), their tariffs and events (and
# whether those ask questions or run promotions), then who the held tickets are for. The questions, the
# promotions, the membership and the typed codes are read only where there are some (see below).
VIEW = ["SELECT carts", "SELECT ticket_types", "SELECT attendees"]
LIMITS = ["SELECT hold_releases", "SELECT tickets"]  # the person's recent drops and tickets bought
RENEW_AND_BUMP = ["UPDATE cart_items", "UPDATE carts"]  # every live hold restarted, the version bumped


async def _shop_with_line(engine, clock, qty: int = 2):
    shop = Shop(engine, clock)
    tt, anna, view = await shop.line(qty)
    return shop, tt, anna, view


async def test_a_view_reads_the_cart_once(engine, clock):
    shop, _tt, anna, _view = await _shop_with_line(engine, clock)
    with _statements(engine) as seen:
        await shop.carts.view(anna.id)
    assert seen == _lock(engine) + VIEW


async def test_a_view_reads_questions_promotions_codes_and_the_membership_only_where_there_are_some(engine, clock):
    shop, tt, anna, view = await _shop_with_line(engine, clock)
    now = clock.now()
    async with shop.uow() as u:
        await u.attendees.add_question(Question(0, tt.event_id, QuestionKind.TEXT, "Diet", required=False), now)
        await u.promotions.add_promotion(
            PromotionRule(id=0, event_id=tt.event_id, kind=PromotionKind.QUANTITY, name="4+", min_tickets=4,
                          basis_points=1000), "RUB", now,
        )  # fmt: skip
        plan = await u.memberships.add_plan(MembershipPlan(0, "Gold", Money(100, "RUB"), 1000), now)
        await u.wallets.apply(anna.id, Money(10_000, "RUB"), EntryKind.CREDIT, "seed", now)
        await u.carts.bump_version(view.cart_id, codes=("NOSUCH",))
        await u.commit()
    await MembershipService(shop.uow, clock, "RUB", UTC).buy(anna, plan.id, renew=False, key="k")
    with _statements(engine) as seen:
        await shop.carts.view(anna.id)
    assert seen == [
        *_lock(engine),
        *VIEW,
        "SELECT questions",
        "SELECT promotions",
        "SELECT promo_codes",
        "SELECT memberships",
    ]


async def test_a_view_that_releases_a_lapsed_hold_reads_the_cart_again_after_the_release(engine, clock):
    shop, _tt, anna, _view = await _shop_with_line(engine, clock)
    clock.advance(minutes=16)
    release = ["SELECT cart_items", "UPDATE cart_items", "UPDATE ticket_types", "UPDATE carts"]
    with _statements(engine) as seen:
        await shop.carts.view(anna.id)
    # nothing held is left: no attendees to read
    assert seen == [*_lock(engine), "SELECT carts", *release, "SELECT carts", "SELECT ticket_types"]


async def test_adding_is_one_transaction_that_reads_the_cart_before_and_after(engine, clock):
    shop, tt, anna, _view = await _shop_with_line(engine, clock)
    other = await make_event(shop.uow, clock, quantity=50)
    head = ["SELECT ticket_types", *_lock(engine), "SELECT carts", *LIMITS]
    tail = ["UPDATE ticket_types", "SELECT events", *RENEW_AND_BUMP, *VIEW]
    with _statements(engine) as seen:
        await shop.carts.add_tickets(anna.id, tt.id, 1)
    assert seen == [*head, "UPDATE cart_items", *tail], "the same tariff: the line grows"
    with _statements(engine) as seen:
        await shop.carts.add_tickets(anna.id, other.id, 1)
    assert seen == [*head, "INSERT cart_items", *tail], "another tariff: a new line"


async def test_plus_minus_and_remove_read_the_cart_once_and_once_more_for_the_view(engine, clock):
    shop, _tt, anna, view = await _shop_with_line(engine, clock)
    item = view.ready[0].item_id
    own = [*_lock(engine), "SELECT carts"]
    with _statements(engine) as seen:
        view = await shop.carts.change_qty(anna.id, item, 3, view.version)
    plus = ["SELECT ticket_types", "SELECT carts", "SELECT events", "SELECT carts", *LIMITS]
    assert seen == own + plus + ["UPDATE cart_items", "UPDATE ticket_types", *RENEW_AND_BUMP, *VIEW], "➕"
    with _statements(engine) as seen:
        view = await shop.carts.change_qty(anna.id, item, 1, view.version)
    minus = ["SELECT ticket_types", "SELECT carts", "UPDATE cart_items", "UPDATE ticket_types"]
    drop = ["DELETE hold_releases", "INSERT hold_releases"]
    assert seen == own + minus + drop + RENEW_AND_BUMP + VIEW, "➖ gives quota back and records the drop"
    with _statements(engine) as seen:
        await shop.carts.remove(anna.id, item, view.version)
    empty = ["SELECT carts"]  # no line left: no tariffs to read
    assert seen == [*own, "UPDATE cart_items", "UPDATE ticket_types", *drop, *RENEW_AND_BUMP, *empty], "🗑"


async def test_hold_again_reads_what_it_checks_once(engine, clock):
    shop, _tt, anna, view = await _shop_with_line(engine, clock)
    clock.advance(minutes=16)
    view = await shop.carts.view(anna.id)  # released: the line is lapsed
    with _statements(engine) as seen:
        await shop.carts.renew(anna.id, view.unavailable[0].item_id, view.version)
    checks = ["SELECT ticket_types", "SELECT events", "SELECT carts", "SELECT carts", *LIMITS]
    hold = ["UPDATE cart_items", "UPDATE cart_items", "UPDATE ticket_types", "SELECT events"]
    assert seen == [*_lock(engine), "SELECT carts", *checks, *hold, *RENEW_AND_BUMP, *VIEW]


async def test_paying_reads_neither_the_balance_nor_the_tickets_back(engine, clock):
    shop, _tt, anna, view = await _shop_with_line(engine, clock, qty=3)
    async with shop.uow() as u:
        await u.wallets.apply(anna.id, Money(10**9, "RUB"), EntryKind.CREDIT, "seed", clock.now())
        await u.commit()
    await same_as_me(shop.checkout, anna.id)
    with _statements(engine) as seen:
        result = await shop.checkout.pay_from_wallet(anna.id, view.version, view.terms)
    assert seen == [
        *_lock(engine),
        "SELECT carts",
        "SELECT orders",  # this Pay button's order, if it was pressed before
        "SELECT ticket_types",  # the cart's tariffs and events
        "SELECT attendees",  # who each ticket is for (the names go onto the tickets)
        "INSERT orders",
        "UPDATE wallets",  # debited only if the balance covers it
        "INSERT wallet_entries",  # with the new balance: not read back
        "UPDATE cart_items",
        "UPDATE ticket_types",
        "INSERT order_lines",
        "INSERT tickets",
        "INSERT tickets",
        "INSERT tickets",
        "UPDATE carts",
        "SELECT ticket_types",  # the tickets' tariffs and events for the result: the tickets are not read back
    ]
    assert (len(result.tickets), result.balance) == (3, Money(10**9, "RUB") - view.total)


async def test_the_sweep_takes_each_cart_it_can_and_releases_its_lapsed_holds(engine, clock):
    shop, _tt, _anna, _view = await _shop_with_line(engine, clock)
    clock.advance(minutes=16)
    lock = "SELECT carts FOR UPDATE SKIP LOCKED" if engine.dialect.name == "postgresql" else "SELECT carts"
    with _statements(engine) as seen:
        assert await shop.carts.release_expired() == 1
    assert seen == [
        "SELECT cart_items",  # the carts with lapsed holds
        lock,
        "SELECT cart_items",  # its lapsed holds
        "UPDATE cart_items",
        "UPDATE ticket_types",
        "UPDATE carts",
    ]


async def test_adding_beside_a_lapsed_hold_releases_it_in_a_transaction_of_its_own_first(engine, clock):
    shop, _tt, anna, _view = await _shop_with_line(engine, clock)
    other = await make_event(shop.uow, clock, quantity=50)
    clock.advance(minutes=16)
    with _statements(engine) as seen:
        await shop.carts.add_tickets(anna.id, other.id, 1)
    found = ["SELECT ticket_types", *_lock(engine), "SELECT carts"]  # a lapsed hold: nothing changed, given up
    release = [*_lock(engine), "SELECT carts", "SELECT cart_items", "UPDATE cart_items", "UPDATE ticket_types"]
    added = [*found, *LIMITS, "INSERT cart_items", "UPDATE ticket_types", "SELECT events", *RENEW_AND_BUMP, *VIEW]
    assert seen == [*found, *release, "UPDATE carts", *added]
