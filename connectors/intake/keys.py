"""The one module that builds Redis key names for the connectors (house rule 8).

Every key lives under the prefix (``REDIS_KEY_PREFIX``, default ``socialcare``)::

    {p}:intake:{platform}                      stream of accepted inbound events
    {p}:intake:dead                            dead-letter stream (all platforms)
    {p}:intake:{platform}:failures:{entry}     failure counter of one stream entry (TTL)
    {p}:dedup:{platform}:{event_id}            platform event id seen (SET NX, TTL)
    {p}:dedup:{platform}:standby:{event_id}    standby event id seen (SET NX, TTL)
    {p}:conv:{platform}:{thread}:pending       stream entry ids of a conversation, in order
    {p}:conv:{platform}:{thread}:standby       standby events kept for the handover (TTL)
    {p}:conv:{platform}:{thread}:options       last options offered in an X DM (TTL 24 h)

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
