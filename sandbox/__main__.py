"""Run the sandbox Bot API server alone: ``python -m sandbox --port 8081 [--chat]``.

Point a bot at the printed base_url (``TelegramAPIServer.from_base(base_url)``).  With ``--chat`` a
terminal chat runs in the same process, so you can talk to a bot running in another process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .chat import run_terminal_chat
from .server import Sandbox


async def _main(args: argparse.Namespace) -> None:
    sandbox = Sandbox(token=args.token, bot_username=args.username, bot_name=args.bot_name)
    await sandbox.start(host=args.host, port=args.port)
    print(
        f"Sandbox Bot API listening on {sandbox.base_url} (token {sandbox.token}, @{sandbox.bot_username})",
        flush=True,
    )
    print(sandbox.base_url, flush=True)
    try:
        if args.chat:
            await run_terminal_chat(sandbox, name=args.name, lang=args.lang, photo_dir=args.photo_dir)
        else:
            await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:SANDBOX")
    parser.add_argument("--username", default="sandbox_ticket_bot")
    parser.add_argument("--bot-name", default="Ticket Bot")
    parser.add_argument("--chat", action="store_true", help="also run an interactive terminal chat")
    parser.add_argument("--name", default="You", help="your name in the chat")
    parser.add_argument("--lang", default="en", choices=["en", "ru"])
    parser.add_argument("--photo-dir", default="data/sandbox_photos")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(args))


if __name__ == "__main__":
    main()
