"""Consume the intake stream with a consumer group, in per-conversation order.

One ``StreamConsumer`` per process and platform stream; any number of processes share
the group ``{p}:intake:workers``. Each loop turn:

1. its own pending entries (``XREADGROUP ... 0``): deferred or failed ones that are due;
2. ``XAUTOCLAIM`` entries idle longer than ``claim_idle_ms`` (a crashed consumer's);
3. new entries (``XREADGROUP ... >``), blocking at most ``block_ms`` (less when a
   deferred entry falls due sooner), once fewer than ``concurrency`` conversations run.

Entries are dispatched as one task per conversation and the loop goes on reading: a
slow turn never holds back other conversations (no batch barrier). Ordering: within
this process a conversation's next task waits for its previous one; across processes an
entry runs only while it is the head of its conversation's pending list
(``scripts.TURN``); otherwise it stays pending here and is retried after a short,
bounded backoff. After the handler returns, ``scripts.ACK`` records the turn's replies
in the conversation's outbox (``connectors.outbox``: the output channels record them in
``replies.CURRENT`` instead of sending), pops the entry from the list and acks it, all
atomically, so the next entry of that conversation may run on any consumer and a reply
is recorded exactly when its turn is finished; the outbox sender then delivers it.

Liveness: while an entry is held (running or deferred) a heartbeat ``XCLAIM ... JUSTID``
keeps its idle time low, so only entries of a consumer that stopped heart-beating (a
crash) are reclaimed. A handler error leaves the entry pending and counts a failure in
Redis; after ``max_failures`` the entry goes to ``{p}:intake:dead`` and is acked. A turn
running longer than ``turn_timeout_s`` is cancelled and counted as a failure. Every start
of a turn is counted until it returns (``scripts.TURN``): an entry started
``max_deliveries`` times that never returned (it crashed the process) is dead-lettered as
``max_deliveries``. Logs carry ids and counts only, never message text.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections import OrderedDict
from functools import partial
from typing import Any, Awaitable, Callable

from connectors.events import InboundEvent
from connectors.http import METRICS
from connectors.intake import membership, scripts
from connectors.intake.entries import Entry, backoff, dead_fields, stream_entries
from connectors.intake.keys import IntakeKeys
from connectors.intake.queue import PoisonEntry, conversation_of, decode_entry
from connectors.outbox.replies import CURRENT, TurnReplies
from connectors.outbox.sender import OutboxSender

__all__ = ["StreamConsumer", "Handler", "RetryLater", "default_consumer_name"]

logger = logging.getLogger(__name__)

Handler = Callable[[InboundEvent], Awaitable[None]]
FAILURE_TTL_S = 7 * 24 * 3600
RECORDED_TTL_S = 14 * 24 * 3600


class TurnTimeout(Exception):
    """A turn ran longer than ``turn_timeout_s`` and was cancelled (counted as a failure)."""


class RetryLater(Exception):
    """Raised by a handler that cannot run the entry yet (e.g. no model loaded): the
    entry stays pending and is retried with backoff, without counting a failure."""


def default_consumer_name() -> str:
    """``host-pid-random``: unique per process, readable in ``XINFO CONSUMERS``."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class StreamConsumer:
    """Feed one platform's intake stream to ``handler``, exactly once per entry when no
    consumer crashes mid-turn (a crashed turn is redone by the consumer that reclaims it).

    ``start()`` launches the loop in the running event loop; ``stop(timeout)`` lets the
    current turn finish (cancelling it after ``timeout`` seconds; a cancelled entry stays
    pending and is reclaimed later). ``stats`` counts handled, deferred, failed, dead,
    reclaimed and lost acks.
    """

    def __init__(
        self,
        redis: Any,
        keys: IntakeKeys,
        *,
        platform: str,
        handler: Handler,
        group: str | None = None,
        consumer_name: str | None = None,
        block_ms: int = 1000,
        batch: int = 10,
        claim_idle_ms: int = 30_000,
        max_failures: int = 5,
        retry_base_s: float = 0.5,
        retry_max_s: float = 30.0,
        defer_base_s: float = 0.05,
        defer_max_s: float = 1.0,
        concurrency: int = 1,
        dead_maxlen: int = 100_000,
        turn_timeout_s: float = 60.0,
        max_deliveries: int = 3,
        outbox: OutboxSender | None = None,
    ) -> None:
        if min(block_ms, batch, claim_idle_ms, max_failures, concurrency, max_deliveries) < 1 or turn_timeout_s <= 0:
            raise ValueError("block_ms, batch, claim_idle_ms, max_failures, concurrency, max_deliveries must be "
                             ">= 1 and turn_timeout_s > 0")
        self.redis = redis
        self.keys = keys
        self.platform = platform
        self.stream = keys.stream(platform)
        self.group = group or keys.group()
        self.name = consumer_name or default_consumer_name()
        self.handler = handler
        self.block_ms = int(block_ms)
        self.batch = int(batch)
        self.claim_idle_ms = int(claim_idle_ms)
        self.max_failures = int(max_failures)
        self.retry = (float(retry_base_s), float(retry_max_s))
        self.defer = (float(defer_base_s), float(defer_max_s))
        self.concurrency = int(concurrency)
        self.dead_maxlen = int(dead_maxlen)
        self.turn_timeout_s = float(turn_timeout_s)
        self.max_deliveries = int(max_deliveries)
        self.outbox = outbox
        self.stats: dict[str, int] = dict.fromkeys(
            ("handled", "deferred", "failed", "dead", "reclaimed", "ack_lost", "errors"), 0)
        self._turn = redis.register_script(scripts.TURN)
        self._ack = redis.register_script(scripts.ACK)
        self._dead = redis.register_script(scripts.DEAD)
        self._keep = redis.register_script(scripts.KEEP)
        # entry id -> (monotonic time it may run again, deferrals so far)
        self._held: "OrderedDict[str, tuple[float, int]]" = OrderedDict()
        self._claim_cursor = "0-0"
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._heartbeat_task: asyncio.Task | None = None
        self._limit = asyncio.Semaphore(self.concurrency)
        self._tasks: set[asyncio.Task] = set()  # dispatched conversation groups
        self._running: set[str] = set()  # entry ids in those groups
        self._threads: dict[str, asyncio.Task] = {}  # conversation -> its latest group task

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Create the group if missing (``MKSTREAM``) and start the loop (idempotent)."""
        if self.running:
            return
        self._stopping = asyncio.Event()
        await self.ensure_group()
        await membership.forget_stale_consumers(self.redis, self.stream, self.group, self.name)
        self._task = asyncio.create_task(self._run(), name=f"intake-{self.platform}-{self.name}")
        heartbeat = membership.keep_alive(self.redis, self._keep, self.stream, self.group, self.name, self._held,
                               max(0.01, self.claim_idle_ms / 3000), self.platform)
        self._heartbeat_task = asyncio.create_task(heartbeat, name=f"intake-hb-{self.name}")
        if self.outbox is not None:
            self.outbox.start()
        logger.info("intake.consumer_started platform=%s consumer=%s group=%s",
                    self.platform, self.name, self.group)

    async def stop(self, timeout: float = 30.0) -> None:
        """Stop after the current turns; cancel them after ``timeout`` seconds (a
        cancelled entry stays pending and is reclaimed later)."""
        self._stopping.set()
        deadline = time.monotonic() + timeout
        task, self._task = self._task, None
        await membership.finish_tasks({task} if task is not None else set(), timeout)
        unfinished = await membership.finish_tasks(set(self._tasks), deadline - time.monotonic())
        if unfinished:
            logger.warning("intake.consumer_cancelled platform=%s consumer=%s turns=%s held=%s",
                           self.platform, self.name, unfinished, len(self._held))
        heartbeat, self._heartbeat_task = self._heartbeat_task, None
        await membership.finish_tasks({heartbeat} if heartbeat is not None else set(), 0)
        if self.outbox is not None:
            await self.outbox.stop(max(1.0, deadline - time.monotonic()))
        logger.info("intake.consumer_stopped platform=%s consumer=%s stats=%s",
                    self.platform, self.name, self.stats)

    async def ensure_group(self) -> None:
        """``XGROUP CREATE stream group 0 MKSTREAM`` unless the group exists."""
        await membership.ensure_group(self.redis, self.stream, self.group)

    async def _run(self) -> None:
        pause = 0.1
        while not self._stopping.is_set():
            try:
                await self._iteration()
                pause = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.stats["errors"] += 1
                if "NOGROUP" in str(error):
                    logger.warning("intake.group_missing platform=%s consumer=%s", self.platform, self.name)
                    self._held.clear()
                    try:
                        await self.ensure_group()
                    except Exception:
                        pass
                else:
                    logger.warning("intake.loop_error platform=%s consumer=%s error=%s",
                                   self.platform, self.name, type(error).__name__)
                try:
                    await asyncio.wait_for(self._stopping.wait(), pause)
                except asyncio.TimeoutError:
                    pass
                pause = min(pause * 2, 5.0)

    async def _iteration(self) -> None:
        await self._process(await self._own_pending(), source="pending")
        if self._stopping.is_set():
            return
        await self._process(await self._autoclaim(), source="claimed")
        if self._stopping.is_set():
            return
        if len(self._tasks) >= self.concurrency:  # busy: wait for a turn (or a due entry)
            await asyncio.wait(set(self._tasks), timeout=self._block_ms() / 1000,
                               return_when=asyncio.FIRST_COMPLETED)
            return
        reply = await self.redis.xreadgroup(self.group, self.name, {self.stream: ">"},
                                            count=self.batch, block=self._block_ms())
        await self._process(stream_entries(reply), source="new")

    def _block_ms(self) -> int:
        if not self._held:
            return self.block_ms
        wait = min(due for due, _ in self._held.values()) - time.monotonic()
        return max(1, min(self.block_ms, int(wait * 1000)))

    async def _own_pending(self) -> list[Entry]:
        """Own pending entries that are due (all pages)."""
        return await membership.read_own_pending(self.redis, self.stream, self.group, self.name, self.batch,
                                      self._running, self._held)

    async def _autoclaim(self) -> list[Entry]:
        self._claim_cursor, entries = await membership.autoclaim(self.redis, self.stream, self.group, self.name,
                                                      self.claim_idle_ms, self._claim_cursor, self.batch)
        if entries:
            self.stats["reclaimed"] += len(entries)
            logger.info("intake.reclaimed platform=%s consumer=%s entries=%s",
                        self.platform, self.name, ",".join(e[0] for e in entries))
        return entries

    async def _process(self, entries: list[Entry], *, source: str) -> None:
        """Dispatch entries as one task per conversation (not awaited): conversations run
        concurrently (at most ``concurrency`` turns at once), one conversation's entries
        one after another, in stream order. Entries already running are skipped."""
        groups: "OrderedDict[str, list[Entry]]" = OrderedDict()
        for entry in entries:
            if entry[0] in self._running:
                continue
            groups.setdefault(entry[1].get("thread", ""), []).append(entry)
            self._held.setdefault(entry[0], (0.0, 0))
            self._running.add(entry[0])
        for thread, group in groups.items():
            task = asyncio.create_task(self._run_group(group, self._threads.get(thread)),
                                       name=f"intake-turn-{self.platform}")
            self._threads[thread] = task
            self._tasks.add(task)
            task.add_done_callback(partial(self._group_done, thread, group))

    def _group_done(self, thread: str, group: list[Entry], task: asyncio.Task) -> None:
        self._tasks.discard(task)
        for entry_id, _ in group:
            self._running.discard(entry_id)
        if self._threads.get(thread) is task:
            del self._threads[thread]
        if not task.cancelled() and task.exception() is not None:
            self.stats["errors"] += 1
            logger.warning("intake.turn_error platform=%s consumer=%s error=%s", self.platform, self.name,
                           type(task.exception()).__name__)

    async def _run_group(self, entries: list[Entry], previous: asyncio.Task | None = None) -> None:
        if previous is not None:  # the conversation's earlier entries go first
            await asyncio.wait({previous})
        for entry_id, fields in entries:
            if self._stopping.is_set():
                return
            async with self._limit:
                ran = await self._handle(entry_id, fields)
            if not ran:  # deferred or failed: later entries of this thread must wait
                return

    async def _handle(self, entry_id: str, fields: dict[str, str]) -> bool:
        """Handle one entry; True when it was finished (acked or dead-lettered)."""
        if not fields:  # deleted from the stream while pending: nothing to run
            await self.redis.xack(self.stream, self.group, entry_id)
            self._held.pop(entry_id, None)
            return True
        thread = fields.get("thread", "")
        try:
            event = decode_entry(fields)
            thread = thread or conversation_of(event)
        except PoisonEntry as error:
            await self._to_dead(entry_id, fields, thread or "unknown", reason=str(error), failures=0)
            return True
        pending = self.keys.pending(self.platform, thread)
        starts = self.keys.starts(self.platform, entry_id)
        turn = int(await self._turn(keys=[pending, self.stream, starts],
                                    args=[entry_id, self.max_deliveries, FAILURE_TTL_S]))
        if turn == 3:  # finished since it was read (a stale read of the pending list)
            await self.redis.xack(self.stream, self.group, entry_id)
            self._held.pop(entry_id, None)
            logger.info("intake.already_done platform=%s consumer=%s entry=%s", self.platform, self.name, entry_id)
            return True
        if turn == 4:  # started max_deliveries times, never returned: it kills the process
            await self._to_dead(entry_id, fields, thread, reason="max_deliveries", failures=self.max_deliveries)
            return True
        if turn == 0:
            self._defer(entry_id)
            return False
        started = time.monotonic()
        replies = TurnReplies(self.platform, thread, entry_id)
        token = CURRENT.set(replies)
        try:
            await asyncio.wait_for(self.handler(event), self.turn_timeout_s)
        except asyncio.CancelledError:
            raise
        except RetryLater as error:
            await self.redis.decr(starts)  # it returned: not a crash
            self._retry_later(entry_id, event, str(error))
            return False
        except Exception as error:
            await self.redis.decr(starts)
            if isinstance(error, asyncio.TimeoutError):
                error = TurnTimeout()
            await self._failed(entry_id, fields, thread, event, error)
            return False
        finally:
            CURRENT.reset(token)
        acked = int(await self._ack(
            keys=[pending, self.stream, self.keys.failures(self.platform, entry_id), starts,
                  self.keys.outbox(self.platform, thread), self.keys.outbox_due(self.platform),
                  self.keys.outbox_recorded(self.platform, entry_id)],
            args=[self.group, entry_id, int(time.time() * 1000), RECORDED_TTL_S, thread, *replies.encoded()]))
        self._held.pop(entry_id, None)
        self.stats["handled"] += 1
        if replies.replies and self.outbox is not None:
            self.outbox.bind(replies.delivery)
        if not acked:
            self.stats["ack_lost"] += 1
            logger.warning("intake.ack_lost platform=%s consumer=%s entry=%s event_id=%s",
                           self.platform, self.name, entry_id, event.platform_event_id)
        logger.info("intake.handled platform=%s consumer=%s entry=%s event_id=%s thread=%s ordered=%s "
                    "replies=%s ms=%d", self.platform, self.name, entry_id, event.platform_event_id, thread,
                    turn == 1, len(replies.replies), (time.monotonic() - started) * 1000)
        return True

    def _hold(self, entry_id: str, waits: tuple[float, float]) -> tuple[int, float]:
        _, count = self._held.get(entry_id, (0.0, 0))
        wait = backoff(*waits, count)
        self._held[entry_id] = (time.monotonic() + wait, count + 1)
        self.stats["deferred"] += 1
        return count, wait

    def _defer(self, entry_id: str) -> None:
        _, wait = self._hold(entry_id, self.defer)
        logger.debug("intake.deferred platform=%s entry=%s wait=%.3f", self.platform, entry_id, wait)

    def _retry_later(self, entry_id: str, event: InboundEvent, reason: str) -> None:
        count, _ = self._hold(entry_id, self.retry)
        log = logger.warning if count in (0, 10) or count % 100 == 0 else logger.debug
        log("intake.retry_later platform=%s consumer=%s entry=%s event_id=%s tries=%s reason=%s",
            self.platform, self.name, entry_id, event.platform_event_id, count + 1, reason[:80])

    async def _failed(self, entry_id: str, fields: dict[str, str], thread: str,
                      event: InboundEvent, error: Exception) -> None:
        self.stats["failed"] += 1
        failures = await membership.count_failure(self.redis, self.keys.failures(self.platform, entry_id), FAILURE_TTL_S)
        logger.warning("intake.handler_failed platform=%s consumer=%s entry=%s event_id=%s thread=%s "
                       "failures=%s max=%s error=%s", self.platform, self.name, entry_id,
                       event.platform_event_id, thread, failures, self.max_failures, type(error).__name__)
        if failures >= self.max_failures:
            await self._to_dead(entry_id, fields, thread, reason=f"handler_failed:{type(error).__name__}",
                                failures=failures)
            return
        wait = backoff(*self.retry, failures - 1)
        self._held[entry_id] = (time.monotonic() + wait, 0)

    async def _to_dead(self, entry_id: str, fields: dict[str, str], thread: str, *,
                       reason: str, failures: int) -> None:
        values = dead_fields(entry_id, self.platform, thread, fields, reason=reason, failures=failures,
                             consumer=self.name)
        await self._dead(
            keys=[self.keys.pending(self.platform, thread), self.stream, self.keys.failures(self.platform, entry_id),
                  self.keys.starts(self.platform, entry_id), self.keys.dead_letter()],
            args=[self.group, entry_id, self.dead_maxlen, *values],
        )
        self._held.pop(entry_id, None)
        self.stats["dead"] += 1
        METRICS.incr(self.platform, "dead_lettered")
        logger.error("intake.dead_lettered platform=%s consumer=%s entry=%s event_id=%s thread=%s "
                     "failures=%s reason=%s", self.platform, self.name, entry_id,
                     fields.get("event_id", ""), thread, failures, reason[:120])
