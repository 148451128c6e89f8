"""Ticket pictures as production draws them: in a worker process, off the event loop."""

from __future__ import annotations

import os

from tests.e2e.conftest import decode_qr, open_tariff, pay_for_myself, start_bot, stop_bot


async def test_a_bought_ticket_is_drawn_in_a_worker_process_and_scans(sandbox, sqlite_engine, clock):
    app, task = await start_bot(sandbox, sqlite_engine, clock, qr_processes=1)
    try:
        from tests.e2e.conftest import ADMIN_ID, make_event

        await make_event(app.engine, clock)
        admin, anna = sandbox.user("Admin", user_id=ADMIN_ID), sandbox.user("Anna", lang="en")
        await anna.send("/start")
        await admin.send(f"/credit {anna.id} 5000")
        await open_tariff(anna)
        await anna.press("Add to cart")
        await pay_for_myself(anna)
        photo = [m for m in anna.messages if m.photo][-1]
        link = decode_qr(photo.photo)
        assert link.startswith(f"https://t.me/{sandbox.bot_username}?start=t_")
        workers = app.pictures._pool._processes
        assert workers and all(pid != os.getpid() for pid in workers), "drawn in another process"
        # "My tickets" sends the same QR again, from the same worker.
        await anna.send("/tickets")
        await anna.press("QR")
        assert decode_qr([m for m in anna.messages if m.photo][-1].photo) == link
    finally:
        await stop_bot(app, task)
    assert app.pictures._pool is None, "the worker is stopped with the bot"
