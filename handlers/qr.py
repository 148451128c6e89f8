"""The ticket picture: a QR code of the check-in deep link, with the short code under it."""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import qrcode
from aiogram.types import BufferedInputFile
from PIL import ImageDraw
from qrcode.constants import ERROR_CORRECT_M

logger = logging.getLogger(__name__)

# Any of the eight mask patterns reads the same; picking the "best" one scores all eight in pure Python
# and was most of the 11 ms a ticket took on the event loop. A black-and-white PNG is also 8x quicker to
# encode than an RGB one, and smaller. Together: about 4 ms a ticket.
MASK_PATTERN = 2


def qr_png(link: str, label: str) -> bytes:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4, mask_pattern=MASK_PATTERN)
    qr.add_data(link)
    qr.make(fit=True)
    image = qr.make_image().get_image()  # mode "1": black and white
    draw = ImageDraw.Draw(image)
    width, height = image.size
    text_width = draw.textlength(label)
    draw.text(((width - text_width) / 2, height - 30), label, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _exit_with(parent_pid: int) -> None:
    """In a worker: leave when the bot is gone. A bot killed with SIGKILL cannot shut its pool down, and
    the spawned workers (and multiprocessing's resource tracker, which keeps their pipes open) would
    otherwise idle on forever, one set per crash."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-the-bot", daemon=True).start()


class TicketPictures:
    """Draws ticket pictures. qrcode is pure Python: 4 ms a ticket on the event loop is 4 ms every other
    update waits in a rush, so with processes > 0 they are drawn in worker processes (the loop only
    sends the link and gets the PNG back). A worker that dies is replaced; meanwhile the loop draws."""

    def __init__(self, processes: int = 0) -> None:
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Spawned ahead of the first ticket (a fresh interpreter takes about a second to be ready)."""
        if self._processes and self._pool is None:
            # spawn, not fork: the bot's process has threads (aiosqlite, the scheduler) a fork would copy mid-work
            self._pool = ProcessPoolExecutor(
                self._processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with,
                initargs=(os.getpid(),),
            )
            self._pool.submit(qr_png, "warm-up", "")

    async def png(self, link: str, label: str) -> bytes:
        self.start()
        if self._pool is None:
            return qr_png(link, label)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, qr_png, link, label)
        except BrokenProcessPool:
            logger.warning("the QR worker process died; drawing on the event loop and starting another")
            self.close()
            return qr_png(link, label)

    async def file(self, link: str, label: str) -> BufferedInputFile:
        return BufferedInputFile(await self.png(link, label), filename=f"ticket-{label}.png")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
