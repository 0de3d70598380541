"""Failed-login throttling that never tells which user names exist.

Three counters in Redis, each a fixed window with a TTL (keys from console.keys), counted
for every failed login whether or not the name exists:

* per client address (any name): ``address_max`` failures in ``window_s`` -> that address
  waits out the window. Stops one machine from guessing across many names.
* per (address, name): ``pair_max`` failures in ``window_s`` -> that address may not try
  that name until the window ends. A real agent elsewhere is not affected.
* per name (every address): ``name_max`` failures in the short ``name_window_s`` -> the
  name waits at most ``name_window_s`` seconds. This only slows a distributed guess; it
  cannot lock an agent out for longer than that window at a time.

A blocked attempt answers like any other refusal except for the status (429) and a
``Retry-After``; known and unknown names are counted and blocked identically, and the
password is not checked while blocked, so neither the status nor the timing reveals a name.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence, Tuple

from console.keys import ConsoleKeys


@dataclass(frozen=True)
class ThrottleLimits:
    """How many failures each counter allows inside its window (see the module docstring)."""

    pair_max: int = 5
    address_max: int = 20
    window_s: int = 900
    name_max: int = 10
    name_window_s: int = 60


def retry_after(counts: Sequence[Optional[int]], ttls: Sequence[int], limits: Sequence[int]) -> int:
    """Seconds to wait (0: not blocked) given each counter's value, TTL and limit (pure)."""
    waits = [max(1, int(ttl)) for count, ttl, limit in zip(counts, ttls, limits)
             if count is not None and int(count) >= limit]
    return max(waits) if waits else 0


class LoginThrottle:
    """The three failure counters over an async Redis client."""

    def __init__(self, redis: Any, keys: ConsoleKeys, limits: Optional[ThrottleLimits] = None) -> None:
        self.redis = redis
        self.keys = keys
        self.limits = limits or ThrottleLimits()

    def _counters(self, address: str, name: str) -> Tuple[Tuple[str, int, int], ...]:
        lim = self.limits
        return (
            (self.keys.login_address(address), lim.address_max, lim.window_s),
            (self.keys.login_pair(address, name), lim.pair_max, lim.window_s),
            (self.keys.login_name(name), lim.name_max, lim.name_window_s),
        )

    async def blocked(self, address: str, name: str) -> int:
        """Seconds this address must wait before trying `name` again; 0 when it may try."""
        counters = self._counters(address, name)
        async with self.redis.pipeline(transaction=False) as pipe:
            for key, _, _ in counters:
                pipe.get(key)
                pipe.ttl(key)
            raw = await pipe.execute()
        counts = [int(v) if v is not None else None for v in raw[0::2]]
        return retry_after(counts, raw[1::2], [limit for _, limit, _ in counters])

    async def failed(self, address: str, name: str) -> None:
        """Count one failed login on every counter (a new counter starts its window)."""
        async with self.redis.pipeline(transaction=True) as pipe:
            for key, _, window in self._counters(address, name):
                pipe.set(key, 0, ex=window, nx=True)
                pipe.incr(key)
            await pipe.execute()

    async def succeeded(self, address: str, name: str) -> None:
        """A good login clears its (address, name) counter; the others keep counting."""
        await self.redis.delete(self.keys.login_pair(address, name))
