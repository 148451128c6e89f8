"""What goes wrong around a customer is not the customer's problem: a transient database conflict, a
press answered too late for Telegram, a search whose buttons outlived it."""

from __future__ import annotations

import logging

from bot.app import SANDBOX_TOKEN
from bot.delivery import deliver_undelivered
from domain.errors import ConcurrencyConflict
from domain.services.cart import CartService
from sandbox import Sandbox
from tests.e2e.conftest import BOT_USERNAME, make_event, open_tariff, pay_for_myself, quota, start_bot, stop_bot

APOLOGY = "something went wrong"


async def test_a_deadlock_is_retried_before_the_customer_sees_an_apology(
    sandbox, bot_app, demo_event, monkeypatch, caplog
):
    real = CartService.add_tickets
    failures = []

    async def deadlocks_twice(self, *args, **kwargs):
        if len(failures) < 2:
            failures.append(1)
            raise ConcurrencyConflict("deadlock detected")
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(CartService, "add_tickets", deadlocks_twice)
    anna = sandbox.user("Anna", lang="en")
    await open_tariff(anna)
    with caplog.at_level(logging.INFO):
        await anna.press("Add to cart")
    assert len(failures) == 2
    assert "Added to the cart" in anna.last_alert()
    assert APOLOGY not in " ".join(m.content for m in anna.messages)
    assert await quota(bot_app.engine, demo_event.standard_id) == (0, 1)
    assert "transient conflict" in caplog.text


async def test_a_press_too_old_to_answer_still_does_its_work(sqlite_engine, clock, caplog):
    """After a restart, replayed presses may be too old for answerCallbackQuery; the work is done anyway
    and nobody gets an apology."""
    async with Sandbox(token=SANDBOX_TOKEN, bot_username=BOT_USERNAME, callback_answer_timeout=0) as sb:
        app, task = await start_bot(sb, sqlite_engine, clock)
        try:
            event = await make_event(sqlite_engine, clock)
            anna = sb.user("Anna", lang="en")
            await open_tariff(anna)
            with caplog.at_level(logging.INFO):
                await anna.press("Add to cart")
            assert await quota(sqlite_engine, event.standard_id) == (0, 1)
            assert APOLOGY not in " ".join(m.content for m in anna.messages)
            assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
            assert "too old" in caplog.text
        finally:
            await stop_bot(app, task)


async def test_page_buttons_of_a_pruned_search_say_it_expired(sandbox, bot_app, clock):
    for n in range(21):
        await make_event(bot_app.engine, clock, title=f"Концерт {n:02d}", days=5 + n)
    anna = sandbox.user("Anna", lang="en")
    await anna.send("Концерт")
    assert "Next" in " ".join(anna.buttons())
    clock.advance(days=2, minutes=1)
    assert await bot_app.services.catalog.prune_searches() == 1
    await anna.press("Next")
    assert "search has expired" in (anna.last_alert() or anna.last_text())
    await anna.send("Концерт")
    assert "21" in anna.last_text()


async def test_a_batch_the_database_could_not_record_is_fetched_again_not_lost(sqlite_engine, clock, caplog):
    """Nothing is confirmed to Telegram before it is recorded: when recording fails (the database is
    away for a moment) the same updates come again and are handled once."""
    async with Sandbox(token=SANDBOX_TOKEN, bot_username=BOT_USERNAME) as sb:
        app, task = await start_bot(sb, sqlite_engine, clock)
        real_record = app.update_log.record
        failures: list[int] = []

        async def flaky_record(updates, now):
            if not failures:
                failures.append(len(updates))
                raise OSError("database is away")
            return await real_record(updates, now)

        app.update_log.record = flaky_record
        try:
            anna = sb.user("Anna", lang="en")
            with caplog.at_level(logging.INFO):
                await anna.send("/start")
            assert failures == [1]
            assert [m.content.startswith("Hello") for m in anna.messages] == [True]
            assert "could not record 1 updates" in caplog.text
        finally:
            await stop_bot(app, task)


async def test_a_ticket_telegram_refused_at_payment_is_delivered_by_the_sweep(
    sandbox, bot_app, demo_event, admin, clock
):
    """The money is taken: the customer is told the truth (paid, tickets to follow), never "nothing was
    charged", and the delivery sweep sends the QR a minute later, once."""
    anna = sandbox.user("Anna", lang="en")
    await anna.send("/start")
    await admin.send(f"/credit {anna.id} 5000")
    await open_tariff(anna)
    await anna.press("Add to cart")
    sandbox.fail_next("sendPhoto", 500, "Internal Server Error")
    await pay_for_myself(anna)
    texts = " ".join(m.content for m in anna.messages)
    assert "is paid" in texts and "will come here in a minute" in texts
    assert APOLOGY not in texts
    assert not [m for m in anna.messages if m.photo]

    deliver = (bot_app.bot, bot_app.pictures, bot_app.services.checkout, bot_app.i18n, bot_app.settings.tz)
    assert await deliver_undelivered(*deliver) == 0, "not before a minute has passed"
    clock.advance(minutes=2)
    assert await deliver_undelivered(*deliver) == 1
    assert len([m for m in anna.messages if m.photo]) == 1
    assert await deliver_undelivered(*deliver) == 0, "delivered once"
