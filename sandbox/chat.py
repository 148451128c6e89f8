"""An interactive terminal chat with the bot under test, through the sandbox.

Every bot message is printed as it arrives (via :meth:`Sandbox.subscribe`), with its inline buttons
numbered ``[1] Label  [2] Label`` (numbering restarts per message).  Typing a number presses that
button of the current keyboard (the newest message with buttons sent to the current person); anything
else is sent as text.  Commands: ``:as <name> [ru|en]``, ``:open <link>``, ``:help``, ``:quit``.
Photos are saved to ``photo_dir/<chat>_<message_id>.png`` (``.jpg`` etc. when the bytes are another
format) and documents to ``photo_dir/<chat>_<message_id>_<file name>``.

The bot is expected to poll with ``handle_as_tasks=True`` here, so printing never relies on the
processed-wait of :class:`ScriptedUser`; after each input the chat only waits briefly for the bot to
go quiet, so that the prompt comes after the answer.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from .client import ScriptedUser
from .models import Button, CallbackAnswer, SandboxMessage
from .server import Sandbox

__all__ = ["run_terminal_chat"]

HELP = """\
Type a message to send it to the bot. Commands:
  N                 press button N of the current keyboard (the last message with buttons)
  :as NAME [ru|en]  continue as another person (created on first use)
  :open LINK        open a deep link, e.g. https://t.me/<bot>?start=PAYLOAD
  :help             this help
  :quit             leave (Ctrl-D works too)"""


def read_qr(data: bytes) -> str | None:
    """What a phone camera would read from a picture, when zxing-cpp is installed (it is, with the dev extras)."""
    try:
        import io

        import zxingcpp
        from PIL import Image
    except ImportError:
        return None
    try:
        results = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))
    except Exception:
        return None
    return results[0].text if results else None


class _TerminalChat:
    def __init__(self, sandbox: Sandbox, person: ScriptedUser, photo_dir: Path, output: IO[str]) -> None:
        self.sandbox = sandbox
        self.person = person
        self.photo_dir = photo_dir
        self.output = output
        self.keyboards: dict[int, SandboxMessage] = {}  # chat id -> current keyboard message
        self.names: dict[int, str] = {person.id: person.name}

    def write(self, text: str) -> None:
        self.output.write(text + "\n")
        self.output.flush()

    # ------------------------------------------------------------------ observer

    def on_event(self, chat_id: int, event: str, message: SandboxMessage | None, alert: CallbackAnswer | None) -> None:
        if chat_id not in self.names:
            return
        to = "" if chat_id == self.person.id else f" -> {self.names[chat_id]}"
        if event == "alert" and alert is not None:
            kind = "alert, popup" if alert.show_alert else "alert"
            self.write(f"({kind}){to} {alert.text}")
            return
        if message is None:
            return
        if event == "deleted":
            self.write(f"(deleted){to} message #{message.message_id}")
            return
        mark = " (edited)" if event == "edited" else ""
        self.write(f"--- {self.sandbox.bot_name}{to} #{message.message_id}{mark}")
        if message.content:
            self.write(message.content)
        if message.invoice is not None:
            invoice = message.invoice
            self.write(
                f"  [invoice] {invoice.title}: {invoice.description} ({invoice.total_amount} {invoice.currency}, "
                "in the smallest units)"
            )
        if event == "sent" and (message.photo is not None or message.document is not None):
            self.write(f"  [saved {self.save_media(message)}]")
            if message.photo is not None and (link := read_qr(message.photo)):
                self.write(f"  [QR code: {link}]  (:open it as someone else to scan it)")
        for row in self.numbered(message):
            self.write("  " + "  ".join(f"[{n}] {b.text}" + (f" <{b.url}>" if b.url else "") for n, b in row))
        if message.reply_keyboard:
            self.write("  keyboard: " + " | ".join(message.reply_keyboard_labels()))
        if event == "sent" and message.buttons:
            self.keyboards[chat_id] = message

    @staticmethod
    def numbered(message: SandboxMessage) -> list[list[tuple[int, Button]]]:
        rows: list[list[tuple[int, Button]]] = []
        counter = 0
        for row in message.buttons:
            items = []
            for button in row:
                counter += 1
                items.append((counter, button))
            rows.append(items)
        return rows

    def save_media(self, message: SandboxMessage) -> Path:
        self.photo_dir.mkdir(parents=True, exist_ok=True)
        if message.photo is not None:
            data = message.photo
            ext = ".png"
            if data.startswith(b"\xff\xd8"):
                ext = ".jpg"
            elif data[:6] in (b"GIF87a", b"GIF89a"):
                ext = ".gif"
            elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
                ext = ".webp"
            path = self.photo_dir / f"{message.chat_id}_{message.message_id}{ext}"
        else:
            data = message.document or b""
            name = Path(message.document_name or "document").name
            path = self.photo_dir / f"{message.chat_id}_{message.message_id}_{name}"
        path.write_bytes(data)
        return path

    # ------------------------------------------------------------------ input handling

    async def handle(self, line: str) -> bool:
        """Process one input line; False means quit."""
        text = line.strip()
        if not text:
            return True
        if text in {":quit", ":q", ":exit"}:
            return False
        if text == ":help":
            self.write(HELP)
            return True
        if text.startswith(":as"):
            parts = text.split()
            if len(parts) < 2:
                self.write("usage: :as NAME [ru|en]")
                return True
            lang = parts[-1] if len(parts) > 2 and parts[-1] in {"ru", "en"} else None
            name = " ".join(parts[1:-1] if lang else parts[1:])
            self.switch(name, lang)
            return True
        if text.startswith(":open"):
            link = text[len(":open") :].strip()
            try:
                await self.person.open(link, wait=False)
            except AssertionError as error:
                self.write(f"(error) {error}")
                return True
            await self.sandbox.settle()
            return True
        keyboard = self.keyboards.get(self.person.id)
        if text.isdigit() and keyboard is not None and not keyboard.deleted:
            flat = [b for row in keyboard.buttons for b in row]
            number = int(text)
            if 1 <= number <= len(flat):
                button = flat[number - 1]
                if button.url is not None:
                    self.write(f"(link) {button.url}" + ("  - use :open to follow it" if "t.me" in button.url else ""))
                    return True
                self.write(f"(pressed) {button.text}")
                try:
                    await self.person.press_button(keyboard, button, wait=False)
                except AssertionError as error:
                    self.write(f"(error) {error}")
                await self.sandbox.settle()
                return True
        await self.person.send(text, wait=False)
        await self.sandbox.settle()
        return True

    def switch(self, name: str, lang: str | None) -> None:
        person = self.sandbox.user(name, lang or "en")
        if lang:
            person.lang = lang
        self.person = person
        self.names[person.id] = person.name
        self.write(f"(now chatting as {person.name}, id {person.id}, language {person.lang})")


async def _read_line(input_func: Callable[[str], Any] | None, prompt: str) -> str | None:
    try:
        if input_func is None:
            return await asyncio.to_thread(input, prompt)
        result = input_func(prompt)
        if inspect.isawaitable(result):
            result = await result
    except EOFError:
        return None
    return None if result is None else str(result)


async def run_terminal_chat(
    sandbox: Sandbox,
    name: str = "You",
    lang: str = "en",
    user_id: int | None = None,
    photo_dir: str | Path = "data/sandbox_photos",
    input_func: Callable[[str], Any] | None = None,
    output: IO[str] = sys.stdout,
) -> None:
    """Chat with the bot in the terminal until ``:quit`` or EOF.

    ``input_func(prompt)`` replaces :func:`input` (it may be sync or async; raise EOFError or return
    None to end).  The default reads stdin in a worker thread so the event loop keeps running.
    """
    person = sandbox.user(name, lang, user_id=user_id)
    chat = _TerminalChat(sandbox, person, Path(photo_dir), output)
    unsubscribe = sandbox.subscribe(chat.on_event)
    chat.write(f"Chatting with @{sandbox.bot_username} as {person.name} (id {person.id}). :help for help.")
    try:
        while True:
            line = await _read_line(input_func, f"{chat.person.name}> ")
            if line is None or not await chat.handle(line):
                break
    finally:
        unsubscribe()
