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
bounded backoff. After the handler returns, ``scripts.ACK`` pops it from the list and
acks it atomically, so the next entry of that conversation may run on any consumer.

Liveness: while an entry is held (running or deferred) a heartbeat ``XCLAIM ... JUSTID``
keeps its idle time low, so only entries of a consumer that stopped heart-beating (a
crash) are reclaimed. A handler error leaves the entry pending and counts a failure in
Redis; after ``max_failures`` the entry goes to ``{p}:intake:dead`` and is acked. Logs
carry ids and counts only, never message text.
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
from connectors.intake import scripts
from connectors.intake.entries import Entry, as_fields, as_text, backoff, stream_entries
from connectors.intake.keys import IntakeKeys
from connectors.intake.membership import ensure_group, forget_stale_consumers, keep_alive
from connectors.intake.queue import PoisonEntry, conversation_of, decode_entry

__all__ = ["StreamConsumer", "Handler", "RetryLater", "default_consumer_name"]

logger = logging.getLogger(__name__)

Handler = Callable[[InboundEvent], Awaitable[None]]
FAILURE_TTL_S = 7 * 24 * 3600


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
    ) -> None:
        if block_ms < 1 or batch < 1 or claim_idle_ms < 1 or max_failures < 1 or concurrency < 1:
            raise ValueError("block_ms, batch, claim_idle_ms, max_failures, concurrency must be >= 1")
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

    # ------------------------------------------------------------------ lifecycle
    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Create the group if missing (``MKSTREAM``) and start the loop (idempotent)."""
        if self.running:
            return
        self._stopping = asyncio.Event()
        await self.ensure_group()
        await forget_stale_consumers(self.redis, self.stream, self.group, self.name)
        self._task = asyncio.create_task(self._run(), name=f"intake-{self.platform}-{self.name}")
        heartbeat = keep_alive(self.redis, self._keep, self.stream, self.group, self.name, self._held,
                               max(0.01, self.claim_idle_ms / 3000), self.platform)
        self._heartbeat_task = asyncio.create_task(heartbeat, name=f"intake-hb-{self.name}")
        logger.info("intake.consumer_started platform=%s consumer=%s group=%s",
                    self.platform, self.name, self.group)

    async def stop(self, timeout: float = 30.0) -> None:
        """Stop after the current turns; cancel them after ``timeout`` seconds (a
        cancelled entry stays pending and is reclaimed later)."""
        self._stopping.set()
        deadline = time.monotonic() + timeout
        task, self._task = self._task, None
        if task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout)
            except asyncio.TimeoutError:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            except Exception:  # the loop's own failure was logged where it happened
                pass
        turns = set(self._tasks)
        if turns:
            _, unfinished = await asyncio.wait(turns, timeout=max(0.0, deadline - time.monotonic()))
            for turn in unfinished:
                turn.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
            if unfinished:
                logger.warning("intake.consumer_cancelled platform=%s consumer=%s turns=%s held=%s",
                               self.platform, self.name, len(unfinished), len(self._held))
        heartbeat, self._heartbeat_task = self._heartbeat_task, None
        if heartbeat is not None:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
        logger.info("intake.consumer_stopped platform=%s consumer=%s stats=%s",
                    self.platform, self.name, self.stats)

    async def ensure_group(self) -> None:
        """``XGROUP CREATE stream group 0 MKSTREAM`` unless the group exists."""
        await ensure_group(self.redis, self.stream, self.group)

    # ------------------------------------------------------------------ loop
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
        due: list[Entry] = []
        cursor, now = "0", time.monotonic()
        while True:
            reply = await self.redis.xreadgroup(self.group, self.name, {self.stream: cursor}, count=self.batch)
            page = stream_entries(reply)
            for entry in page:
                held = self._held.get(entry[0])
                if entry[0] not in self._running and (held is None or held[0] <= now):
                    due.append(entry)
            if len(page) < self.batch:
                return due
            cursor = page[-1][0]

    async def _autoclaim(self) -> list[Entry]:
        reply = await self.redis.xautoclaim(self.stream, self.group, self.name, self.claim_idle_ms,
                                            start_id=self._claim_cursor, count=self.batch)
        cursor, items = as_text(reply[0]), reply[1]
        self._claim_cursor = cursor if cursor else "0-0"
        entries = [(as_text(i), as_fields(f)) for i, f in items if i is not None]
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

    # ------------------------------------------------------------------ one entry
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
        turn = int(await self._turn(keys=[pending, self.stream], args=[entry_id]))
        if turn == 3:  # finished since it was read (a stale read of the pending list)
            await self.redis.xack(self.stream, self.group, entry_id)
            self._held.pop(entry_id, None)
            logger.info("intake.already_done platform=%s consumer=%s entry=%s", self.platform, self.name, entry_id)
            return True
        if turn == 0:
            self._defer(entry_id)
            return False
        started = time.monotonic()
        try:
            await self.handler(event)
        except asyncio.CancelledError:
            raise
        except RetryLater as error:
            self._retry_later(entry_id, event, str(error))
            return False
        except Exception as error:
            await self._failed(entry_id, fields, thread, event, error)
            return False
        acked = int(await self._ack(keys=[pending, self.stream, self.keys.failures(self.platform, entry_id)],
                                    args=[self.group, entry_id]))
        self._held.pop(entry_id, None)
        self.stats["handled"] += 1
        if not acked:
            self.stats["ack_lost"] += 1
            logger.warning("intake.ack_lost platform=%s consumer=%s entry=%s event_id=%s",
                           self.platform, self.name, entry_id, event.platform_event_id)
        logger.info("intake.handled platform=%s consumer=%s entry=%s event_id=%s thread=%s ordered=%s ms=%d",
                    self.platform, self.name, entry_id, event.platform_event_id, thread,
                    turn == 1, (time.monotonic() - started) * 1000)
        return True

    def _defer(self, entry_id: str) -> None:
        _, count = self._held.get(entry_id, (0.0, 0))
        wait = backoff(*self.defer, count)
        self._held[entry_id] = (time.monotonic() + wait, count + 1)
        self.stats["deferred"] += 1
        logger.debug("intake.deferred platform=%s entry=%s wait=%.3f", self.platform, entry_id, wait)

    def _retry_later(self, entry_id: str, event: InboundEvent, reason: str) -> None:
        _, count = self._held.get(entry_id, (0.0, 0))
        wait = backoff(*self.retry, count)
        self._held[entry_id] = (time.monotonic() + wait, count + 1)
        self.stats["deferred"] += 1
        log = logger.warning if count in (0, 10) or count % 100 == 0 else logger.debug
        log("intake.retry_later platform=%s consumer=%s entry=%s event_id=%s tries=%s reason=%s",
            self.platform, self.name, entry_id, event.platform_event_id, count + 1, reason[:80])

    async def _failed(self, entry_id: str, fields: dict[str, str], thread: str,
                      event: InboundEvent, error: Exception) -> None:
        self.stats["failed"] += 1
        counter = self.keys.failures(self.platform, entry_id)
        pipe = self.redis.pipeline(transaction=True)
        pipe.incr(counter)
        pipe.expire(counter, FAILURE_TTL_S)
        failures = int((await pipe.execute())[0])
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
        dead_fields = [
            "entry_id", entry_id, "platform", self.platform, "thread", thread,
            "event_id", fields.get("event_id", ""), "reason", reason[:120],
            "failures", str(failures), "consumer", self.name, "at_ms", str(int(time.time() * 1000)),
            "v", fields.get("v", ""), "data", fields.get("data", ""),
        ]
        await self._dead(
            keys=[self.keys.pending(self.platform, thread), self.stream,
                  self.keys.failures(self.platform, entry_id), self.keys.dead_letter()],
            args=[self.group, entry_id, self.dead_maxlen, *dead_fields],
        )
        self._held.pop(entry_id, None)
        self.stats["dead"] += 1
        logger.error("intake.dead_lettered platform=%s consumer=%s entry=%s event_id=%s thread=%s "
                     "failures=%s reason=%s", self.platform, self.name, entry_id,
                     fields.get("event_id", ""), thread, failures, reason[:120])
