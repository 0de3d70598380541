"""Durable intake: dedup on the platform event id and append to a Redis stream.

``IntakeQueue.enqueue`` runs one Lua script per event (atomic per event)::

    SET {p}:dedup:{platform}:{event_id} 1 NX EX dedup_ttl    -- seen before? -> duplicate
    XADD {p}:intake:{platform} * v 1 platform .. thread .. event_id .. data <json>
    RPUSH {p}:conv:{platform}:{thread}:pending <entry id>    -- per-conversation order
    EXPIRE {p}:conv:{platform}:{thread}:pending pending_ttl

The scripts of one batch go in one pipeline, so the batch costs one round trip and the
events keep their delivery order. The stream entry holds ``{"v": 1, "event": ...}``.
A webhook answers 200 only after ``enqueue`` returned: the event is then durable.

``record_standby`` keeps Messenger standby events (a human owns the thread) in a capped
per-conversation list for the handover dossier, deduplicated the same way.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from connectors.events import InboundEvent, StandbyEvent, event_from_dict
from connectors.intake.keys import IntakeKeys

__all__ = [
    "ENTRY_VERSION",
    "EnqueueResult",
    "IntakeQueue",
    "encode_event",
    "decode_entry",
    "PoisonEntry",
    "conversation_of",
]

logger = logging.getLogger(__name__)

ENTRY_VERSION = 1
DEFAULT_DEDUP_TTL_S = 48 * 3600
DEFAULT_PENDING_TTL_S = 7 * 24 * 3600
DEFAULT_STANDBY_TTL_S = 7 * 24 * 3600
STANDBY_MAX = 200

_ENQUEUE = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return false
end
local id
if ARGV[2] ~= '' then
  id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'v', ARGV[3],
                  'platform', ARGV[4], 'thread', ARGV[5], 'event_id', ARGV[6], 'data', ARGV[7])
else
  id = redis.call('XADD', KEYS[2], '*', 'v', ARGV[3],
                  'platform', ARGV[4], 'thread', ARGV[5], 'event_id', ARGV[6], 'data', ARGV[7])
end
redis.call('RPUSH', KEYS[3], id)
redis.call('EXPIRE', KEYS[3], ARGV[8])
return id
"""

_STANDBY = """
if KEYS[1] ~= KEYS[2] and not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return 0
end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""


class PoisonEntry(ValueError):
    """A stream entry that can never be handled (bad JSON, unknown version, wrong type)."""


def conversation_of(event: InboundEvent | StandbyEvent) -> str:
    """The conversation an event belongs to: its customer (``sender_id``), which is also
    the Rasa sender id, so turns of one tracker run in order. The platform thread (an X
    post's ``conversation_id``, shared by every author replying in it) is not: it stays
    in ``thread_id`` and the turn metadata as the reply target."""
    return str(event.sender_id)


def encode_event(event: InboundEvent | StandbyEvent) -> str:
    """``{"v": 1, "event": event.to_dict()}`` as compact JSON."""
    return json.dumps({"v": ENTRY_VERSION, "event": event.to_dict()}, separators=(",", ":"),
                      ensure_ascii=False)


def decode_entry(fields: dict[str, Any]) -> InboundEvent:
    """The ``InboundEvent`` of a stream entry's fields; ``PoisonEntry`` when unusable."""
    raw = fields.get("data")
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        document = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        raise PoisonEntry("entry data is not JSON") from None
    if not isinstance(document, dict) or document.get("v") != ENTRY_VERSION:
        raise PoisonEntry("entry has an unknown version")
    try:
        event = event_from_dict(document.get("event") or {})
    except (TypeError, ValueError):
        raise PoisonEntry("entry event is malformed") from None
    if not isinstance(event, InboundEvent):
        raise PoisonEntry("entry event is not inbound")
    return event


@dataclass
class EnqueueResult:
    """What ``enqueue`` did: platform event ids accepted / seen before, new entry ids."""

    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    entry_ids: list[str] = field(default_factory=list)


class IntakeQueue:
    """Dedup and append inbound events to the per-platform intake stream.

    ``maxlen`` caps the stream approximately (``MAXLEN ~``). Handled entries are deleted
    by the consumer, so the stream only holds work not done yet; a cap could drop such
    work and is therefore off by default.
    """

    def __init__(
        self,
        redis: Any,
        keys: IntakeKeys,
        *,
        dedup_ttl_s: int = DEFAULT_DEDUP_TTL_S,
        maxlen: int | None = None,
        pending_ttl_s: int = DEFAULT_PENDING_TTL_S,
        standby_ttl_s: int = DEFAULT_STANDBY_TTL_S,
    ) -> None:
        if dedup_ttl_s <= 0 or pending_ttl_s <= 0:
            raise ValueError("TTLs must be positive")
        self.redis = redis
        self.keys = keys
        self.dedup_ttl_s = int(dedup_ttl_s)
        self.maxlen = maxlen
        self.pending_ttl_s = int(pending_ttl_s)
        self.standby_ttl_s = int(standby_ttl_s)
        self._enqueue = redis.register_script(_ENQUEUE)
        self._standby = redis.register_script(_STANDBY)

    async def enqueue(self, events: Sequence[InboundEvent]) -> EnqueueResult:
        """Durably accept ``events`` in order; duplicates (same platform id) are skipped.

        Raises the Redis error when Redis cannot be reached; then nothing is promised and
        the webhook must not answer 200 (the platform retries, dedup absorbs the overlap).
        """
        result = EnqueueResult()
        if not events:
            return result
        pipe = self.redis.pipeline(transaction=False)
        for event in events:
            thread = conversation_of(event)
            await self._enqueue(
                keys=[
                    self.keys.dedup(event.platform, event.platform_event_id),
                    self.keys.stream(event.platform),
                    self.keys.pending(event.platform, thread),
                ],
                args=[
                    self.dedup_ttl_s,
                    "" if self.maxlen is None else int(self.maxlen),
                    ENTRY_VERSION,
                    event.platform,
                    thread,
                    event.platform_event_id,
                    encode_event(event),
                    self.pending_ttl_s,
                ],
                client=pipe,
            )
        replies = await pipe.execute()
        for event, reply in zip(events, replies):
            if reply is None or reply is False:
                result.duplicates.append(event.platform_event_id)
            else:
                result.accepted.append(event.platform_event_id)
                result.entry_ids.append(reply.decode() if isinstance(reply, bytes) else str(reply))
        return result

    async def replay(self, event: InboundEvent, replay_id: str) -> str | None:
        """Append ``event`` again (a dead letter a supervisor replays), past the dedup
        marker of its platform id but once per ``replay_id``; returns the new entry id,
        ``None`` when this replay was done before."""
        thread = conversation_of(event)
        reply = await self._enqueue(
            keys=[self.keys.dedup(event.platform, f"replay:{replay_id}"), self.keys.stream(event.platform),
                  self.keys.pending(event.platform, thread)],
            args=[self.dedup_ttl_s, "" if self.maxlen is None else int(self.maxlen), ENTRY_VERSION,
                  event.platform, thread, event.platform_event_id, encode_event(event), self.pending_ttl_s],
        )
        if reply is None or reply is False:
            return None
        return reply.decode() if isinstance(reply, bytes) else str(reply)

    async def record_standby(self, events: Iterable[StandbyEvent]) -> int:
        """Append standby events to their conversation's capped list; returns how many
        were new. Events with an id are deduplicated like inbound events."""
        events = list(events)
        if not events:
            return 0
        pipe = self.redis.pipeline(transaction=False)
        for event in events:
            target = self.keys.standby(event.platform, conversation_of(event))
            marker = (self.keys.standby_dedup(event.platform, event.platform_event_id)
                      if event.platform_event_id else target)
            await self._standby(
                keys=[marker, target],
                args=[self.dedup_ttl_s, encode_event(event), STANDBY_MAX, self.standby_ttl_s],
                client=pipe,
            )
        replies = await pipe.execute()
        return sum(1 for reply in replies if int(reply or 0) == 1)
