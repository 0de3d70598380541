"""Live ticket events: parse Redis stream entries and follow a stream (XREAD BLOCK).

A ticket's stream (`HandoffKeys.transcript`) and the queue feed (`HandoffKeys.feed`)
hold entries ``{"kind": "turn" | "status", "data": <json>}``.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, AsyncIterator, Dict, List, Optional

from handoff.tickets import TranscriptTurn


def text(value: Any) -> str:
    """A Redis reply value as str (clients with or without decode_responses)."""
    return value.decode("utf-8") if isinstance(value, (bytes, bytearray)) else str(value)


@dataclass(frozen=True)
class TicketEvent:
    """One entry of a ticket's stream (or of the queue feed).

    kind ``turn``: `data` is a TranscriptTurn's JSON (use `turn`); kind ``status``:
    ``{"ticket_id", "action", "status", "owner", "agent", "priority", "csat", "at"}``.
    `entry_id` is the stream id: pass it back as `last_id` to resume after a reconnect.
    """

    entry_id: str
    kind: str
    ticket_id: str
    data: Dict[str, Any]

    @property
    def turn(self) -> Optional[TranscriptTurn]:
        """The transcript turn of a ``turn`` event (None for other kinds)."""
        return TranscriptTurn.from_json(self.data) if self.kind == "turn" else None

    def as_json(self) -> Dict[str, Any]:
        """What a websocket sends: ``{"id", "kind", "ticket_id", "data"}``."""
        return {"id": self.entry_id, "kind": self.kind, "ticket_id": self.ticket_id, "data": self.data}


def parse_entries(ticket_id: str, entries: List[Any]) -> List[TicketEvent]:
    """TicketEvents from XRANGE/XREAD entries ``[(id, {field: value})]``."""
    events = []
    for entry_id, fields in entries:
        fields = {text(k): text(v) for k, v in fields.items()}
        try:
            data = json.loads(fields.get("data") or "{}")
        except ValueError:
            data = {}
        events.append(TicketEvent(text(entry_id), fields.get("kind", "status"),
                                  ticket_id or str(data.get("ticket_id", "")), data))
    return events


async def follow(redis: Any, key: str, ticket_id: str, last_id: str = "$", block_ms: int = 1000,
                 stop: Optional[asyncio.Event] = None) -> AsyncIterator[TicketEvent]:
    """Yield events of stream `key` after `last_id` until `stop` is set (or forever).

    ``"$"`` is resolved to the current last entry first, so no event between two reads is
    lost; each read blocks at most `block_ms` (keep it below the client's socket timeout).
    """
    if last_id == "$":
        latest = await redis.xrevrange(key, count=1)
        last_id = text(latest[0][0]) if latest else "0"
    while stop is None or not stop.is_set():
        reply = await redis.xread({key: last_id}, block=block_ms, count=100)
        for _stream, entries in reply or []:
            for event in parse_entries(ticket_id, entries):
                last_id = event.entry_id
                yield event
