"""Long polling that loses nothing on a deploy or a crash.

aiogram's polling confirms an update (the next getUpdates offset) as soon as it has started a task for
it, and stops without waiting for those tasks: a SIGTERM or a kill -9 in a rush lost button presses.
Here every fetched batch is written to the update inbox before the next getUpdates confirms it; what was
in the inbox but unfinished when the process died is replayed at the next start (handlers are safe to
run twice: idempotency keys). A stop (SIGTERM, SIGINT) stops fetching, lets the updates in hand finish
within a bounded time, and leaves whatever did not finish in the inbox for the next start.

Long polling allows one poller per token. A second process would keep kicking the first off with 409
Conflict; a 409 in the first seconds after start means another process is polling, and this one stops
with a clear message instead of fighting. Later the incumbent sees a 409 only when a newcomer probes;
it polls again at once, which sends the newcomer away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramConflictError, TelegramRetryAfter, TelegramUnauthorizedError
from aiogram.methods import GetUpdates
from aiogram.types import Update

from bot.logs import update_id_var
from domain.clock import Clock
from storage.inbox import MAX_ATTEMPTS, UpdateInbox

logger = logging.getLogger("bot.polling")


def _payload(update: Update) -> str | None:
    """The update as JSON for a replay; None (not replayable, handled now all the same) if it cannot be."""
    try:
        return update.model_dump_json(exclude_none=True)
    except ValueError:
        logger.exception("update %s cannot be stored for a replay", update.update_id)
        return None


class AnotherPollerRunning(RuntimeError):
    """Start-up failure: this token is being polled by another process."""


class WebhookIsSet(RuntimeError):
    """Telegram refuses getUpdates while a webhook is set for the token."""


def _person(update: Update) -> int | None:
    event = update.message or update.callback_query or update.edited_message or update.inline_query
    person = getattr(event, "from_user", None)
    return person.id if person is not None else None


class DurablePoller:
    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        inbox: UpdateInbox,
        clock: Clock,
        *,
        max_in_hand: int = 512,
        max_per_person: int = 50,
        polling_timeout: int = 25,
        drain_timeout: float = 25.0,
        conflict_window: float = 10.0,
        sequential: bool = False,
        allowed_updates: Sequence[str] | None = None,
    ) -> None:
        """sequential=True handles each batch before fetching the next (tests use it to know when an
        update is done); otherwise up to max_in_hand updates are in hand at once (how many run at once is
        the dispatcher's business: UserOrderMiddleware) and fetching waits for room."""
        self.dp = dp
        self.bot = bot
        self.inbox = inbox
        self.clock = clock
        self.max_in_hand = max_in_hand
        # A person may hold at most a quarter of the room, so a flood never shuts everybody else out.
        self.max_per_person = max(1, min(max_per_person, max_in_hand // 4))
        self._per_person: dict[int, int] = {}
        self.polling_timeout = polling_timeout
        self.drain_timeout = drain_timeout
        self.conflict_window = conflict_window
        self.sequential = sequential
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else None
        self._room = asyncio.Semaphore(max_in_hand)
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._fetch: asyncio.Task[list[Update]] | None = None
        self.handled = 0

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    def stop(self) -> None:
        """Stop fetching now; run() then finishes what is in hand. Safe to call from a signal handler."""
        if not self._stopping.is_set():
            logger.info("stop requested: %s updates in hand", len(self._tasks))
        self._stopping.set()
        if self._fetch is not None and not self._fetch.done():
            self._fetch.cancel()

    async def run(self) -> None:
        if self.allowed_updates is None:
            self.allowed_updates = self.dp.resolve_used_update_types()
        loop = asyncio.get_running_loop()
        first_poll: float | None = None
        try:
            await self._replay()
            offset: int | None = None
            failures = 0
            while not self._stopping.is_set():
                if first_poll is None:
                    first_poll = loop.time()  # the conflict window starts with our first getUpdates
                try:
                    updates = await self._get_updates(offset)
                except asyncio.CancelledError:
                    if self._stopping.is_set():
                        break
                    raise
                except TelegramConflictError as exc:
                    if "webhook" in exc.message:
                        raise WebhookIsSet(exc.message) from exc
                    if loop.time() - first_poll < self.conflict_window:
                        raise AnotherPollerRunning(exc.message) from exc
                    logger.warning("another process polled this token; polling again")
                    await self._pause(0.2)
                    continue
                except TelegramUnauthorizedError:
                    raise
                except TelegramRetryAfter as exc:
                    logger.warning("getUpdates: flood control, waiting %s s", exc.retry_after)
                    await self._pause(min(exc.retry_after, 60))
                    continue
                except Exception as exc:  # network, 5xx, a proxy's HTML page: never a reason to stop
                    failures += 1
                    delay = min(0.5 * 2 ** min(failures, 6), 30.0)
                    logger.warning("getUpdates failed (%s: %s); retrying in %.1f s", type(exc).__name__, exc, delay)
                    await self._pause(delay)
                    continue
                failures = 0
                if not updates:
                    continue
                try:
                    fresh = await self.inbox.record([(u.update_id, _payload(u)) for u in updates], self.clock.now())
                except Exception:  # the database is away: confirm nothing, fetch the same batch again
                    failures += 1
                    logger.exception("could not record %s updates; fetching them again", len(updates))
                    await self._pause(min(0.5 * 2 ** min(failures, 6), 30.0))
                    continue
                # Durably recorded: the next getUpdates may confirm them.
                offset = updates[-1].update_id + 1
                for update in updates:
                    if update.update_id in fresh and not await self._dispatch(update):
                        break  # stopping: the rest stay in the inbox for the next start
        finally:
            await self._drain()
            await self.inbox.flush()

    async def _get_updates(self, offset: int | None) -> list[Update]:
        method = GetUpdates(offset=offset, timeout=self.polling_timeout, allowed_updates=self.allowed_updates)
        timeout = int((self.bot.session.timeout or 60) + self.polling_timeout)
        self._fetch = asyncio.ensure_future(self.bot(method, request_timeout=timeout))
        try:
            return await self._fetch
        finally:
            self._fetch = None

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _replay(self) -> None:
        """What a crash or a deadline cut short is handled first, in update order, before anything new."""
        replay, given_up = await self.inbox.unfinished(self.clock.now())
        for update_id in given_up:
            logger.error("update %s was started at %s stops in a row; giving it up", update_id, MAX_ATTEMPTS)
        if replay:
            logger.info("replaying %s updates that were not finished before the last stop", len(replay))
        for update_id, payload in replay:
            if self._stopping.is_set():
                return
            try:
                update = Update.model_validate_json(payload, context={"bot": self.bot})
            except ValueError:
                logger.exception("update %s in the inbox cannot be read; skipping it", update_id)
                await self.inbox.mark(update_id, self.clock.now())
                continue
            await self.inbox.attempt(update_id)  # counted when it starts, not when it merely waits
            if not await self._dispatch(update):
                return

    async def _dispatch(self, update: Update) -> bool:
        """Hand the update over; False when a stop came while waiting for room (it stays in the inbox)."""
        person = _person(update)
        if self.sequential:
            await self._handle(update, person)
            return True
        if person is not None and self._per_person.get(person, 0) >= self.max_per_person:
            # One person has a backlog a human cannot type: their extra updates are let go (logged) so
            # the room stays for everybody else.
            logger.warning(
                "flood: person %s has %s updates in hand; update %s let go",
                person,
                self.max_per_person,
                update.update_id,
            )
            self.inbox.mark_soon(update.update_id, self.clock.now())
            return True
        if not await self._wait_for_room():
            return False
        if person is not None:
            self._per_person[person] = self._per_person.get(person, 0) + 1
        task = asyncio.create_task(self._handle(update, person, release=True))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _wait_for_room(self) -> bool:
        if not self._room.locked():
            await self._room.acquire()
            return True
        acquire = asyncio.ensure_future(self._room.acquire())
        stopping = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({acquire, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if acquire.done() and not acquire.cancelled():
            if not self._stopping.is_set():
                return True
            self._room.release()
        acquire.cancel()
        return False

    async def _handle(self, update: Update, person: int | None, release: bool = False) -> None:
        cancelled = False
        try:
            await self.dp.feed_update(self.bot, update, inbox_checked=True)
        except asyncio.CancelledError:
            cancelled = True  # cut short by the stop deadline: left unfinished, replayed at the next start
            raise
        except Exception:
            update_id_var.set(update.update_id)
            logger.exception("update %s failed outside the error handler", update.update_id)
        finally:
            if not cancelled:
                # Answered (or apologised for): never re-run at a later start, even if a middleware
                # failed before the update log could note it.
                self.inbox.mark_soon(update.update_id, self.clock.now())
            self.handled += 1
            if release:
                self._room.release()
                if person is not None:
                    left = self._per_person.get(person, 1) - 1
                    if left:
                        self._per_person[person] = left
                    else:
                        self._per_person.pop(person, None)

    async def _drain(self) -> None:
        """Give the updates in hand up to drain_timeout to finish; the rest stay in the inbox."""
        if not self._tasks:
            return
        logger.info("finishing %s updates in hand (up to %.0f s)", len(self._tasks), self.drain_timeout)
        done, pending = await asyncio.wait(set(self._tasks), timeout=self.drain_timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)
            logger.warning("%s updates did not finish in time; they will be handled at the next start", len(pending))
        logger.info("stopped with %s updates finished during the stop", len(done))
