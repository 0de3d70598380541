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
Logs carry ticket ids and event kinds only, never text.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Mapping, Optional

from connectors.channels import channel_kind
from core.settings import RedisSettings
from handoff.connect import open_store
from handoff.csat import parse_rating
from handoff.errors import HandoffError
from handoff.parse_data import sentiment_compound
from handoff.tickets import CUSTOMER, TranscriptTurn

logger = logging.getLogger(__name__)

QUEUE_SIZE = 10_000


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


async def route_event(store: Any, event: Dict[str, Any]) -> Optional[str]:
    """Apply one published event; returns what happened (``turn`` / ``csat``) or None."""
    if event.get("event") != "user":
        return None
    sender = str(event.get("sender_id") or "")
    ticket = await store.active_ticket(sender)
    if ticket is not None:
        if float(event.get("timestamp") or 0.0) <= ticket.created_at:
            return None  # the message that caused the handoff is in the dossier already
        await store.append_turn(ticket.id, turn_from_event(event))
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

    def __init__(self, store: Any) -> None:
        self.store = store
        self._queue: Optional[asyncio.Queue] = None
        self._worker: Optional[asyncio.Task] = None

    @classmethod
    async def from_endpoint_config(cls, broker_config: Any, event_loop: Any = None) -> "HandoffEventBroker":
        """Build from endpoints.yml (url, port, db, password, key_prefix like the tracker
        store): Rasa calls this in its process, so the endpoint config is this broker's
        environment. SettingsError on an unusable value."""
        return cls(open_store(RedisSettings.from_env(endpoint_redis_env(broker_config))))

    def publish(self, event: Dict[str, Any]) -> None:
        """Queue `event` for the worker (never blocks; drops with a warning when full)."""
        if event.get("event") != "user":
            return
        if self._queue is None:
            self._queue = asyncio.Queue(QUEUE_SIZE)
            self._worker = asyncio.get_running_loop().create_task(self._run())
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            logger.warning("handoff.broker_dropped reason=queue_full")

    def is_ready(self) -> bool:
        """Always ready: Redis errors are handled per event."""
        return True

    async def _run(self) -> None:
        assert self._queue is not None
        while True:
            event = await self._queue.get()
            try:
                outcome = await route_event(self.store, event)
                if outcome:
                    logger.info("handoff.broker_%s", outcome)
            except (HandoffError, OSError, ValueError) as exc:
                logger.warning("handoff.broker_failed error=%s", type(exc).__name__)
            except Exception as exc:  # noqa: BLE001 - redis errors and the like: keep the worker alive
                logger.warning("handoff.broker_failed error=%s", type(exc).__name__)
            finally:
                self._queue.task_done()

    async def drain(self, timeout: float = 5.0) -> None:
        """Wait until every queued event is handled (tests, shutdown)."""
        if self._queue is not None:
            await asyncio.wait_for(self._queue.join(), timeout)

    async def stop(self) -> None:
        """Finish queued events (briefly) and stop the worker."""
        try:
            await self.drain(2.0)
        except asyncio.TimeoutError:
            logger.warning("handoff.broker_close_timeout")
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
