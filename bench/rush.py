"""The on-sale rush: K people buy one ticket each of N, through the real bot, over HTTP.

    python -m bench.rush [--db sqlite|postgres] [--buyers 1000] [--tickets 500] [--shape burst|wave|both]
                         [--wave-seconds S] [--timeout 30] [--profile]

The bench process plays Telegram (a `sandbox.Sandbox` on a local port) and the buyers; the bot is the
production entry point, `python -m bot`, in a process of its own, polling the sandbox. For each shape it
seeds a fresh database (a SQLite file in a temporary directory, or a PostgreSQL database it creates and
drops) with one published event of one tariff of N tickets and K users with money in their wallets,
starts the bot and waits for it to poll.

Every buyer then does what a person does, waiting for the bot's reaction before the next step: types
the event's name, presses the event in the results, the tariff, "Add to cart", "Go to cart", "Pay from
wallet", and is done when the QR photo arrives. Told "sold out" (search results, the card, the tariff or
an alert) they stop: "sold out cleanly". No reaction to a press within --timeout: "no answer".

    burst  all K arrive at once (throughput)
    wave   they arrive evenly over --wave-seconds (default K/50: 20 s for 1,000, the issue's 50 new
           buyers a second; the latency the first minute of a real on-sale sees)

Press-to-first-answer is measured here, not by the sandbox's trackers (the bot handles updates as
tasks): from posting the update to the first bot reaction in that buyer's chat (a message sent or
edited, or an answerCallbackQuery to the press). Then, in the same run, `bench/echo_bot.py` (bare
aiogram, one answer per update) on a fresh sandbox gets the same number of updates per person in the
burst shape: its updates/s is the ceiling of this stack, and the purchase flow's share of it is printed.

Exit status 1 when a shape oversold or a buyer got no answer (or the bot could not be started).
`make rush` runs SQLite, then PostgreSQL (TEST_POSTGRES_DSN or postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import func, select

from bench import pg
from domain.clock import SystemClock
from domain.models import EntryKind, Event, EventStatus, TelegramProfile, TicketType
from domain.money import Money
from domain.promotions import PromotionKind, PromotionRule
from sandbox import Sandbox
from sandbox.models import Button, CallbackAnswer, SandboxMessage
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.tables import orders, ticket_types, tickets
from storage.uow import UnitOfWorkFactory

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # looks like BotFather's; the sandbox accepts it
BOT_USERNAME = "rush_bench_bot"
TITLE = "Rush Hour Gala"
TARIFF = "Standard"
PRICE = Money(150_000, "RUB")
WAVE_RATE = 50  # new buyers a second when --wave-seconds is not given

SEND_EDIT = (
    "sendMessage",
    "sendPhoto",
    "sendMediaGroup",
    "sendDocument",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "editMessageMedia",
)
ANSWER = "answerCallbackQuery"

# What the bot says (bot/locales/en/LC_MESSAGES/messages.po), matched loosely so that rewording a
# button does not break the bench. Next actions in order of preference: the furthest step on screen.
ACTIONS = (
    ("attendee", lambda b: "same as me" in b.casefold()),  # button.same_as_me: who the ticket is for
    ("pay", lambda b: "pay from wallet" in b.casefold()),  # button.pay_wallet
    ("cart", lambda b: "go to cart" in b.casefold()),  # button.go_to_cart
    ("add", lambda b: "add to cart" in b.casefold()),  # button.add_to_cart
    ("tariff", lambda b: b.startswith(TARIFF)),  # "<tariff> · <price>" on the event card
    ("event", lambda b: TITLE in b),  # "1. <title> · <date>" in the search results
)
STEPS = ("search", "event", "tariff", "add", "cart", "pay", "attendee")
# search.sold_out, event.sold_out, tariff.unavailable, tariff.not_on_sale, error.sold_out(.only_left)
SOLD_OUT = re.compile(r"sold out|not on sale|not available|\bonly \d+ of\b", re.IGNORECASE)
APOLOGY = re.compile(r"went wrong|not right", re.IGNORECASE)  # error.unexpected, error.generic
ANSWER_GRACE = 5.0  # a new screen with the spinner still turning: press on after this long anyway
MAX_PRESSES = 14


# ---------------------------------------------------------------------------------------- the sandbox


class RushSandbox(Sandbox):
    """The sandbox tells observers of an answerCallbackQuery only when it carries text; a press answered
    silently is a reaction too, so every answer is reported to ``on_answer``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_answer: Any = None

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        result = await super()._answer_callback_query(params)
        query = self._queries.get(str(params.get("callback_query_id") or ""))
        if self.on_answer is not None and query is not None and query.answer is not None:
            self.on_answer(query.answer)
        return result


# ---------------------------------------------------------------------------------------- buyers


@dataclass
class Press:
    step: str
    posted: float
    query_id: str | None = None
    first: float | None = None  # first reaction in the chat (or the answer to this query)
    answered: float | None = None
    changed: float | None = None  # first message sent or edited after the press

    @property
    def latency(self) -> float | None:
        return None if self.first is None else self.first - self.posted


@dataclass
class Person:
    """One scripted user and what the bot did in their chat since their latest press."""

    user: Any  # ScriptedUser
    presses: list[Press] = field(default_factory=list)
    touched: dict[int, SandboxMessage] = field(default_factory=dict)  # message id -> message, this press
    said: list[str] = field(default_factory=list)  # texts, captions and alert texts since this press
    photo: bool = False
    last_event: float = 0.0
    outcome: str = "not started"
    detail: str = ""
    done_at: float | None = None
    queries: set[str] = field(default_factory=set)
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def current(self) -> Press | None:
        return self.presses[-1] if self.presses else None

    def reacted(self, now: float, message: SandboxMessage | None, alert: CallbackAnswer | None) -> None:
        press = self.current
        if press is None:
            return
        if message is not None:
            self.touched[message.message_id] = message
            self.said.append(message.content)
            self.photo = self.photo or message.photo is not None
            if press.changed is None:
                press.changed = now
        if alert is not None:
            if alert.query_id != press.query_id:
                return  # a late answer to an earlier press is no reaction to this one
            press.answered = now
            if alert.text:
                self.said.append(alert.text)
        if press.first is None:
            press.first = now
        self.last_event = now
        self.wake.set()

    def begin(self, step: str, query_id: str | None, posted: float) -> None:
        self.touched.clear()
        self.said.clear()
        self.presses.append(Press(step, posted, query_id))
        if query_id:
            self.queries.add(query_id)
        self.last_event = posted

    def next_action(self) -> tuple[str, SandboxMessage, Button] | None:
        screens = [m for m in reversed(self.touched.values()) if not m.deleted and m.buttons]
        for step, wanted in ACTIONS:
            for message in screens:
                for row in message.buttons:
                    for button in row:
                        if wanted(button.text):
                            return step, message, button
        return None


async def _press_on(person: Person, action: tuple[str, SandboxMessage, Button]) -> None:
    step, message, button = action
    posted = time.perf_counter()
    await person.user.press_button(message, button, wait=False)
    person.begin(step, person.user.query_ids[-1], posted)


async def buy(person: Person, start_at: float, patience: float) -> None:
    """A person buying one ticket, reacting to what is on screen after each press."""
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    posted = time.perf_counter()
    await person.user.send(TITLE, wait=False)
    person.begin("search", None, posted)
    while True:
        press = person.current
        now = time.perf_counter()
        said = " ".join(person.said)
        action = person.next_action() if press.changed is not None else None
        if person.photo:
            person.outcome, person.done_at = "bought", person.last_event
            return
        if APOLOGY.search(said):
            person.outcome, person.detail = "apology", said[:160]
            return
        if SOLD_OUT.search(said):
            person.outcome, person.done_at = "sold out", person.last_event
            return
        if action is not None and (
            press.query_id is None or press.answered is not None or now - press.changed > ANSWER_GRACE
        ):
            if len(person.presses) >= MAX_PRESSES:
                person.outcome, person.detail = "stuck", f"{MAX_PRESSES} presses; last screen: {said[:160]!r}"
                return
            await _press_on(person, action)
            continue
        deadline = person.last_event + patience
        if action is not None:
            deadline = min(deadline, press.changed + ANSWER_GRACE + 0.01)
        if now >= deadline:
            if press.first is None:
                person.outcome, person.detail = "no answer", press.step
            else:
                person.outcome, person.detail = "stuck", f"after {press.step}: {said[:160]!r}"
            return
        person.wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(person.wake.wait(), deadline - now)


async def echo_person(person: Person, steps: int, start_at: float, patience: float) -> None:
    """The baseline's person: one message, then presses of its button, each after the previous answer."""
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    for n in range(steps):
        posted = time.perf_counter()
        if n == 0:
            await person.user.send("hello", wait=False)
            person.begin("message", None, posted)
        else:
            message = person.user.last_message()
            await person.user.press_button(message, message.buttons[0][0], wait=False)
            person.begin("press", person.user.query_ids[-1], posted)
        press = person.current
        while not (press.changed if n == 0 else press.answered):
            remaining = person.last_event + patience - time.perf_counter()
            if remaining <= 0:
                person.outcome = "no answer"
                return
            person.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(person.wake.wait(), remaining)
    person.outcome, person.done_at = "done", person.last_event


def watch(sandbox: RushSandbox, people: dict[int, Person]) -> list[float]:
    """Route every bot reaction to the person whose chat it is in; returns a cell with the latest time."""
    latest = [0.0]

    def observe(chat_id: int, event: str, message: SandboxMessage | None, alert: CallbackAnswer | None) -> None:
        now = time.perf_counter()
        latest[0] = now
        person = people.get(chat_id)
        if person is not None and event in ("sent", "edited"):
            person.reacted(now, message, None)

    def answered(answer: CallbackAnswer) -> None:
        now = time.perf_counter()
        latest[0] = now
        person = people.get(answer.user_id)
        if person is not None:
            person.reacted(now, None, answer)

    sandbox.subscribe(observe)
    sandbox.on_answer = answered
    return latest


# ---------------------------------------------------------------------------------------- processes


class Process:
    """A bot as its own process, its output in a file (a pipe nobody reads would block it)."""

    def __init__(self, module: str, sandbox: Sandbox, log: Path, database_url: str | None = None) -> None:
        self.module = module
        self.env = {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": sandbox.base_url,
            "REDIS_URL": "",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        if database_url is not None:
            self.env["DATABASE_URL"] = database_url
        self.sandbox = sandbox
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, within: float = 90.0) -> None:
        with self.log.open("a") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", self.module, cwd=ROOT, env=self.env, stdout=out, stderr=out
            )
        deadline = time.monotonic() + within
        while not any(method == "getUpdates" for method, _ in self.sandbox.calls):
            if self.proc.returncode is not None:
                raise RuntimeError(f"{self.module} exited ({self.proc.returncode}):\n{self.output()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.module} did not start polling within {within:.0f} s")
            await asyncio.sleep(0.05)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def stop(self) -> int | None:
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 40)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _ticks(stat_path: str | Path) -> int:
    """utime + stime (clock ticks) from a /proc/.../stat file; 0 when it is gone."""
    try:
        fields = Path(stat_path).read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])


def _postgres_ticks() -> dict[int, int]:
    ticks = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "postgres":
                    ticks[int(entry.name)] = _ticks(entry / "stat")
    return ticks


def _machine_ticks() -> int:
    """Busy ticks of all CPUs: user, nice, system, irq, softirq, steal."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values[i] for i in (0, 1, 2, 5, 6, 7) if i < len(values))


async def until_quiet(max_wait: float, busy_limit: float = 0.25, window: float = 3.0) -> str:
    """Wait (up to max_wait s) until the machine has been nearly idle for `window` seconds: another
    process's tests or builds on the same cores would make the figures meaningless."""
    started = time.monotonic()
    hz = os.sysconf("SC_CLK_TCK")
    while True:
        before = _machine_ticks()
        await asyncio.sleep(window)
        busy = (_machine_ticks() - before) / hz / window
        if busy < busy_limit:
            waited = time.monotonic() - started
            return f"waited {waited:.0f} s for the machine to be quiet" if waited > window * 1.5 else ""
        if time.monotonic() - started > max_wait:
            return f"the machine stayed busy ({busy:.2f} cores) for {max_wait:.0f} s: measuring anyway"


class CpuMeter:
    """Cores used while a shape ran: the bot (and the thread running its event loop), this process (the
    sandbox and the buyers), PostgreSQL, and whatever else ran on the machine (which disturbs the figures)."""

    def __init__(self, bot_pid: int) -> None:
        self.pid = bot_pid
        self.start = self._snapshot()
        self.t0 = time.perf_counter()

    def _snapshot(self) -> dict[str, Any]:
        return {
            "bot": _ticks(f"/proc/{self.pid}/stat"),
            "loop": _ticks(f"/proc/{self.pid}/task/{self.pid}/stat"),
            "bench": _ticks("/proc/self/stat"),
            "postgres": _postgres_ticks(),
            "machine": _machine_ticks(),
        }

    def stop(self) -> dict[str, float]:
        end = self._snapshot()
        scale = os.sysconf("SC_CLK_TCK") * (time.perf_counter() - self.t0)
        cores = {k: (end[k] - self.start[k]) / scale for k in ("bot", "loop", "bench", "machine")}
        cores["postgres"] = sum(t - self.start["postgres"].get(pid, 0) for pid, t in end["postgres"].items()) / scale
        cores["other"] = max(0.0, cores["machine"] - cores["bot"] - cores["bench"] - cores["postgres"])
        return cores


class Profiler:
    """py-spy sampling the bot process while the shape runs (``--profile``)."""

    def __init__(self, pid: int, out: Path) -> None:
        self.out = out
        exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        self.proc = subprocess.Popen(
            [
                exe,
                "record",
                "--pid",
                str(pid),
                "--rate",
                "50",
                "--format",
                "raw",
                "--idle",
                "--threads",
                "--native",  # C frames too: without them time in C is charged to a stale Python frame
                "--output",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        if not self.out.exists():
            return "  profile: py-spy wrote nothing: " + err.decode(errors="replace").strip()[-300:]
        return summarize_profile(self.out)


_FRAME_LINE = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?P<line>:\d+)?\)$")
PROJECT = ("bot/", "domain/", "storage/", "handlers/", "scheduler/")


def _long_frame(frame: str) -> str:
    """`func (path:line)` with the path shortened to the package (site-packages, stdlib or this repo)."""
    match = _FRAME_LINE.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    for marker in ("site-packages/", "/lib/python3.11/", str(ROOT) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{match['func']} ({path}{match['line'] or ''})"


def _package(frame: str) -> str:
    where = frame.rsplit("(", 1)[-1]
    if where.startswith("<"):
        return "<generated>"
    head = where.split("/", 1)[0] if "/" in where else "stdlib"
    return head.split(".", 1)[0]


def _strip_line(frame: str) -> str:
    return re.sub(r":\d+\)$", ")", frame)


IDLE = re.compile(r"^(epoll_wait|\S*select) \(")  # the event loop waiting for I/O or a timer
IN_SQLITE = re.compile(r"^_connection_worker_thread \(aiosqlite/core\.py:63\)$")  # running, or waiting for the lock
PYTHON_FRAME = re.compile(r"\((<[^>]+>|[^()]*\.py)(:\d+)?\)$")


def summarize_profile(raw: Path, top: int = 10) -> str:
    """Where the bot's event-loop thread spent its time, from py-spy's raw output (`thread;frame;... count`,
    recorded with --native --idle): the idle share, own time per Python function (C code it called
    included), by package, and each busy sample charged to the deepest frame of the project's code."""
    stacks: list[tuple[str, list[str], int]] = []
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_long_frame(f) for f in stack.split(";")]
        thread = frames[0] if frames[0].startswith("thread") else "?"
        stacks.append((thread, frames[1:] or [thread], int(count)))
    if not stacks:
        return "  profile: no samples"
    per_thread: Counter[str] = Counter()
    for thread, _, n in stacks:
        per_thread[thread] += n
    loop_threads = {t for t, frames, _ in stacks if any("run_forever" in f for f in frames)}
    main = max(loop_threads or per_thread, key=lambda t: per_thread[t])
    total = per_thread[main]
    own: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    idle = in_sqlite = gc = 0
    for thread, frames, n in stacks:
        if thread != main:
            in_sqlite += n if any(IN_SQLITE.search(f) for f in frames) else 0
            continue
        if any(IDLE.search(f) for f in frames[-3:]):
            idle += n
            continue
        gc += n if any(f.startswith("gc_collect") for f in frames) else 0
        python = [f for f in frames if PYTHON_FRAME.search(f)] or ["(no Python frame)"]
        own[_strip_line(python[-1])] += n
        packages[_package(python[-1])] += n
        deepest = next((f for f in reversed(python) if f.split("(", 1)[-1].startswith(PROJECT)), "")
        if not deepest or deepest.startswith(("main (bot/runner.py", "<module> (bot/__main__.py")):
            deepest = "(outside the project's code: the event loop, aiohttp, getUpdates)"
        ours[_strip_line(deepest)] += n
    busy = max(total - idle, 1)
    lines = [
        f"  py-spy --native of the bot ({raw}): its event-loop thread was waiting in epoll "
        f"{100 * idle / total:.0f} % of {total} samples; busy {100 * busy / total:.0f} %, of which garbage "
        f"collection {100 * gc / busy:.0f} %; aiosqlite threads inside SQLite (running or waiting for the write "
        f"lock): {in_sqlite} samples",
        "  own time by package (% of busy samples, C code charged to the Python frame that called it): "
        + ", ".join(f"{name} {100 * n / busy:.0f}" for name, n in packages.most_common(12)),
        "  top own time in the event-loop thread (% of its busy samples):",
    ]
    lines += [f"    {100 * n / busy:5.1f} %  {frame}" for frame, n in own.most_common(top)]
    lines.append("  busy samples by the deepest frame of the project's code (% of busy samples):")
    lines += [f"    {100 * n / busy:5.1f} %  {frame}" for frame, n in ours.most_common(top)]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------- databases


def _remove_sqlite(path: Path) -> None:
    for leftover in path.parent.glob(path.name + "*"):  # -wal, -shm, the bot's poller lock
        leftover.unlink(missing_ok=True)


@contextlib.asynccontextmanager
async def database(kind: str, workdir: Path, label: str):
    """A fresh, migrated database: its URL; dropped (or deleted) afterwards."""
    if kind == "sqlite":
        path = workdir / f"rush-{label}.db"
        url = f"sqlite+aiosqlite:///{path}"
        engine = create_engine(url)
        try:
            await upgrade(engine)
            yield url, engine
        finally:
            await engine.dispose()
            _remove_sqlite(path)
        return
    async with pg.temporary_database("ticketbot_rush") as (url, engine):
        yield url, engine


async def seed(
    engine, sandbox: Sandbox, tickets_n: int, buyers: int, promotions: bool = False
) -> tuple[int, list[Any]]:
    """One published event with one tariff of N tickets; K known users with money for two tickets each.
    With `promotions`, the event has three automatic promotions, one of which applies to every purchase
    (5 % off any weekday a day ahead) while the other two are shown as hints (2+ tickets; a bundle with a
    second tariff): every cart drawn and every payment is priced with all three."""
    uow = UnitOfWorkFactory(engine)
    clock = SystemClock()
    now = clock.now()
    async with uow() as u:
        event = await u.events.add(
            Event(
                0,
                TITLE,
                now + timedelta(days=30),
                "Bench Arena",
                EventStatus.PUBLISHED,
                "The Benchmarks",
                "Tickets go on sale at noon; a thousand people are waiting.",
                "concert",
            )
        )
        tt = await u.events.add_ticket_type(TicketType(0, event.id, TARIFF, PRICE, tickets_n))
        if promotions:
            partner = await u.events.add_ticket_type(TicketType(0, event.id, "Partner", PRICE, 10, position=1))
            for rule in (
                PromotionRule(
                    id=0, event_id=event.id, kind=PromotionKind.QUANTITY, name="2+ tickets", min_tickets=2,
                    basis_points=1000,
                ),
                PromotionRule(
                    id=0, event_id=event.id, kind=PromotionKind.BUNDLE, name="With a partner", tariff_a=tt.id,
                    tariff_b=partner.id, amount=Money(10_000, PRICE.currency),
                ),
                PromotionRule(
                    id=0, event_id=event.id, kind=PromotionKind.EARLY, name="Early bird", basis_points=500,
                    weekdays=frozenset(range(7)), days_before=1,
                ),
            ):  # fmt: skip
                await u.promotions.add_promotion(rule, PRICE.currency, now)
        await u.commit()
    people = [sandbox.user(f"Buyer{n}", lang="en") for n in range(buyers)]
    for chunk in range(0, buyers, 250):
        async with uow() as u:
            for person in people[chunk : chunk + 250]:
                user = await u.users.upsert_profile(
                    TelegramProfile(person.id, person.name, language_code="en"), clock.now()
                )
                await u.wallets.apply(user.id, PRICE * 2, EntryKind.CREDIT, f"seed:{person.id}", clock.now())
            await u.commit()
    return tt.id, people


async def tally(engine, ticket_type_id: int) -> dict[str, int]:
    async with engine.connect() as conn:
        row = (await conn.execute(select(ticket_types).where(ticket_types.c.id == ticket_type_id))).one()
        issued = (
            await conn.execute(
                select(func.count()).select_from(tickets).where(tickets.c.ticket_type_id == ticket_type_id)
            )
        ).scalar_one()
        paid = (await conn.execute(select(func.count()).select_from(orders))).scalar_one()
    return {"sold": row.sold, "held": row.held, "quantity": row.quantity, "issued": issued, "orders": paid}


# ---------------------------------------------------------------------------------------- one run


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


@dataclass
class Result:
    label: str
    buyers: int
    tickets: int
    seconds: float = 0.0  # first post to last reaction
    sell_seconds: float = 0.0  # first post to last QR
    outcomes: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    by_step: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    updates: int = 0
    handled: int = 0
    late: list[float] = field(default_factory=list)  # "no answer" presses answered after the timeout
    calls: Counter[str] = field(default_factory=Counter)  # every send, edit and answer of the run
    role_calls: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # by outcome
    unanswered: int = 0
    db: dict[str, int] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # cores: CpuMeter.stop()
    log_lines: Counter[str] = field(default_factory=Counter)
    details: list[str] = field(default_factory=list)
    profile: str = ""
    per_person_updates: list[int] = field(default_factory=list)

    @property
    def bought(self) -> int:
        return self.outcomes["bought"]

    @property
    def oversold(self) -> int:
        if not self.db:
            return 0
        return max(self.db["sold"] - self.tickets, self.db["issued"] - self.tickets, 0)

    @property
    def purchases_per_s(self) -> float:
        return self.bought / self.sell_seconds if self.sell_seconds > 0 else float("nan")

    @property
    def updates_per_s(self) -> float:
        return self.handled / self.seconds if self.seconds > 0 else float("nan")


async def drain(sandbox: Sandbox, latest: list[float], quiet: float = 1.0, within: float = 60.0) -> None:
    """Until every update was confirmed and the bot has been quiet for a while (late answers land)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not sandbox.pending_update_ids and time.perf_counter() - latest[0] > quiet:
            return
        await asyncio.sleep(0.1)


def account(result: Result, sandbox: Sandbox, people: list[Person], first_call: int, t0: float) -> None:
    """Latencies, outcomes and Bot API calls of a finished run."""
    for person in people:
        result.outcomes[person.outcome] += 1
        if person.detail and len(result.details) < 5 and person.outcome not in ("bought", "sold out"):
            result.details.append(f"{person.user.name}: {person.outcome} ({person.detail})")
        result.updates += len(person.presses)
        result.per_person_updates.append(len(person.presses))
        for n, press in enumerate(person.presses):
            if press.latency is None:
                continue
            result.handled += 1
            if person.outcome == "no answer" and n == len(person.presses) - 1:
                result.late.append(press.latency)  # answered, but after the person gave up
                continue
            result.latencies.append(press.latency)
            result.by_step[press.step].append(press.latency)
        result.unanswered += len(person.user.unanswered_queries())
    last = max((p.current.first or 0.0 for p in people if p.current), default=t0)
    done = [p.done_at for p in people if p.outcome == "bought" and p.done_at]
    result.seconds = max(last - t0, 1e-9)
    result.sell_seconds = max((max(done) if done else last) - t0, 1e-9)
    by_chat = {p.user.id: p for p in people}
    by_query = {q: p for p in people for q in p.queries}
    for method, params in sandbox.calls[first_call:]:
        if method not in SEND_EDIT and method != ANSWER:
            continue
        result.calls[method] += 1
        if method == ANSWER:
            person = by_query.get(str(params.get("callback_query_id")))
        else:
            person = by_chat.get(params.get("chat_id"))
        result.role_calls[person.outcome if person else "?"][method] += 1


def read_log(text: str) -> Counter[str]:
    """Distinct WARNING/ERROR lines of the bot's log, without times and ids; tracebacks by last line."""
    lines: Counter[str] = Counter()
    for line in text.splitlines():
        match = re.search(r" (WARNING|ERROR|CRITICAL) (\S+) update=\S+ user=\S+ action=(\S+) (.*)$", line)
        if match:
            lines[f"{match[1]} {match[2]} {match[4][:120]}"] += 1
        elif re.match(r"^\w+(\.\w+)*(Error|Exception|Warning): ", line):
            lines[f"raised {line[:140]}"] += 1
    return lines


async def run_flow(kind: str, shape: str, args: argparse.Namespace, workdir: Path, promotions: bool = False) -> Result:
    result = Result(f"{kind} {shape}{'+promos' if promotions else ''}", args.buyers, args.tickets)
    async with (
        RushSandbox(token=TOKEN, bot_username=BOT_USERNAME) as sandbox,
        database(kind, workdir, f"{shape}{'-promos' if promotions else ''}") as (
            url,
            engine,
        ),
    ):
        ticket_type_id, users = await seed(engine, sandbox, args.tickets, args.buyers, promotions)
        people = {u.id: Person(u) for u in users}
        latest = watch(sandbox, people)
        bot = Process("bot", sandbox, workdir / f"bot-{kind}-{shape}{'-promos' * promotions}.log", url)
        try:
            await bot.start()
            await asyncio.sleep(0.5)  # let start-up work (replay, scheduler) settle
            first_call = len(sandbox.calls)
            profiler = Profiler(bot.pid, workdir / f"profile-{kind}-{shape}.txt") if args.profile else None
            meter = CpuMeter(bot.pid)
            t0 = time.perf_counter()
            spread = 0.0 if shape == "burst" else args.wave_seconds
            starts = [t0 + spread * n / max(1, args.buyers) for n in range(args.buyers)]
            await asyncio.gather(*(buy(p, s, args.timeout) for p, s in zip(people.values(), starts, strict=True)))
            result.cpu = meter.stop()
            if profiler is not None:
                result.profile = profiler.stop()
            await drain(sandbox, latest)
            account(result, sandbox, list(people.values()), first_call, t0)
            result.db = await tally(engine, ticket_type_id)
        finally:
            code = await bot.stop()
            result.log_lines = read_log(bot.output())
            if code not in (0, None):
                result.log_lines[f"exit code {code}"] += 1
    return result


async def run_echo(counts: list[int], args: argparse.Namespace, workdir: Path) -> Result:
    """The bare aiogram bot on a fresh sandbox; person n sends counts[n] updates, all starting at once."""
    result = Result("echo", len(counts), 0)
    async with RushSandbox(token=TOKEN, bot_username=BOT_USERNAME) as sandbox:
        people = {}
        for n in range(len(counts)):
            user = sandbox.user(f"Echo{n}", lang="en")
            people[user.id] = Person(user)
        latest = watch(sandbox, people)
        bot = Process("bench.echo_bot", sandbox, workdir / "echo.log")
        try:
            await bot.start()
            await asyncio.sleep(0.5)
            first_call = len(sandbox.calls)
            meter = CpuMeter(bot.pid)
            t0 = time.perf_counter()
            await asyncio.gather(
                *(echo_person(p, c, t0, args.timeout) for p, c in zip(people.values(), counts, strict=True))
            )
            result.cpu = meter.stop()
            await drain(sandbox, latest)
            account(result, sandbox, list(people.values()), first_call, t0)
        finally:
            await bot.stop()
            result.log_lines = read_log(bot.output())
    return result


# ---------------------------------------------------------------------------------------- report


def cpu_line(cpu: dict[str, float]) -> str:
    if not cpu:
        return "not measured"
    line = (
        f"bot {cpu['bot']:.2f} cores (its event-loop thread {cpu['loop']:.2f}), bench process (sandbox + people) "
        f"{cpu['bench']:.2f}, PostgreSQL {cpu['postgres']:.2f}, anything else {cpu['other']:.2f}"
    )
    if contended(cpu):
        line += " (OTHER PROCESSES COMPETED FOR THE CPU: figures disturbed)"
    return line


def send_edit(calls: Counter[str]) -> int:
    return sum(n for method, n in calls.items() if method != ANSWER)


def ms(seconds: float) -> str:
    return "—" if math.isnan(seconds) else f"{seconds * 1000:,.0f}"


def report(r: Result, echo: Result | None) -> list[str]:
    lat = r.latencies
    no_answer = r.outcomes["no answer"]
    lines = [
        f"  sold {r.db.get('sold', '?')}/{r.tickets} (tickets issued {r.db.get('issued', '?')}, held after "
        f"{r.db.get('held', '?')}), oversold {r.oversold} · bought (QR received) {r.bought} · "
        f"sold out cleanly {r.outcomes['sold out']} · no answer {no_answer}"
        + (f" ({len(r.late)} answered after the timeout, max {max(r.late):.1f} s)" if r.late else "")
        + "".join(f" · {k} {n}" for k, n in sorted(r.outcomes.items()) if k not in ("bought", "sold out", "no answer")),
        f"  press-to-first-answer: p50 {ms(pct(lat, 50))} ms, p95 {ms(pct(lat, 95))} ms, "
        f"p99 {ms(pct(lat, 99))} ms, max {ms(max(lat) if lat else math.nan)} ms over {len(lat):,} presses",
        "    by step, p50/p95 ms: "
        + ", ".join(f"{s} {ms(pct(r.by_step[s], 50))}/{ms(pct(r.by_step[s], 95))}" for s in STEPS if r.by_step.get(s)),
        f"  {r.bought} purchases in {r.sell_seconds:.1f} s = {r.purchases_per_s:.1f} completed purchases/s · "
        f"{r.handled:,} updates handled in {r.seconds:.1f} s = {r.updates_per_s:.1f} updates/s"
        + (f" = {r.updates_per_s / echo.updates_per_s:.3f} of the echo bot's" if echo and echo.updates_per_s else ""),
    ]
    won, lost = r.role_calls["bought"], r.role_calls["sold out"]
    losers = r.outcomes["sold out"]
    if r.bought:
        split = ", ".join(f"{m} {n / r.bought:.2f}" for m, n in won.most_common() if m != ANSWER)
        lines.append(
            f"  Bot API per completed purchase (the buyer's chat, search to QR): {send_edit(won) / r.bought:.2f} "
            f"send+edit ({split}), {won[ANSWER] / r.bought:.2f} answerCallbackQuery"
        )
    lines.append(
        "    "
        + (
            f"per buyer told sold out: {send_edit(lost) / losers:.2f} send+edit, {lost[ANSWER] / losers:.2f} answers; "
            if losers
            else ""
        )
        + f"all calls of the run: {send_edit(r.calls):,} send+edit, {r.calls[ANSWER]:,} answers"
        + (f" = {send_edit(r.calls) / r.bought:.2f} send+edit per purchase" if r.bought else "")
        + (f"; {r.unanswered} presses never answered" if r.unanswered else "")
    )
    lines.append(f"  CPU: {cpu_line(r.cpu)} · bot log: {sum(r.log_lines.values())} warnings/errors")
    for text, n in r.log_lines.most_common(4):
        lines.append(f"    {n:>5} × {text}")
    for detail in r.details:
        lines.append(f"    e.g. {detail}")
    if r.profile:
        lines.append(r.profile)
    return lines


def summary_row(db: str, r: Result, echo: Result | None) -> str:
    lat = r.latencies
    ratio = r.updates_per_s / echo.updates_per_s if echo and echo.updates_per_s else math.nan
    won = r.role_calls["bought"]
    per_buy = send_edit(won) / r.bought if r.bought else math.nan
    answers = won[ANSWER] / r.bought if r.bought else math.nan
    return (
        f"  {db:<10} {r.label.split()[-1]:<12} {r.db.get('sold', 0):>5} {r.oversold:>5} {r.outcomes['sold out']:>8} "
        f"{r.outcomes['no answer']:>6} {ms(pct(lat, 50)):>7} {ms(pct(lat, 95)):>7} {ms(pct(lat, 99)):>7} "
        f"{r.purchases_per_s:>7.1f} {r.updates_per_s:>7.1f} {per_buy:>6.2f} {answers:>6.2f} {ratio:>6.3f}"
        + (" *" if disturbed(r) or (echo is not None and disturbed(echo)) else "")
    )


def disturbed(r: Result) -> bool:
    return bool(r.cpu) and contended(r.cpu)


def contended(cpu: dict[str, float]) -> bool:
    """Something else took a noticeable share of the cores while the machine was (nearly) full."""
    cores = os.cpu_count() or 2
    return cpu["other"] > 0.5 or (cpu["other"] > 0.1 and cpu["machine"] > 0.9 * cores)


def machine() -> str:
    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({model}), Python {sys.version.split()[0]}"


def revision() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "bot", "domain", "storage", "handlers", "scheduler"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "(not a git checkout)"
    return head + (" + uncommitted changes in the bot's code" if dirty else "")


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--buyers", type=int, default=1000, help="K people, one ticket each")
    parser.add_argument("--tickets", type=int, default=500, help="N tickets on sale")
    parser.add_argument("--shape", choices=("burst", "wave", "both"), default="both")
    parser.add_argument("--wave-seconds", type=float, default=None, help="default: buyers / 50")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds without a reaction = no answer")
    parser.add_argument("--profile", action="store_true", help="py-spy the bot process during each shape")
    parser.add_argument("--no-echo", action="store_true", help="skip the echo-bot baseline")
    parser.add_argument(
        "--promotions",
        choices=("off", "on", "compare"),
        default="off",
        help="the event with three automatic promotions; compare: each shape without, then with them",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60.0,
        help="at the start, wait up to this long for other load on the machine to stop (0: don't)",
    )
    args = parser.parse_args(argv)
    if args.buyers < 1 or args.tickets < 1:
        parser.error("--buyers and --tickets must be positive")
    if args.wave_seconds is None:
        args.wave_seconds = args.buyers / WAVE_RATE
    shapes = ("burst", "wave") if args.shape == "both" else (args.shape,)
    db_label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[args.db]
    print(
        f"rush: {args.buyers:,} buyers, one ticket each, for {args.tickets:,} tickets of one event; {db_label}, "
        f"one bot process (python -m bot) at {revision()}; {machine()}"
    )
    workdir = Path(tempfile.mkdtemp(prefix="rush-"))
    if args.quiet_wait > 0:
        note = await until_quiet(args.quiet_wait)
        if note:
            print(f"({note})")
    results: list[Result] = []
    failed = False
    variants = {"off": (False,), "on": (True,), "compare": (False, True)}[args.promotions]
    for shape, promotions in ((shape, promotions) for shape in shapes for promotions in variants):
        what = "all at once" if shape == "burst" else f"evenly over {args.wave_seconds:g} s"
        priced = ", the event with three automatic promotions" if promotions else ""
        print(f"\n== {db_label} · {shape}: {args.buyers:,} buyers arriving {what}{priced} ==", flush=True)
        try:
            result = await run_flow(args.db, shape, args, workdir, promotions)
        except (RuntimeError, OSError, asyncpg.PostgresError) as exc:
            print(f"  could not run: {exc}")
            failed = True
            continue
        results.append(result)
        for line in report(result, None):
            print(line, flush=True)
    echo = None
    if results and not args.no_echo:
        counts = results[0].per_person_updates
        print(
            f"\n== echo baseline: bare aiogram (handle_as_tasks=True), {len(counts):,} people at once, "
            f"{sum(counts):,} updates (as many per person as in the {results[0].label.split()[-1]}) ==",
            flush=True,
        )
        try:
            echo = await run_echo(counts, args, workdir)
            lat = echo.latencies
            print(
                f"  {echo.handled:,} updates in {echo.seconds:.1f} s = {echo.updates_per_s:,.0f} updates/s · "
                f"press-to-first-answer p50 {ms(pct(lat, 50))} ms, p95 {ms(pct(lat, 95))} ms, "
                f"p99 {ms(pct(lat, 99))} ms · no answer {echo.outcomes['no answer']} · CPU: {cpu_line(echo.cpu)}"
            )
        except (RuntimeError, OSError) as exc:
            print(f"  could not run: {exc}")
    if results:
        print(
            "\n  database   shape         sold  over  soldout  noans  p50 ms  p95 ms  p99 ms  buys/s   upd/s  "
            "s+e/b  ans/b  /echo"
        )
        for r in results:
            print(summary_row(db_label, r, echo))
        for r in results:
            plain = next((p for p in results if p.label == r.label.removesuffix("+promos")), None)
            if r.label.endswith("+promos") and plain is not None and plain.purchases_per_s:
                print(
                    f"  {r.label.split()[-1]}: purchases/s {r.purchases_per_s / plain.purchases_per_s:.2f}x, "
                    f"p95 {pct(r.latencies, 95) / pct(plain.latencies, 95):.2f}x of the same shape without promotions"
                )
        if any(disturbed(r) for r in [*results, echo] if r is not None):
            print("  * other processes used the CPU during this run: measure again on a quiet machine")
    for r in results:
        failed = failed or r.oversold > 0 or r.outcomes["no answer"] > 0
    print(f"\nlogs: {workdir}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
