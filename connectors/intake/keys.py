"""The one module that builds Redis key names for the connectors (house rule 8).

Every key lives under the prefix (``REDIS_KEY_PREFIX``, default ``socialcare``)::

    {p}:intake:{platform}                      stream of accepted inbound events
    {p}:intake:dead                            dead-letter stream (all platforms; TTL by
                                               stream id, connectors.intake.deadletters)
    {p}:intake:{platform}:failures:{entry}     failure counter of one stream entry (TTL)
    {p}:dedup:{platform}:{event_id}            platform event id seen (SET NX, TTL)
    {p}:dedup:{platform}:standby:{event_id}    standby event id seen (SET NX, TTL)
    {p}:conv:{platform}:{thread}:pending       stream entry ids of a conversation, in order
    {p}:conv:{platform}:{thread}:standby       standby events kept for the handover (TTL)
    {p}:conv:{platform}:{thread}:options       last options offered in an X DM (TTL 24 h)
    {p}:conv:{platform}:{thread}:outbox        replies waiting to be sent, in order
    {p}:conv:{platform}:{thread}:outbox_lease  the sender delivering that outbox (PX)
    {p}:intake:{platform}:starts:{entry}       handler runs that never returned (TTL)
    {p}:outbox:{platform}:due                  conversation -> epoch ms of its next send
    {p}:outbox:{platform}:state:{reply}        delivery state of one reply (TTL)
    {p}:outbox:{platform}:recorded:{entry}     replies of an entry recorded (TTL)
    {p}:tracker:{sender} / {p}:lock:{sender}   Rasa's tracker / lock (named by Rasa)
    {p}:erasure:requests                       erasure requests to carry out (stream)
    {p}:erasure:status:{code}                  status of one erasure request (TTL)

The consumer group is ``{p}:intake:workers`` (a group name, not a key). Ids that come
from the platforms are used as they are when they are plain tokens; anything else
(``:``, spaces, very long values) is replaced by a hash so no id can escape its slot.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.redis_keys import DEFAULT_PREFIX, check_prefix, safe_part

__all__ = ["IntakeKeys", "DEFAULT_PREFIX", "safe_part"]

_PLATFORM = re.compile(r"[a-z][a-z0-9_]{0,31}")
_RESERVED_PLATFORMS = frozenset({"dead"})


@dataclass(frozen=True)
class IntakeKeys:
    """Key names under one prefix (letters and digits, like ``core.settings``)."""

    prefix: str = DEFAULT_PREFIX

    def __post_init__(self) -> None:
        check_prefix(self.prefix)

    @staticmethod
    def _platform(platform: str) -> str:
        if not _PLATFORM.fullmatch(platform or "") or platform in _RESERVED_PLATFORMS:
            raise ValueError(f"invalid platform name {platform!r}")
        return platform

    @classmethod
    def check_platform(cls, platform: str) -> str:
        """``platform`` when it is a valid platform name, else ``ValueError``."""
        return cls._platform(platform)

    # ------------------------------------------------------------------ streams
    def stream(self, platform: str) -> str:
        """The intake stream of one platform."""
        return f"{self.prefix}:intake:{self._platform(platform)}"

    def dead_letter(self) -> str:
        """The dead-letter stream shared by all platforms."""
        return f"{self.prefix}:intake:dead"

    def group(self) -> str:
        """The consumer group name (same on every platform stream)."""
        return f"{self.prefix}:intake:workers"

    def failures(self, platform: str, entry_id: str) -> str:
        """Counter of failed handler runs for one stream entry."""
        return f"{self.prefix}:intake:{self._platform(platform)}:failures:{safe_part(entry_id)}"

    # ------------------------------------------------------------------ dedup
    def dedup(self, platform: str, event_id: str) -> str:
        """Marker that a platform event id was accepted."""
        return f"{self.prefix}:dedup:{self._platform(platform)}:{safe_part(event_id)}"

    def standby_dedup(self, platform: str, event_id: str) -> str:
        """Marker that a standby event id was recorded."""
        return f"{self.prefix}:dedup:{self._platform(platform)}:standby:{safe_part(event_id)}"

    # ------------------------------------------------------------------ conversations
    def _conv(self, platform: str, thread: str) -> str:
        return f"{self.prefix}:conv:{self._platform(platform)}:{safe_part(thread)}"

    def pending(self, platform: str, thread: str) -> str:
        """Stream entry ids of one conversation not yet handled, oldest first."""
        return f"{self._conv(platform, thread)}:pending"

    def standby(self, platform: str, thread: str) -> str:
        """Standby events of one conversation (JSON with a version), oldest first."""
        return f"{self._conv(platform, thread)}:standby"

    def options(self, platform: str, thread: str) -> str:
        """The options last offered in one conversation (JSON with a version)."""
        return f"{self._conv(platform, thread)}:options"

    # ------------------------------------------------------------------ outbox (issue 10)
    def starts(self, platform: str, entry_id: str) -> str:
        """Counter of handler runs of one stream entry that never returned (crashes)."""
        return f"{self.prefix}:intake:{self._platform(platform)}:starts:{safe_part(entry_id)}"

    def outbox(self, platform: str, thread: str) -> str:
        """The replies of one conversation waiting to be sent, oldest first (JSON)."""
        return f"{self._conv(platform, thread)}:outbox"

    def outbox_due(self, platform: str) -> str:
        """Sorted set: conversation -> epoch ms its next reply may be sent."""
        return f"{self.prefix}:outbox:{self._platform(platform)}:due"

    def outbox_state(self, platform: str, reply_id: str) -> str:
        """Delivery state of one reply (``sending:N``, ``waiting:N:A``, ``sent``, ...; TTL)."""
        return f"{self.prefix}:outbox:{self._platform(platform)}:state:{safe_part(reply_id)}"

    def outbox_recorded(self, platform: str, entry_id: str) -> str:
        """Marker that the replies of one stream entry were recorded (TTL)."""
        return f"{self.prefix}:outbox:{self._platform(platform)}:recorded:{safe_part(entry_id)}"

    def outbox_lease(self, platform: str, thread: str) -> str:
        """Which sender delivers one conversation's outbox right now (PX lease)."""
        return f"{self._conv(platform, thread)}:outbox_lease"

    # ------------------------------------------------------------------ erasure (issue 10)
    def conversation_pattern(self, platform: str, thread: str) -> str:
        """SCAN pattern of every key of one conversation (pending, standby, outbox, ...)."""
        return f"{self._conv(platform, thread)}:*"

    def tracker(self, sender_id: str) -> str:
        """Rasa's tracker of one sender (RedisTrackerStore: ``{p}:tracker:`` + sender, raw)."""
        return f"{self.prefix}:tracker:{sender_id}"

    def tracker_pattern(self) -> str:
        """SCAN pattern of every Rasa tracker."""
        return f"{self.prefix}:tracker:*"

    def lock(self, sender_id: str) -> str:
        """Rasa's conversation lock of one sender (RedisLockStore: ``{p}:lock:`` + sender)."""
        return f"{self.prefix}:lock:{sender_id}"

    def erasure_requests(self) -> str:
        """Stream of erasure requests (platform, user) waiting to be carried out."""
        return f"{self.prefix}:erasure:requests"

    def erasure_status(self, code: str) -> str:
        """Status of one erasure request by confirmation code (no user id in it; TTL)."""
        return f"{self.prefix}:erasure:status:{safe_part(code)}"
