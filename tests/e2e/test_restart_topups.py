"""A crash in the middle of a burst of card payments: every payment Telegram took is credited exactly once.

30 customers each hold a top-up invoice and pay at once; the bot process (`python -m bot`, as in production)
is killed with SIGKILL as the first credits land, with the other successful_payment messages in hand or on
their way, and started again: they are replayed or fetched and credited, each exactly once (a payment whose
pre-checkout the bot could not answer in Telegram's ten seconds would never be charged, and is then not
credited either). On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import signal

from sqlalchemy import func, select

from sandbox import Sandbox
from storage.tables import payments, wallet_entries
from tests.e2e.conftest import balance
from tests.e2e.test_restart import TOKEN, BotProcess, _until
from tests.e2e.test_stale_buttons import plain

CUSTOMERS = 30


async def _count(engine, table) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table))).scalar_one()


async def _at_least(engine, n: int, within: float) -> None:
    """Polls the database, which another process writes: no event to wait for."""
    deadline = asyncio.get_running_loop().time() + within
    while await _count(engine, payments) < n and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.02)


def _button(person, label: str):
    for message in reversed(person.messages):
        for row in message.buttons:
            for button in row:
                if plain(button.text) == label:
                    return message, button
    return None


async def _invoice(person, bot: BotProcess):
    """The bot runs in a process of its own: each answer is waited for, not assumed."""
    await person.send("/wallet", wait=False)
    await _until(lambda: _button(person, "💳 Top up"), 30, "the wallet", bot)
    await person.press_button(*_button(person, "💳 Top up"), wait=False)
    await _until(lambda: _button(person, "1,000 ₽"), 30, "the amounts", bot)
    await person.press_button(*_button(person, "1,000 ₽"), wait=False)
    await _until(lambda: any(m.invoice is not None for m in person.messages), 30, "the invoice", bot)
    return next(m for m in reversed(person.messages) if m.invoice is not None)


async def test_a_kill_in_the_middle_of_30_card_payments_credits_each_taken_payment_once(engine, tmp_path):
    database_url = engine.url.render_as_string(hide_password=False)
    async with Sandbox(token=TOKEN, bot_username="restart_test_bot", pre_checkout_timeout=10) as sandbox:
        bot = BotProcess(sandbox, database_url, tmp_path / "bot.log")
        bot.env["PAYMENT_PROVIDER_TOKEN"] = "381764678:TEST:restart"
        await bot.start()
        try:
            people = [sandbox.user(f"Payer{n}", lang="en") for n in range(CUSTOMERS)]
            invoices = []
            for person in people:
                await person.send("/start", wait=False)
                await _until(lambda p=person: p.messages, 60, "the greeting", bot)
                invoices.append(await _invoice(person, bot))

            paying = asyncio.gather(*(p.pay(inv, wait=False) for p, inv in zip(people, invoices, strict=True)))
            await _at_least(engine, 3, 60)
            await bot.stop(signal.SIGKILL)
            credited_at_the_kill = await _count(engine, payments)
            await bot.start()
            results = await paying
            await _until(lambda: not sandbox.pending_update_ids, 120, "every update confirmed", bot)
            paid = [r for r in results if r.paid]
            await _at_least(engine, len(paid), 60)
            await asyncio.sleep(1.0)  # anything still on its way would show up now
        finally:
            if bot.proc is not None and bot.proc.returncode is None:
                await bot.stop(signal.SIGTERM)

    assert paid, "nothing was paid: the kill came too early to test anything"
    assert credited_at_the_kill < len(paid), "the kill came too late: every payment was credited before it"
    assert (await _count(engine, payments), await _count(engine, wallet_entries)) == (len(paid), len(paid))
    for person, result in zip(people, results, strict=True):
        expected = 100_000 if result.paid else 0
        assert await balance(engine, person.id) == expected, (person.name, result.outcome)
