"""The QR worker process dying (killed, out of memory) costs no ticket: the loop draws it and a new worker starts."""

from __future__ import annotations

import os
import signal

from handlers.qr import TicketPictures, qr_png
from tests.e2e.conftest import decode_qr


async def test_a_dead_worker_is_replaced_and_the_ticket_still_drawn():
    pictures = TicketPictures(processes=1)
    try:
        first = await pictures.png("https://t.me/bot?start=t_one", "AB12-CD34")
        assert decode_qr(first) == "https://t.me/bot?start=t_one"
        for pid in list(pictures._pool._processes):
            os.kill(pid, signal.SIGKILL)
        second = await pictures.png("https://t.me/bot?start=t_two", "EF56-GH78")
        assert second == qr_png("https://t.me/bot?start=t_two", "EF56-GH78")
        third = await pictures.png("https://t.me/bot?start=t_three", "JK90-LM12")
        assert decode_qr(third) == "https://t.me/bot?start=t_three"
        assert pictures._pool is not None, "a new worker serves the next ticket"
    finally:
        pictures.close()
