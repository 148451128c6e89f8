"""A customer's own tickets and how they are issued, on SQLite and PostgreSQL.

/tickets lists the owner's tickets newest first, ten a page, with their event, tariff and QR payload;
a page before the first is the first; there is always at least one page. Only the owner gets a ticket's QR
again. Issuing names the ticket after the buyer (cut to the column's 200 characters) and gives up after
eight clashing secrets in a row.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain import codes
from domain.codes import ticket_payload
from domain.errors import TicketNotFound
from domain.models import EntryKind, TelegramProfile
from domain.money import Money
from domain.services.tickets import TicketService
from storage.tables import tickets
from tests.paying import pay
from tests.storage.test_checkout_records import buyer, count, tariff
from tests.storage.test_guards import Shop, books, expect


async def bought(shop: Shop, user, tt, qty: int) -> list:
    view = await shop.carts.add_tickets(user.id, tt.id, qty)
    return [v.ticket for v in (await pay(shop.checkout, user.id, view.version, view.terms)).tickets]


async def test_my_tickets_are_paged_newest_first_ten_a_page(engine, clock):
    rule = "my_tickets must list only the owner's tickets, newest first, 10 a page, with total and pages"
    shop = Shop(engine, clock)
    mauser = await tariff(shop, "Маузер", "Parterre", 1_000, quantity=50)
    other = await tariff(shop, "Другой концерт", "Balcony", 1_000, quantity=50)
    anna = await buyer(shop, 1_000_000)
    bob = await buyer(shop, 1_000_000, telegram_id=2)
    mine = await bought(shop, anna, mauser, 10) + await bought(shop, anna, other, 10)
    await bought(shop, bob, mauser, 3)
    mine += await bought(shop, anna, mauser, 3)
    newest_first = [t.id for t in reversed(mine)]
    service = TicketService(shop.uow)

    pages = [await service.my_tickets(anna.id, page) for page in (0, 1, 2)]
    assert [[v.ticket.id for v in p.items] for p in pages] == [
        newest_first[:10],
        newest_first[10:20],
        newest_first[20:],
    ], rule
    assert [(p.page, p.pages, p.total) for p in pages] == [(0, 3, 23), (1, 3, 23), (2, 3, 23)], rule
    first = pages[0].items[0]
    assert (first.event.title, first.tariff, first.payload) == ("Маузер", "Parterre", ticket_payload(mine[-1].secret))
    assert first.ticket.owner_id == anna.id and first.ticket.secret == mine[-1].secret, rule
    assert [v.tariff for v in pages[0].items] == ["Parterre"] * 3 + ["Balcony"] * 7, rule
    assert [v.tariff for v in pages[1].items] == ["Balcony"] * 3 + ["Parterre"] * 7, rule

    before = await service.my_tickets(anna.id, -3)
    assert before.page == 0 and [v.ticket.id for v in before.items] == newest_first[:10], rule
    past = await service.my_tickets(anna.id, 7)
    assert (past.items, past.page, past.pages, past.total) == ([], 7, 3, 23), rule


@pytest.mark.parametrize(("qty", "pages"), [(0, 1), (10, 1), (11, 2)])
async def test_there_is_always_a_page_and_a_full_last_page_makes_none_more(engine, clock, qty, pages):
    shop = Shop(engine, clock)
    tt = await tariff(shop, "Маузер", "Parterre", 1_000, quantity=50)
    anna = await buyer(shop, 1_000_000)
    if qty:
        await bought(shop, anna, tt, min(qty, 10))
    if qty > 10:
        await bought(shop, anna, tt, qty - 10)
    page = await TicketService(shop.uow).my_tickets(anna.id)
    assert (page.page, page.pages, page.total, len(page.items)) == (0, pages, qty, min(qty, 10))


async def test_only_the_owner_gets_a_ticket_again(engine, clock):
    rule = "ticket_of must answer the owner's ticket and refuse another's or an unknown id alike"
    shop = Shop(engine, clock)
    tt = await tariff(shop, "Маузер", "Parterre", 1_000)
    anna = await buyer(shop, 1_000_000)
    bob = await buyer(shop, 0, telegram_id=2)
    (ticket,) = await bought(shop, anna, tt, 1)
    service = TicketService(shop.uow)
    view = await service.ticket_of(anna.id, ticket.id)
    assert view.ticket.id == ticket.id and view.ticket.secret == ticket.secret, rule
    assert (view.event.title, view.tariff, view.payload) == ("Маузер", "Parterre", ticket_payload(ticket.secret))
    await expect(TicketNotFound, service.ticket_of(bob.id, ticket.id), rule)
    await expect(TicketNotFound, service.ticket_of(anna.id, ticket.id + 1), rule)


async def test_the_holder_name_is_cut_to_its_column(engine, clock):
    rule = "'Same as me' names a ticket after the buyer's display name, cut to 100 characters"
    shop = Shop(engine, clock)
    tt = await tariff(shop, "Маузер", "Parterre", 1_000)
    long = await shop.users.identify(TelegramProfile(5, "A" * 128, "B" * 128))
    assert len(long.display_name) == 257
    async with shop.uow() as u:
        await u.wallets.apply(long.id, Money(10_000, "RUB"), EntryKind.CREDIT, "seed", clock.now())
        await u.commit()
    (answered,) = await bought(shop, long, tt, 1)
    async with engine.connect() as conn:
        stored = (await conn.execute(select(tickets.c.holder_name))).scalar_one()
    assert stored == long.display_name[:100], rule
    assert answered.holder_name == stored, f"{rule}: the purchase answer must show the name as stored"


async def test_issuing_gives_up_after_eight_clashing_secrets(engine, clock, monkeypatch):
    rule = "issue_ticket must draw at most 8 secrets and then fail the checkout as a whole"
    shop = Shop(engine, clock)
    tt = await tariff(shop, "Маузер", "Parterre", 1_000)
    anna = await buyer(shop, 1_000_000)
    (first,) = await bought(shop, anna, tt, 1)
    draws = []

    def taken() -> str:
        draws.append(first.secret)
        return first.secret

    monkeypatch.setattr(codes, "new_ticket_secret", taken)
    view = await shop.carts.add_tickets(anna.id, tt.id, 1)
    error = await expect(RuntimeError, pay(shop.checkout, anna.id, view.version, view.terms), rule)
    assert len(draws) == 8 and "8 draws" in str(error), rule
    assert await count(engine, tickets) == 1, rule
    assert await books(engine, tt.id) == (20, 1, 1, 1), f"{rule}: the sale must roll back"
