"""The outbox sender: delivers recorded replies once each, in order per conversation.

One ``OutboxSender`` per process and platform, on the worker loop next to the stream
consumer. Its loop takes the conversations that are due (``{p}:outbox:{platform}:due``),
and for each one (under a short lease, so two processes never deliver the same
conversation at once) sends the replies head first:

1. ``CLAIM`` the reply's state key (atomic check-and-set before the send);
2. send it with the platform's ``Delivery`` (one attempt, no in-process retry);
3. act on ``replies.next_step``: ``sent`` pops it; ``wait`` (rate limited) keeps it and
   schedules the conversation at the platform's reset, however far away; ``retry``
   schedules a backoff; ``unknown`` (a timeout after the request went out) and ``dead``
   pop it into the dead letters with the reason, counted in ``connectors.http.METRICS``.

A reply found in state ``sending`` (a sender died during its send) is never resent: it
goes to the dead letters as ``send_interrupted``. Nothing here sleeps inside a turn:
waits are entries in the due set. Logs carry ids and counts, never text.
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from functools import partial
from typing import Any, Callable

from connectors.http import METRICS, Metrics, PlatformError
from connectors.intake.deadletters import DeadLetters
from connectors.intake.keys import IntakeKeys
from connectors.outbox.replies import Delivery, Reply, decode, encode, next_step, refusal_counter
from connectors.outbox.store import OutboxStore

__all__ = ["OutboxSender"]

logger = logging.getLogger(__name__)


class OutboxSender:
    """Deliver one platform's outbox (see the module docstring).

    ``delivery`` may be bound later (``bind``): until then nothing is sent and nothing
    is lost. ``wait_scale`` multiplies every scheduled wait (tests use a small one);
    ``clock`` gives epoch seconds.
    """

    def __init__(
        self,
        redis: Any,
        keys: IntakeKeys,
        platform: str,
        *,
        delivery: Delivery | None = None,
        dead_letters: DeadLetters | None = None,
        metrics: Metrics = METRICS,
        poll_s: float = 1.0,
        lease_ms: int = 60_000,
        max_attempts: int = 12,
        concurrency: int = 8,
        wait_scale: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = OutboxStore(redis, keys, platform)
        self.platform = platform
        self.delivery = delivery
        self.dead_letters = dead_letters or DeadLetters(redis, keys)
        self.metrics = metrics
        self.poll_s = float(poll_s)
        self.lease_ms = int(lease_ms)
        self.max_attempts = int(max_attempts)
        self.wait_scale = float(wait_scale)
        self.clock = clock
        self.owner = f"outbox-{uuid.uuid4().hex[:10]}"
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._active: dict[str, asyncio.Task] = {}
        self._limit = asyncio.Semaphore(max(1, int(concurrency)))

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    # ------------------------------------------------------------------ lifecycle
    def bind(self, delivery: Delivery | None) -> None:
        """Set the platform delivery (the first recorded turn brings it) and wake up."""
        if delivery is not None and self.delivery is None:
            self.delivery = delivery
        self.wake()

    def wake(self) -> None:
        """Look at the due set now (a turn just recorded replies)."""
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the loop on the running event loop (idempotent)."""
        if not self.running:
            self._stopping = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name=f"outbox-{self.platform}")

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop; sends under way finish within ``timeout`` or are cancelled
        (a cancelled send keeps its ``sending`` state: outcome unknown, never resent)."""
        self._stopping.set()
        self._wake.set()
        tasks = [t for t in (self._task, *self._active.values()) if t is not None]
        self._task = None
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    # ------------------------------------------------------------------ loop
    async def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            wait = self.poll_s
            try:
                if self.delivery is not None:
                    await self.dispatch_due()
                    upcoming = await self.store.next_due_ms()
                    if upcoming is not None:
                        wait = min(wait, max(0.0, (upcoming - self._now_ms()) / 1000))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # Redis down: try again after the poll interval
                logger.warning("outbox.loop_error platform=%s error=%s", self.platform, type(error).__name__)
            try:
                await asyncio.wait_for(self._wake.wait(), max(wait, 0.005))
            except asyncio.TimeoutError:
                pass

    async def dispatch_due(self) -> int:
        """Start delivering every due conversation not already being delivered here."""
        started = 0
        for thread in await self.store.due(self._now_ms(), 100):
            if thread in self._active:
                continue
            task = asyncio.create_task(self._deliver_guarded(thread), name=f"outbox-send-{self.platform}")
            self._active[thread] = task
            task.add_done_callback(partial(self._finished, thread))
            started += 1
        return started

    def _finished(self, thread: str, _task: asyncio.Task) -> None:
        self._active.pop(thread, None)
        self._wake.set()  # the conversation may have become due again meanwhile

    async def _deliver_guarded(self, thread: str) -> None:
        try:
            async with self._limit:
                await self.deliver_conversation(thread)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.warning("outbox.deliver_error platform=%s thread=%s error=%s", self.platform, thread,
                           type(error).__name__)

    # ------------------------------------------------------------------ one conversation
    async def deliver_conversation(self, thread: str) -> None:
        """Send the conversation's replies in order until it is empty or must wait."""
        if self.delivery is None or not await self.store.lease(thread, self.owner, self.lease_ms):
            return
        try:
            while not self._stopping.is_set():
                raw = await self.store.head(thread)
                if raw is None:
                    await self.store.unschedule_if_empty(thread)
                    return
                if not await self._deliver_head(thread, raw):
                    return
                await self.store.lease(thread, self.owner, self.lease_ms)
        finally:
            await self.store.release(thread, self.owner)

    async def _deliver_head(self, thread: str, raw: str) -> bool:
        """One reply; True to go on with the next one, False when the conversation waits."""
        try:
            reply = decode(raw)
        except (ValueError, KeyError, TypeError):
            await self.store.done(thread, raw, f"bad:{hash(raw)}", "")
            await self._dead_letter(None, raw, "undecodable_reply")
            return True
        claim = await self.store.claim(reply.reply_id)
        if claim.previous == "sent" or claim.previous in ("unknown", "dead"):
            await self.store.done(thread, raw, reply.reply_id, "")
            return True
        if claim.interrupted:  # an earlier send of it never reported back
            await self.store.done(thread, raw, reply.reply_id, "unknown")
            await self._dead_letter(reply, raw, "send_interrupted")
            return True
        assert self.delivery is not None
        error: BaseException | None = None
        try:
            await self.delivery(await self._resolved(reply), claim.parts_done)
        except asyncio.CancelledError:
            raise
        except Exception as caught:
            error = caught
        attempts = claim.attempts + (0 if error is None else 1)
        step = next_step(error, attempts, max_attempts=self.max_attempts)
        if step.action == "sent":
            await self.store.done(thread, raw, reply.reply_id, "sent")
            self.metrics.incr(self.platform, "outbox_sent")
            return True
        parts = claim.parts_done + len(getattr(error, "delivered", []) or [])
        if step.action in ("wait", "retry"):
            counted = attempts if step.action == "retry" else claim.attempts
            at_ms = self._now_ms() + int(step.wait_s * self.wait_scale * 1000)
            await self.store.wait(thread, reply.reply_id, at_ms, parts, counted)
            self.metrics.incr(self.platform, "outbox_waiting" if step.action == "wait" else "outbox_retry")
            logger.info("outbox.%s platform=%s thread=%s reply=%s wait_s=%.1f reason=%s", step.action,
                        self.platform, thread, reply.reply_id, step.wait_s, step.reason)
            return False
        await self.store.done(thread, raw, reply.reply_id, step.action)
        self.metrics.incr(self.platform, f"outbox_{step.action}")
        if step.action == "dead":
            self.metrics.incr(self.platform, refusal_counter(error))
        await self._dead_letter(reply, raw, step.reason, error)
        return True

    async def _resolved(self, reply: Reply) -> Reply:
        """A reply whose text depends on earlier ones (``after``: their ids) gets
        ``text_otherwise`` unless every one of them was sent."""
        after = reply.body.get("after")
        if not after:
            return reply
        states = [await self.store.state(reply_id) for reply_id in after]
        if all(state == "sent" for state in states):
            return reply
        body = {**reply.body, "text": reply.body.get("text_otherwise", reply.body.get("text", ""))}
        return Reply(reply.reply_id, reply.platform, reply.thread, reply.op, reply.recipient, body)

    async def _dead_letter(self, reply: Reply | None, raw: str, reason: str,
                           error: BaseException | None = None) -> None:
        extra = {"source": "outbox"}
        if reply is not None:
            extra.update({"reply_id": reply.reply_id, "thread": reply.thread, "op": reply.op,
                          "recipient": reply.recipient})
        if isinstance(error, PlatformError):
            extra.update({"status": "" if error.status is None else str(error.status),
                          "code": "" if error.code is None else str(error.code)})
        self.metrics.incr(self.platform, "outbox_dead_lettered")
        logger.error("outbox.dead_lettered platform=%s reply=%s reason=%s", self.platform,
                     extra.get("reply_id", ""), reason)
        await self.dead_letters.add(self.platform, reason, raw if reply is None else encode(reply), extra=extra)
