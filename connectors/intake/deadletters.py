"""Dead letters: what the intake could not use, kept for a while to inspect, replay or drop.

One Redis stream for every platform, ``{p}:intake:dead`` (``IntakeKeys.dead_letter``),
shared with the stream consumer's dead-lettered entries (``consumer._to_dead``), so one
listing shows both. Each entry is a flat hash of strings:

    platform   "facebook" | "twitter"
    reason     why it is here, never quoting a value ("malformed:<path>: <problem>")
    data       the item as JSON (personal data: never logged, only shown to operators)
    at_ms      when it was added (epoch ms; the stream id carries it too)
    source     "webhook" (an unusable item of a delivery: ``data`` is the raw platform
               item) or absent for the consumer's entries (``data`` is then the intake
               entry ``{"v": 1, "event": ...}`` and ``entry_id``, ``event_id``,
               ``thread``, ``failures``, ``consumer``, ``v`` are there too)
    ...        any extra fields a caller passes to ``add``

Retention: ``DEAD_LETTER_TTL_S`` (default 14 days). Stream ids are millisecond times,
so every ``add`` and ``count`` trims entries older than the TTL (``XTRIM MINID``), and
the reads (``list``, ``get``) never return an older one even before it is trimmed.
``maxlen`` caps the stream besides (``MAXLEN ~``). Usage::

    store = DeadLetters(redis, IntakeKeys(prefix), DeadLetterSettings.from_env(env))
    entry_id = await store.add("facebook", "malformed:entry[0].messaging[1].sender: ...", item_json)
    letters = await store.list(20)            # newest first, DeadLetter records
    await store.drop(letters[0].id)
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from connectors.intake.keys import IntakeKeys
from core.settings import env_int

__all__ = ["DeadLetterSettings", "DeadLetter", "DeadLetters", "DEFAULT_TTL_S", "item_json"]

DEFAULT_TTL_S = 14 * 24 * 3600
DEFAULT_MAXLEN = 100_000
_REASON_MAX = 200
_RESERVED = frozenset({"platform", "reason", "data", "at_ms", "source"})


@dataclass(frozen=True)
class DeadLetterSettings:
    """``DEAD_LETTER_TTL_S`` (14 days, at least 60 s): how long a dead letter is kept.
    ``maxlen`` caps the stream (approximately) whatever the TTL."""

    ttl_s: int = DEFAULT_TTL_S
    maxlen: int = DEFAULT_MAXLEN

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "DeadLetterSettings":
        """Read ``DEAD_LETTER_TTL_S`` from ``env``; ``SettingsError`` on an unusable value."""
        return cls(ttl_s=env_int(env, "DEAD_LETTER_TTL_S", DEFAULT_TTL_S, minimum=60))


@dataclass(frozen=True)
class DeadLetter:
    """One dead letter as read back. ``data`` and ``fields`` hold personal data (not in repr)."""

    id: str
    platform: str
    reason: str
    at_ms: int
    source: str
    data: str = field(default="", repr=False)
    fields: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_entry(cls, entry_id: str, raw: Mapping[Any, Any]) -> "DeadLetter":
        """Build from a stream entry (bytes or str fields; consumer or webhook shape)."""
        values = {_text(k): _text(v) for k, v in raw.items()}
        at_ms = values.get("at_ms", "")
        return cls(
            id=_text(entry_id),
            platform=values.get("platform", ""),
            reason=values.get("reason", ""),
            at_ms=int(at_ms) if at_ms.isdigit() else _id_ms(_text(entry_id)),
            source=values.get("source") or ("consumer" if "entry_id" in values else "unknown"),
            data=values.get("data", ""),
            fields=values,
        )


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _id_ms(entry_id: str) -> int:
    head = entry_id.split("-", 1)[0]
    return int(head) if head.isdigit() else 0


def item_json(item: Any) -> str:
    """``item`` as compact ASCII JSON (lone surrogates escaped, so Redis can store it)."""
    try:
        return json.dumps(item, separators=(",", ":"), ensure_ascii=True, default=str)
    except (TypeError, ValueError, RecursionError):
        return json.dumps(repr(item)[:10_000])


class DeadLetters:
    """The dead-letter stream (see the module docstring). ``redis`` is an asyncio client."""

    def __init__(self, redis: Any, keys: IntakeKeys, settings: DeadLetterSettings | None = None,
                 *, clock: Any = time.time) -> None:
        self.redis = redis
        self.keys = keys
        self.settings = settings or DeadLetterSettings()
        self.key = keys.dead_letter()
        self._clock = clock

    def _cutoff_id(self) -> str:
        return f"{max(0, int(self._clock() * 1000) - self.settings.ttl_s * 1000)}-0"

    def _fields(self, platform: str, reason: str, data: str, extra: Mapping[str, Any] | None) -> dict[str, str]:
        self.keys.check_platform(platform)
        values = {"platform": platform, "reason": reason[:_REASON_MAX], "data": data,
                  "at_ms": str(int(self._clock() * 1000)), "source": "webhook"}
        for name, value in (extra or {}).items():
            if name in _RESERVED and name != "source":
                raise ValueError(f"field {name!r} is set by the store")
            values[str(name)] = "" if value is None else str(value)
        return values

    async def add(self, platform: str, reason: str, data: str, *,
                  extra: Mapping[str, Any] | None = None) -> str:
        """Keep one dead letter; returns its id. ``data`` is a JSON text (``item_json``);
        ``extra`` adds fields (``source`` may be overridden, e.g. ``"consumer"``)."""
        [entry_id] = await self.add_many([(platform, reason, data)], extra=extra)
        return entry_id

    async def add_many(self, letters: Sequence[tuple[str, str, str]], *,
                       extra: Mapping[str, Any] | None = None) -> list[str]:
        """Keep several ``(platform, reason, data)`` letters in one round trip, in order."""
        if not letters:
            return []
        entries = [self._fields(p, r, d, extra) for p, r, d in letters]
        pipe = self.redis.pipeline(transaction=False)
        for values in entries:
            pipe.xadd(self.key, values, maxlen=self.settings.maxlen, approximate=True)
        pipe.xtrim(self.key, minid=self._cutoff_id(), approximate=False)
        replies = await pipe.execute()
        return [_text(reply) for reply in replies[:len(entries)]]

    async def list(self, count: int = 50, *, newest_first: bool = True,
                   platform: str | None = None) -> list[DeadLetter]:
        """Up to ``count`` live dead letters, newest first by default, optionally of one platform.
        (With a platform filter, fewer than ``count`` may come back from a mixed stream.)"""
        if count <= 0:
            return []
        cutoff = self._cutoff_id()
        if newest_first:
            rows = await self.redis.xrevrange(self.key, max="+", min=cutoff, count=count)
        else:
            rows = await self.redis.xrange(self.key, min=cutoff, max="+", count=count)
        letters = [DeadLetter.from_entry(entry_id, raw) for entry_id, raw in rows]
        return [letter for letter in letters if platform is None or letter.platform == platform]

    async def get(self, letter_id: str) -> DeadLetter | None:
        """One live dead letter by id, ``None`` when absent, expired or the id is malformed."""
        if not _valid_id(letter_id) or _id_ms(letter_id) < _id_ms(self._cutoff_id()):
            return None
        rows = await self.redis.xrange(self.key, min=letter_id, max=letter_id, count=1)
        return DeadLetter.from_entry(*rows[0]) if rows else None

    async def drop(self, letter_id: str) -> bool:
        """Delete one dead letter; True when it existed."""
        if not _valid_id(letter_id):
            return False
        return int(await self.redis.xdel(self.key, letter_id)) > 0

    async def purge_expired(self) -> int:
        """Remove the dead letters older than the TTL now; returns how many went."""
        return int(await self.redis.xtrim(self.key, minid=self._cutoff_id(), approximate=False))

    async def count(self) -> int:
        """How many live dead letters there are (expired ones are purged first)."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.xtrim(self.key, minid=self._cutoff_id(), approximate=False)
        pipe.xlen(self.key)
        _, length = await pipe.execute()
        return int(length)


def _valid_id(letter_id: Any) -> bool:
    if not isinstance(letter_id, str):
        return False
    head, _, tail = letter_id.partition("-")
    return head.isdigit() and tail.isdigit()
