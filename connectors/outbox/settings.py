"""Tunables of the outbox and of the consumer's turn limits, read from an environment
mapping (pure; errors are ``core.settings.SettingsError``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from core.settings import env_int

__all__ = ["ReliabilitySettings"]


@dataclass(frozen=True)
class ReliabilitySettings:
    """``INTAKE_TURN_TIMEOUT_S`` (60): a turn running longer is cancelled and counted as a
    failure; ``INTAKE_MAX_DELIVERIES`` (3): an entry started this many times without
    returning (it crashes the process) goes to the dead letters; ``OUTBOX_MAX_ATTEMPTS``
    (12): tries of a reply the platform refused for now (5xx, no connection) before it goes
    to the dead letters (rate-limited tries do not count: they wait for the reset);
    ``OUTBOX_POLL_MS`` (1000): how often the sender looks for due replies when not woken."""

    turn_timeout_s: int = 60
    max_deliveries: int = 3
    outbox_max_attempts: int = 12
    outbox_poll_ms: int = 1000

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "ReliabilitySettings":
        """Read the variables above from ``env``; ``SettingsError`` on an unusable value."""
        return cls(
            turn_timeout_s=env_int(env, "INTAKE_TURN_TIMEOUT_S", cls.turn_timeout_s, minimum=1),
            max_deliveries=env_int(env, "INTAKE_MAX_DELIVERIES", cls.max_deliveries, minimum=1),
            outbox_max_attempts=env_int(env, "OUTBOX_MAX_ATTEMPTS", cls.outbox_max_attempts, minimum=1),
            outbox_poll_ms=env_int(env, "OUTBOX_POLL_MS", cls.outbox_poll_ms, minimum=10),
        )
