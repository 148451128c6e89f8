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


BOT_THAT_DIES = """
import asyncio, os, signal, sys
from handlers.qr import TicketPictures

async def main():
    pictures = TicketPictures(processes=1)
    await pictures.png("https://t.me/bot?start=t_one", "AB12-CD34")
    print(" ".join(str(pid) for pid in pictures._pool._processes), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # a crash: nothing shuts the pool down

asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


async def test_workers_leave_when_the_bot_is_killed():
    """A bot killed with SIGKILL leaves no QR worker behind (each crash used to leave one idling forever)."""
    import asyncio
    import sys

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", BOT_THAT_DIES, stdout=asyncio.subprocess.PIPE, cwd=os.getcwd()
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == -signal.SIGKILL
    workers = [int(pid) for pid in out.split()]
    assert workers, "the bot had a worker"
    for _ in range(100):
        if not any(_alive(pid) for pid in workers):
            break
        await asyncio.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), f"QR workers {workers} outlived the killed bot"
