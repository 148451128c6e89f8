"""Search with pages, the cart's holds and buttons, paying without enough money, language, flood control."""

from __future__ import annotations

from datetime import timedelta

from domain.models import Event, EventStatus, TicketType
from domain.money import Money
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import balance, make_event, open_tariff, pay_for_myself, quota


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


async def test_search_pages_20_results_with_next_and_back(sandbox, bot_app, clock):
    async with UnitOfWorkFactory(bot_app.engine)() as u:
        for i in range(25):
            event = await u.events.add(
                Event(
                    0,
                    f"Jazz Evening {i + 1:02d}",
                    clock.now() + timedelta(days=i + 1),
                    "Клуб «Ёлка»",
                    EventStatus.PUBLISHED,
                    "Moscow Trio",
                )
            )
            await u.events.add_ticket_type(TicketType(0, event.id, "Standard", Money(100_000, "RUB"), 10))
        hidden = await u.events.add(Event(0, "Jazz Draft", clock.now() + timedelta(days=3), "Club", EventStatus.DRAFT))
        await u.events.add_ticket_type(TicketType(0, hidden.id, "Standard", Money(100_000, "RUB"), 10))
        await u.commit()
    anna = sandbox.user("Anna")
    await anna.send("/start")
    await anna.send("/search JAZZ")
    assert "25 events, page 1 of 2" in anna.last_text()
    labels = anna.buttons()
    assert len([b for b in labels if "Jazz Evening" in b]) == 20
    assert "Next ▶️" in labels and "◀️ Back" not in labels
    assert "Jazz Draft" not in anna.last_text()
    await anna.press("Next ▶️")
    assert "page 2 of 2" in anna.last_text()
    assert len([b for b in anna.buttons() if "Jazz Evening" in b]) == 5
    await anna.press("◀️ Back")
    assert "page 1 of 2" in anna.last_text()
    # Cyrillic, case and ё are folded; a performer or a venue finds the event too.
    await anna.send("ёлка")
    assert "25 events" in anna.last_text()
    await anna.send("moscow trio")
    assert "25 events" in anna.last_text()
    await anna.send("Nonexistent thing")
    assert "Nothing found" in anna.last_text()


async def test_hold_expires_and_can_be_renewed(sandbox, bot_app, clock):
    event = await make_event(bot_app.engine, clock, standard_qty=3)
    anna = sandbox.user("Anna")
    await anna.send("/start")
    await anna.send("Маузер")
    await anna.press("Маузер")
    assert "8 tickets left" in anna.last_text()
    assert "held for 15 minutes" in anna.last_text()
    await anna.press("Standard")
    await anna.press("➕")
    await anna.press("Add to cart (2)")
    assert "Held for you until 15:15" in anna.last_alert()
    assert "held until 15:15" in anna.last_text()
    assert await quota(bot_app.engine, event.standard_id) == (0, 2)

    clock.advance(minutes=16)
    await anna.send("/cart")
    assert "Unavailable" in anna.last_text() and "the hold has expired" in anna.last_text()
    assert "pay from wallet" not in " ".join(anna.buttons())
    assert await quota(bot_app.engine, event.standard_id) == (0, 0)

    await anna.press("Hold again")
    assert "held until" in anna.last_text() and "pay from wallet" in " ".join(anna.buttons())
    assert await quota(bot_app.engine, event.standard_id) == (0, 2)


async def test_cart_buttons_change_quantity_and_remove(sandbox, bot_app, clock):
    event = await make_event(bot_app.engine, clock)
    anna = sandbox.user("Anna")
    await anna.send("/start")
    await open_tariff(anna, "VIP")
    await anna.press("Add to cart")  # the cart replaces the picker; "added" is a toast
    assert anna.last_alert().startswith("✅ Added to the cart. Held for you until")
    assert "1 × 5,000 ₽" in plain(anna.last_text())
    assert "◀️ Back to the event" in anna.buttons()
    await anna.press("➕ 1")
    assert "2 × 5,000 ₽ = 10,000 ₽" in plain(anna.last_text())
    assert await quota(bot_app.engine, event.vip_id) == (0, 2)
    await anna.press("➖ 1")
    assert "1 × 5,000 ₽" in plain(anna.last_text())
    assert await quota(bot_app.engine, event.vip_id) == (0, 1)
    await anna.press("🗑 1")
    assert "Your cart is empty" in anna.last_text()
    assert await quota(bot_app.engine, event.vip_id) == (0, 0)


async def test_sold_out_answers_cleanly(sandbox, bot_app, clock):
    event = await make_event(bot_app.engine, clock, standard_qty=1)
    anna, bob = sandbox.user("Anna"), sandbox.user("Bob", lang="ru")
    for person in (anna, bob):
        await person.send("/start")
        await open_tariff(person, "Standard")
    await anna.press("Add to cart")
    await bob.press("В корзину")
    assert "закончились" in bob.last_alert()
    assert await quota(bot_app.engine, event.standard_id) == (0, 1)


async def test_not_enough_money_says_how_much_is_missing(sandbox, bot_app, clock, admin):
    event = await make_event(bot_app.engine, clock)
    anna = sandbox.user("Anna", lang="ru")
    await anna.send("/start")
    await admin.send("/start")
    await admin.send(f"/credit {anna.id} 1000,50")
    await open_tariff(anna, "Standard")
    await anna.press("➕")
    await anna.press("В корзину")
    await anna.send("/cart")
    await pay_for_myself(anna, "Оплатить с кошелька")
    text = plain(anna.last_text())
    assert "Не хватает: 1 999,50 ₽" in text and str(anna.id) in text
    assert await balance(bot_app.engine, anna.id) == 100_050
    assert await quota(bot_app.engine, event.standard_id) == (0, 2)
    await anna.send("/wallet")
    assert "1 000,50 ₽" in plain(anna.last_text()) and "пополнение" in anna.last_text()


async def test_language_is_switchable(sandbox, bot_app):
    anna = sandbox.user("Anna", lang="ru")
    await anna.send("/start")
    assert "Здравствуйте" in anna.last_text()
    await anna.send("/language")
    await anna.press("English")
    assert "Hello" in anna.last_text()
    await anna.send("/cart")
    assert "Your cart is empty" in anna.last_text()


async def test_flood_control_is_honoured(sandbox, bot_app):
    anna = sandbox.user("Anna")
    await anna.send("/start")
    sandbox.fail_next("sendMessage", 429, retry_after=1)
    await anna.send("/help")
    assert "How it works" in anna.last_text()
    sends = [name for name, params in sandbox.calls if name == "sendMessage"]
    assert len(sends) >= 3  # greeting, the refused attempt, the retry


async def test_bot_runs_with_redis_state_and_postgres(sandbox, engine, clock):
    """I2: several processes share dialog state and per-user ordering through Redis."""
    import os

    import pytest
    import redis.asyncio as redis

    from tests.e2e.conftest import start_bot, stop_bot

    client = redis.Redis(host="127.0.0.1", port=6379)
    try:
        await client.ping()
    except (OSError, redis.ConnectionError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI: {exc}")
        pytest.skip(f"Redis unreachable: {exc}")
    finally:
        await client.aclose()
    app, task = await start_bot(sandbox, engine, clock, redis_url="redis://127.0.0.1:6379/15")
    try:
        await make_event(app.engine, clock)
        anna = sandbox.user("Anna")
        await anna.send("/start")
        await anna.send("Маузер")
        await anna.press("Маузер")
        assert "Константин Райкин" in anna.last_text()
    finally:
        await stop_bot(app, task)


async def test_small_typos_are_forgiven(sandbox, bot_app, clock):
    await make_event(bot_app.engine, clock)
    anna = sandbox.user("Anna", lang="ru")
    await anna.send("/start")
    await anna.send("Маузр")
    assert "По запросу «Маузр» ничего нет; показываю «маузер»" in anna.last_text()
    await anna.press("Маузер")
    assert "Константин Райкин" in anna.last_text()
    await anna.send("Райкен")
    assert "Маузер" in anna.last_text()
    await anna.send("совсем другое")
    assert "ничего не нашлось" in anna.last_text()


async def test_long_organiser_texts_stay_within_telegram_limits(sandbox, bot_app, clock):
    async with UnitOfWorkFactory(bot_app.engine)() as u:
        for i in range(20):
            event = await u.events.add(
                Event(
                    0,
                    f"Opera {i} " + "Ж" * 190,
                    clock.now() + timedelta(days=i + 1),
                    "Venue " + "V" * 190,
                    EventStatus.PUBLISHED,
                    "P" * 3000,
                    "D" * 5000,
                    conditions="C" * 3000,
                )
            )
            await u.events.add_ticket_type(TicketType(0, event.id, "T" * 100, Money(100_000, "RUB"), 10))
        await u.commit()
    anna = sandbox.user("Anna")
    await anna.send("/start")
    await anna.send("opera")
    assert "20 events" in anna.last_text() and len(anna.last_text()) <= 4096
    await anna.press("1. Opera 0")
    assert "Opera 0" in anna.last_text() and len(anna.last_text()) <= 4096
    await anna.press("TTTT")
    await anna.press("Add to cart")
    await anna.send("/cart")
    assert "Opera 0" in anna.last_text()


async def test_many_tickets_are_listed_ten_per_page(sandbox, bot_app, clock, admin):
    await make_event(bot_app.engine, clock)
    anna = sandbox.user("Anna", lang="ru")
    await anna.send("/start")
    await admin.send("/start")
    await admin.send(f"/credit {anna.id} 100000")
    await open_tariff(anna, "Standard")
    for _ in range(9):
        await anna.press("➕")
    assert "➕" not in anna.buttons()  # 10 is the most one order takes of a tariff
    await anna.press("В корзину (10)")
    await anna.press("◀️ К мероприятию")
    await anna.press("VIP")
    await anna.press("➕")
    await anna.press("В корзину (2)")
    await anna.send("/cart")
    assert "за 12 билетов" in anna.last_text()
    await pay_for_myself(anna, "Оплатить с кошелька")
    assert len([m for m in anna.messages if m.photo]) == 12
    await anna.send("/tickets")
    assert "12 билетов, страница 1 из 2" in anna.last_text()
    assert "📱 QR 10" in anna.buttons() and "Дальше ▶️" in anna.buttons()
    await anna.press("Дальше ▶️")
    assert "страница 2 из 2" in anna.last_text() and "📱 QR 12" in anna.buttons()
