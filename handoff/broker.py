"""A Rasa event broker that feeds customer messages to their handoff ticket, live.

Configured in endpoints.yml (``event_broker: type: handoff.broker.HandoffEventBroker``,
with the same Redis settings as the tracker store). Rasa publishes every new tracker
event here when it saves a tracker, whatever the channel (REST, Messenger, X), so this
is the one place that sees a customer's message during a handoff (the conversation is
paused, so Rasa logs it without answering). For each ``user`` event:

* the sender has an active ticket and the message is newer than the ticket -> appended
  to the ticket's transcript stream (the console shows it at once);
* else the sender owes a CSAT score and the message is a rating -> stored on the ticket.

Why a broker rather than a check in the channel consumer: it covers every channel
(including REST and the channels of other engineers) without touching them, Rasa's
tracker stays the complete record (the customer's messages are logged there too), and
the connectors need no knowledge of handoffs. `publish` is synchronous in Rasa, so events
go through a bounded in-memory queue to one worker task that writes them in order.

Nothing is dropped on a Redis error: an event whose write fails because Redis is away
(connection refused or reset, timeout, loading after a restart, read-only replica) stays
at the head of the queue and is retried with backoff (RETRY_FIRST_S doubling up to
RETRY_MAX_S) until Redis answers, in order; the events published meanwhile wait behind
it. A retried write first looks at the ticket's latest turns, so a write that did land
before its reply was lost is not added twice. Only an event that can never be written
(malformed, an unknown ticket format) is skipped, and only an overfull queue (QUEUE_SIZE
events, e.g. 30 s of Redis outage at over 300 customer messages a second) loses an event:
both are counted and logged as errors. The customer's message itself is in the Rasa
tracker in any case. Why no spill file: the tracker store is the same Redis, so during an
outage Rasa's own writes fail too and the queue only has to bridge the outage; a file of
message texts on the Rasa host would be one more copy of personal data to retain and
erase. Logs carry ticket ids, event kinds and counts only, never text.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Mapping, Optional

from redis.exceptions import BusyLoadingError, ReadOnlyError, ResponseError, TryAgainError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from connectors.channels import channel_kind
from core.settings import RedisSettings
from handoff.connect import open_store
from handoff.csat import parse_rating
from handoff.errors import StoreBusy
from handoff.live import parse_entries
from handoff.parse_data import sentiment_compound
from handoff.tickets import CUSTOMER, TranscriptTurn

logger = logging.getLogger(__name__)

QUEUE_SIZE = 10_000
RETRY_FIRST_S = 0.1
RETRY_MAX_S = 2.0
RECENT_TURNS = 20  # how far back a retried write looks for itself
# Redis is away or not ready: keep the event and retry (everything else is a poison event).
TRANSIENT = (RedisConnectionError, RedisTimeoutError, BusyLoadingError, ReadOnlyError, TryAgainError,
             StoreBusy, OSError, asyncio.TimeoutError)
# Redis refuses writes for a while: out of memory (noeviction) or a failed snapshot.
TRANSIENT_REPLIES = ("OOM", "MISCONF")


def is_transient(exc: BaseException) -> bool:
    """Should the event be kept and retried (Redis away or refusing writes for now)? Pure."""
    if isinstance(exc, TRANSIENT):
        return True
    return isinstance(exc, ResponseError) and str(exc).startswith(TRANSIENT_REPLIES)


def turn_from_event(event: Dict[str, Any]) -> TranscriptTurn:
    """A Rasa ``user`` event (as published) as a customer TranscriptTurn (pure)."""
    parse = event.get("parse_data") or {}
    metadata = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
    intent = parse.get("intent") or {}
    return TranscriptTurn(
        speaker=CUSTOMER, text=str(event.get("text") or ""), timestamp=float(event.get("timestamp") or 0.0),
        channel=channel_kind(event.get("input_channel"), metadata),
        intent=intent.get("name"), confidence=intent.get("confidence"),
        sentiment=sentiment_compound(parse),
        entities=tuple({"entity": e.get("entity"), "value": e.get("value")}
                       for e in parse.get("entities") or [] if isinstance(e, dict)),
    )


async def _already_recorded(store: Any, ticket_id: str, turn: TranscriptTurn) -> bool:
    """Is `turn` among the ticket's latest turns (a write that landed before its reply was lost)?"""
    entries = await store.redis.xrevrange(store.keys.transcript(ticket_id), count=RECENT_TURNS)
    for event in parse_entries(ticket_id, entries):
        seen = event.turn
        if seen is not None and (seen.speaker, seen.timestamp, seen.text) == (turn.speaker, turn.timestamp, turn.text):
            return True
    return False


async def route_event(store: Any, event: Dict[str, Any], *, retried: bool = False) -> Optional[str]:
    """Apply one published event; returns what happened (``turn`` / ``csat``) or None.
    `retried`: an earlier attempt failed midway, so a turn already on the ticket is not added again."""
    if event.get("event") != "user":
        return None
    sender = str(event.get("sender_id") or "")
    ticket = await store.active_ticket(sender)
    if ticket is not None:
        if float(event.get("timestamp") or 0.0) <= ticket.created_at:
            return None  # the message that caused the handoff is in the dossier already
        turn = turn_from_event(event)
        if retried and await _already_recorded(store, ticket.id, turn):
            return "turn"
        await store.append_turn(ticket.id, turn)
        return "turn"
    pending = await store.csat_pending(sender)
    if pending:
        rating = parse_rating(event.get("text"))
        if rating is not None:
            await store.set_csat(pending, rating)
            return "csat"
    return None


def endpoint_redis_env(broker_config: Any) -> Mapping[str, str]:
    """The Redis part of an endpoints.yml entry under the variable names `RedisSettings`
    reads (``url`` is the host, as for Rasa's tracker store). Pure."""
    kwargs = dict(getattr(broker_config, "kwargs", {}) or {})
    values = {
        "REDIS_HOST": getattr(broker_config, "url", None) or kwargs.get("url") or "127.0.0.1",
        "REDIS_PORT": kwargs.get("port"),
        "REDIS_DB": kwargs.get("db"),
        "REDIS_PASSWORD": kwargs.get("password"),
        "REDIS_KEY_PREFIX": kwargs.get("key_prefix"),
    }
    return {name: str(value) for name, value in values.items() if value not in (None, "")}


class HandoffEventBroker:
    """Rasa EventBroker (duck-typed: create/from_endpoint_config/publish/is_ready/close)."""

    def __init__(self, store: Any, *, queue_size: int = QUEUE_SIZE) -> None:
        self.store = store
        self.queue_size = queue_size
        self._queue: Optional[asyncio.Queue] = None
        self._worker: Optional[asyncio.Task] = None
        self.counts: Dict[str, int] = {"handled": 0, "retries": 0, "skipped": 0, "dropped": 0}

    @classmethod
    async def from_endpoint_config(cls, broker_config: Any, event_loop: Any = None) -> "HandoffEventBroker":
        """Build from endpoints.yml (url, port, db, password, key_prefix like the tracker
        store): Rasa calls this in its process, so the endpoint config is this broker's
        environment. SettingsError on an unusable value."""
        return cls(open_store(RedisSettings.from_env(endpoint_redis_env(broker_config))))

    def publish(self, event: Dict[str, Any]) -> None:
        """Queue `event` for the worker (never blocks; only a full queue loses an event)."""
        if event.get("event") != "user":
            return
        if self._queue is None:
            self._queue = asyncio.Queue(self.queue_size)
            self._worker = asyncio.get_running_loop().create_task(self._run())
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.counts["dropped"] += 1
            logger.error("handoff.broker_dropped reason=queue_full dropped=%s", self.counts["dropped"])

    def is_ready(self) -> bool:
        """Always ready: a Redis outage is bridged by the queue."""
        return True

    async def _run(self) -> None:
        assert self._queue is not None
        while True:
            event = await self._queue.get()
            try:
                await self._handle(event)
            finally:
                self._queue.task_done()

    async def _handle(self, event: Dict[str, Any]) -> None:
        """Write one event, retrying while Redis is away; skip it only when it can never be written."""
        attempt, delay = 0, RETRY_FIRST_S
        while True:
            try:
                outcome = await route_event(self.store, event, retried=attempt > 0)
            except Exception as exc:  # noqa: BLE001 - sorted below: retried, or a poison event skipped
                if not is_transient(exc):
                    self.counts["skipped"] += 1
                    logger.error("handoff.broker_skipped error=%s skipped=%s", type(exc).__name__,
                                 self.counts["skipped"])
                    return
                attempt += 1
                self.counts["retries"] += 1
                if attempt == 1 or attempt % 10 == 0:
                    logger.warning("handoff.broker_retrying error=%s attempt=%s queued=%s", type(exc).__name__,
                                   attempt, self._queue.qsize() if self._queue is not None else 0)
                await asyncio.sleep(delay)
                delay = min(RETRY_MAX_S, delay * 2)
                continue
            self.counts["handled"] += 1
            if attempt:
                logger.info("handoff.broker_recovered attempts=%s", attempt)
            if outcome:
                logger.info("handoff.broker_%s", outcome)
            return

    async def drain(self, timeout: float = 5.0) -> None:
        """Wait until every queued event is handled (tests, shutdown)."""
        if self._queue is not None:
            await asyncio.wait_for(self._queue.join(), timeout)

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish queued events (up to `timeout` s) and stop the worker; what is still
        queued then is counted and logged as an error (the texts stay in the trackers)."""
        try:
            await self.drain(timeout)
        except asyncio.TimeoutError:
            left = self._queue.qsize() if self._queue is not None else 0
            self.counts["dropped"] += left
            logger.error("handoff.broker_close_timeout left=%s", left)
        worker, self._worker, self._queue = self._worker, None, None
        if worker is not None:
            worker.cancel()
            try:
                await worker
            except asyncio.CancelledError:
                pass

    async def close(self) -> None:
        """Stop the worker and close Redis (Rasa calls this at shutdown)."""
        await self.stop()
        await self.store.close()
