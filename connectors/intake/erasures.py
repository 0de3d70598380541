"""Erasure requests from the platforms: recorded here, carried out by a higher layer.

Meta's data-deletion callback (`connectors.facebook.deletion`) and X's ``revoke`` user
event arrive in the channels, which may not import the handoff (layers). The channel
therefore *records* the request durably, the way it records a message, and answers at
once; `handoff.erasure_run.process_requests` (run by `socialcare run` and by
`socialcare forget --requests`) carries it out over the intake, tracker and handoff keys
and marks it done. Keys (`connectors.intake.keys`)::

    {p}:erasure:requests        stream: platform, user, code, source, at_ms (deleted when done)
    {p}:erasure:status:{code}   JSON {"status": "pending" | "done", counts ...}, no user id (TTL)
"""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

from connectors.events import IgnoredEvent, ParsedEvent
from connectors.intake.entries import as_fields, as_text
from connectors.intake.keys import IntakeKeys

__all__ = ["ErasureRequest", "ErasureRequests", "new_confirmation_code", "STATUS_TTL_S", "erasures_of",
           "record_erasures", "ERASE_REASON"]

STATUS_TTL_S = 90 * 24 * 3600
ERASE_REASON = "revoke"  # IgnoredEvent reason of a platform's "erase this user" (X revoke)
PENDING = "pending"
DONE = "done"


def new_confirmation_code() -> str:
    """A random confirmation code (16 hex characters) that names one request."""
    return secrets.token_hex(8)


@dataclass(frozen=True)
class ErasureRequest:
    """One customer to erase (``repr`` leaves the user id out)."""

    platform: str
    user_id: str = field(repr=False)
    code: str
    source: str = "cli"
    requested_at_ms: int = 0
    entry_id: str = ""


class ErasureRequests:
    """Record, list, complete and look up erasure requests (``redis``: asyncio client)."""

    def __init__(self, redis: Any, keys: IntakeKeys, *, status_ttl_s: int = STATUS_TTL_S) -> None:
        self.redis = redis
        self.keys = keys
        self.status_ttl_s = int(status_ttl_s)

    async def request(self, platform: str, user_id: str, source: str, *, code: Optional[str] = None) -> str:
        """Record a request durably (one MULTI); returns its confirmation code."""
        code = code or new_confirmation_code()
        now_ms = int(time.time() * 1000)
        status = json.dumps({"status": PENDING, "source": source, "requested_at_ms": now_ms})
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(self.keys.erasure_requests(), {"platform": platform, "user": user_id, "code": code,
                                                     "source": source, "at_ms": str(now_ms)})
            pipe.set(self.keys.erasure_status(code), status, ex=self.status_ttl_s)
            await pipe.execute()
        return code

    async def pending(self, limit: int = 50) -> List[ErasureRequest]:
        """Requests not carried out yet, oldest first."""
        reply = await self.redis.xrange(self.keys.erasure_requests(), "-", "+", count=limit)
        requests = []
        for entry_id, raw in reply or []:
            fields = as_fields(raw)
            requests.append(ErasureRequest(fields.get("platform", ""), fields.get("user", ""), fields.get("code", ""),
                                           fields.get("source", ""), int(fields.get("at_ms") or 0),
                                           as_text(entry_id)))
        return requests

    async def complete(self, request: ErasureRequest, counts: Dict[str, int], status: str = DONE) -> None:
        """Mark the request ``status`` with the removal counts and delete the request
        entry (the last place that named the user)."""
        data = json.dumps({"status": status, "source": request.source, "requested_at_ms": request.requested_at_ms,
                           "completed_at_ms": int(time.time() * 1000), "removed": dict(counts)})
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self.keys.erasure_status(request.code), data, ex=self.status_ttl_s)
            if request.entry_id:
                pipe.xdel(self.keys.erasure_requests(), request.entry_id)
            await pipe.execute()

    async def status(self, code: str) -> Optional[Dict[str, Any]]:
        """The status of the request with confirmation ``code`` (None: unknown)."""
        raw = await self.redis.get(self.keys.erasure_status(code))
        if raw is None:
            return None
        try:
            data = json.loads(as_text(raw))
        except ValueError:
            return None
        return data if isinstance(data, dict) else None


def erasures_of(events: Iterable[ParsedEvent]) -> List[Tuple[str, str]]:
    """``(platform, user id)`` of the erasures a parsed delivery asks for (X's revoke:
    ``IgnoredEvent("revoke", sender_id=user)``), each once, in order."""
    found: List[Tuple[str, str]] = []
    for event in events:
        if isinstance(event, IgnoredEvent) and event.reason == ERASE_REASON and event.sender_id:
            pair = (event.platform, event.sender_id)
            if pair not in found:
                found.append(pair)
    return found


async def record_erasures(redis: Any, keys: IntakeKeys, events: Iterable[ParsedEvent],
                          source: str = "platform_revoke") -> List[str]:
    """Record the erasures ``events`` ask for (see `erasures_of`); returns their codes.
    A webhook calls this before its 200, like ``enqueue``: a Redis error means no 200."""
    store = ErasureRequests(redis, keys)
    return [await store.request(platform, user, source) for platform, user in erasures_of(events)]
