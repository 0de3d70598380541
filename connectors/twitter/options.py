"""The options last offered in an X DM conversation, kept in Redis for 24 hours.

X v2 DMs have no quick replies, so options go out as a numbered list and the customer
answers "1", "one" or the title; ``match_option`` maps that back to the option's
payload with what was stored here. Stored as ``{"v": 1, "options": [{"title",
"payload"}]}`` under ``keys.options("twitter", thread)``.
"""
from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

from connectors.events import TWITTER
from connectors.intake.keys import IntakeKeys

__all__ = ["OptionsStore", "OPTIONS_TTL_S"]

OPTIONS_TTL_S = 24 * 3600
_VERSION = 1


class OptionsStore:
    """Save / load / clear the options of one X DM conversation."""

    def __init__(self, redis: Any, keys: IntakeKeys, *, ttl_s: int = OPTIONS_TTL_S) -> None:
        self.redis = redis
        self.keys = keys
        self.ttl_s = int(ttl_s)

    async def save(self, thread: str, options: Sequence[Mapping[str, Any]]) -> None:
        clean = [{"title": str(o.get("title") or ""), "payload": None if o.get("payload") is None else str(o["payload"])}
                 for o in options]
        document = json.dumps({"v": _VERSION, "options": clean}, separators=(",", ":"), ensure_ascii=False)
        await self.redis.set(self.keys.options(TWITTER, thread), document, ex=self.ttl_s)

    async def load(self, thread: str) -> list[dict[str, Any]]:
        raw = await self.redis.get(self.keys.options(TWITTER, thread))
        if not raw:
            return []
        try:
            document = json.loads(raw)
        except ValueError:
            return []
        if not isinstance(document, dict) or document.get("v") != _VERSION:
            return []
        options = document.get("options")
        return [o for o in options if isinstance(o, dict)] if isinstance(options, list) else []

    async def clear(self, thread: str) -> None:
        await self.redis.delete(self.keys.options(TWITTER, thread))
