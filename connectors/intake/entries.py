"""Small pure helpers of the stream consumer: decoding Redis replies and backoff waits."""
from __future__ import annotations

import time
from typing import Any

__all__ = ["Entry", "as_text", "as_fields", "stream_entries", "backoff", "dead_fields"]

Entry = tuple[str, dict[str, str]]


def as_text(value: Any) -> str:
    """A Redis reply value as ``str`` (bytes decoded as UTF-8)."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def as_fields(raw: Any) -> dict[str, str]:
    """A stream entry's field map with ``str`` keys and values."""
    return {as_text(k): as_text(v) for k, v in (raw or {}).items()}


def stream_entries(reply: Any) -> list[Entry]:
    """``(entry id, fields)`` pairs of an ``XREADGROUP`` reply (deleted entries skipped)."""
    entries: list[Entry] = []
    for _stream, items in reply or []:
        for entry_id, fields in items:
            if entry_id is not None:
                entries.append((as_text(entry_id), as_fields(fields)))
    return entries


def backoff(base: float, cap: float, attempt: int) -> float:
    """``base * 2**attempt`` seconds, at most ``cap``."""
    return min(cap, base * (2 ** min(max(attempt, 0), 16)))


def dead_fields(entry_id: str, platform: str, thread: str, fields: dict[str, str], *, reason: str,
                failures: int, consumer: str) -> list[str]:
    """Field/value pairs of the dead letter of one stream entry (``scripts.DEAD``)."""
    return [
        "entry_id", entry_id, "platform", platform, "thread", thread,
        "event_id", fields.get("event_id", ""), "reason", reason[:120],
        "failures", str(failures), "consumer", consumer, "at_ms", str(int(time.time() * 1000)),
        "v", fields.get("v", ""), "data", fields.get("data", ""),
    ]
