"""How long each kind of customer data is kept in Redis: one setting per kind.

Read once at start (``RetentionSettings.from_env(env)``) and passed down:

* ``TRACKER_TTL_DAYS`` (default 30): a Rasa tracker expires this long after the
  conversation's last save (endpoints.yml ``record_exp``, expanded from ``TRACKER_TTL_S``
  that `socialcare run` derives from this value).
* ``TICKET_TTL_DAYS`` (default 90): a *resolved* ticket and its index entries expire this
  long after the resolve; open and claimed tickets never expire.
* ``TRANSCRIPT_TTL_DAYS`` (default 90): the live transcript stream of a resolved ticket
  expires this long after the resolve (the dossier inside the ticket keeps a snapshot).

``0`` means "keep forever" for every kind. Dead letters have their own setting
(``DEAD_LETTER_TTL_S``, `connectors.intake.deadletters`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

from core.settings import env_int

__all__ = ["RetentionSettings", "DAY_S"]

DAY_S = 24 * 3600
DEFAULT_TRACKER_TTL_DAYS = 30
DEFAULT_TICKET_TTL_DAYS = 90
DEFAULT_TRANSCRIPT_TTL_DAYS = 90


def _seconds(days: int) -> Optional[int]:
    return days * DAY_S if days > 0 else None


@dataclass(frozen=True)
class RetentionSettings:
    """TTLs in days per kind of data (0: never expires)."""

    tracker_days: int = DEFAULT_TRACKER_TTL_DAYS
    ticket_days: int = DEFAULT_TICKET_TTL_DAYS
    transcript_days: int = DEFAULT_TRANSCRIPT_TTL_DAYS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "RetentionSettings":
        """TRACKER_TTL_DAYS, TICKET_TTL_DAYS, TRANSCRIPT_TTL_DAYS (whole days, at least 0);
        SettingsError on an unusable value."""
        return cls(
            tracker_days=env_int(env, "TRACKER_TTL_DAYS", DEFAULT_TRACKER_TTL_DAYS, minimum=0),
            ticket_days=env_int(env, "TICKET_TTL_DAYS", DEFAULT_TICKET_TTL_DAYS, minimum=0),
            transcript_days=env_int(env, "TRANSCRIPT_TTL_DAYS", DEFAULT_TRANSCRIPT_TTL_DAYS, minimum=0),
        )

    @property
    def tracker_ttl_s(self) -> Optional[int]:
        """Seconds a tracker lives after its last save (None: forever)."""
        return _seconds(self.tracker_days)

    @property
    def ticket_ttl_s(self) -> Optional[int]:
        """Seconds a resolved ticket lives after the resolve (None: forever)."""
        return _seconds(self.ticket_days)

    @property
    def transcript_ttl_s(self) -> Optional[int]:
        """Seconds a resolved ticket's transcript stream lives after the resolve (None: forever)."""
        return _seconds(self.transcript_days)

    def tracker_record_exp(self) -> str:
        """The value of ``TRACKER_TTL_S`` for endpoints.yml's ``record_exp``: seconds, or
        ``""`` for "never" (Rasa then sets no expiry)."""
        ttl = self.tracker_ttl_s
        return "" if ttl is None else str(ttl)
