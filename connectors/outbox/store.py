"""The outbox in Redis: per-conversation reply lists, the due set, per-reply states.

Keys come from ``connectors.intake.keys.IntakeKeys`` (``outbox``, ``outbox_due``,
``outbox_state``, ``outbox_lease``). Replies are appended by the consumer's ACK script
(``connectors.intake.scripts.ACK``) together with the intake ack; this module is the
sender's side. A reply's state key, checked and set atomically before each send
(``CLAIM``), is what makes a send happen at most once:

* absent or ``waiting:<parts>:<attempts>``: not sent (yet); the sender may send it;
* ``sending:<parts>``: a send is under way, or the sender died during it: outcome
  unknown, never resent automatically;
* ``sent`` / ``unknown`` / ``dead``: finished.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.intake.keys import IntakeKeys

__all__ = ["OutboxStore", "ClaimState", "STATE_TTL_S"]

STATE_TTL_S = 14 * 24 * 3600

# KEYS: state ; ARGV: ttl -> the previous state ('' when none); sets sending:<parts>
_CLAIM = """
local previous = redis.call('GET', KEYS[1]) or ''
if previous == '' or string.sub(previous, 1, 8) == 'waiting:' then
  local parts = '0'
  if previous ~= '' then parts = string.match(previous, '^waiting:(%d+)') or '0' end
  redis.call('SET', KEYS[1], 'sending:' .. parts, 'EX', ARGV[1])
end
return previous
"""

# KEYS: outbox, state, due ; ARGV: raw head, final state, ttl, thread
# -> pops the head when it is still raw, sets the state; unschedules an empty outbox
_DONE = """
if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then redis.call('LPOP', KEYS[1]) end
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3]) end
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('ZREM', KEYS[3], ARGV[4]) end
return redis.call('LLEN', KEYS[1])
"""

# KEYS: due, state ; ARGV: thread, at ms, state, ttl -> reschedule (the conversation waits)
_WAIT = """
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
"""

# KEYS: outbox, due ; ARGV: thread -> unschedule when empty
_EMPTY = """
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('ZREM', KEYS[2], ARGV[1]) return 1 end
return 0
"""

# KEYS: lease ; ARGV: owner
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class ClaimState:
    """The state a reply had when the sender claimed it (see the module docstring)."""

    previous: str

    @property
    def may_send(self) -> bool:
        return self.previous == "" or self.previous.startswith("waiting:")

    @property
    def interrupted(self) -> bool:
        return self.previous.startswith("sending:")

    @property
    def parts_done(self) -> int:
        return _number(self.previous, 1)

    @property
    def attempts(self) -> int:
        return _number(self.previous, 2)


def _number(state: str, index: int) -> int:
    parts = state.split(":")
    try:
        return int(parts[index]) if parts[0] == "waiting" and len(parts) > index else 0
    except ValueError:
        return 0


class OutboxStore:
    """The sender's Redis operations on one platform's outbox."""

    def __init__(self, redis: Any, keys: IntakeKeys, platform: str) -> None:
        self.redis = redis
        self.keys = keys
        self.platform = platform
        self.due_key = keys.outbox_due(platform)
        self._claim = redis.register_script(_CLAIM)
        self._done = redis.register_script(_DONE)
        self._wait = redis.register_script(_WAIT)
        self._empty = redis.register_script(_EMPTY)
        self._release = redis.register_script(_RELEASE)

    async def due(self, now_ms: int, limit: int) -> list[str]:
        """Conversations whose next reply may be sent now, most overdue first."""
        return [str(t) for t in await self.redis.zrangebyscore(self.due_key, "-inf", now_ms, 0, limit)]

    async def next_due_ms(self) -> int | None:
        """Epoch ms of the earliest scheduled conversation (``None``: nothing waits)."""
        first = await self.redis.zrange(self.due_key, 0, 0, withscores=True)
        return int(first[0][1]) if first else None

    async def lease(self, thread: str, owner: str, lease_ms: int) -> bool:
        """Take (or renew) the right to deliver one conversation for ``lease_ms``."""
        key = self.keys.outbox_lease(self.platform, thread)
        if await self.redis.set(key, owner, nx=True, px=lease_ms):
            return True
        if await self.redis.get(key) == owner:
            await self.redis.pexpire(key, lease_ms)
            return True
        return False

    async def release(self, thread: str, owner: str) -> None:
        """Give the conversation back (only when this owner still holds it)."""
        await self._release(keys=[self.keys.outbox_lease(self.platform, thread)], args=[owner])

    async def head(self, thread: str) -> str | None:
        """The oldest reply document of the conversation, if any."""
        return await self.redis.lindex(self.keys.outbox(self.platform, thread), 0)

    async def claim(self, reply_id: str) -> ClaimState:
        """Check and mark a reply before sending it (atomic, see the module docstring)."""
        key = self.keys.outbox_state(self.platform, reply_id)
        return ClaimState(str(await self._claim(keys=[key], args=[STATE_TTL_S]) or ""))

    async def done(self, thread: str, raw: str, reply_id: str, state: str) -> int:
        """Pop the finished head, store its final state; returns the replies left."""
        keys = [self.keys.outbox(self.platform, thread), self.keys.outbox_state(self.platform, reply_id),
                self.due_key]
        return int(await self._done(keys=keys, args=[raw, state, STATE_TTL_S, thread]))

    async def wait(self, thread: str, reply_id: str, at_ms: int, parts: int, attempts: int) -> None:
        """Keep the head (not sent) and try the conversation again at ``at_ms``."""
        await self._wait(keys=[self.due_key, self.keys.outbox_state(self.platform, reply_id)],
                         args=[thread, at_ms, f"waiting:{parts}:{attempts}", STATE_TTL_S])

    async def unschedule_if_empty(self, thread: str) -> bool:
        """Drop the conversation from the due set when its outbox is empty."""
        return bool(await self._empty(keys=[self.keys.outbox(self.platform, thread), self.due_key],
                                      args=[thread]))

    async def state(self, reply_id: str) -> str:
        """The stored state of a reply ('' when none)."""
        return str(await self.redis.get(self.keys.outbox_state(self.platform, reply_id)) or "")

    async def waiting(self) -> int:
        """How many conversations have replies waiting."""
        return int(await self.redis.zcard(self.due_key))
