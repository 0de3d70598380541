"""Tunables of the webhook intake, read from an environment mapping (pure).

Where Redis is comes from ``core.settings.RedisSettings`` (one precedence for every
process); errors are ``core.settings.SettingsError``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from core.settings import SettingsError, env_int, env_text

__all__ = ["IntakeSettings", "ROLES"]

ROLES = ("both", "receive", "consume")


@dataclass(frozen=True)
class IntakeSettings:
    """Tunables of the webhook intake and its stream consumer.

    ``INTAKE_MAX_BODY_BYTES`` (1 MiB), ``INTAKE_CLAIM_IDLE_MS`` (30 s),
    ``INTAKE_MAX_FAILURES`` (5), ``INTAKE_CONCURRENCY`` (4 conversations at a time per
    process), ``INTAKE_BLOCK_MS`` (1 s), ``INTAKE_DEDUP_TTL_S`` (48 h), ``INTAKE_ROLE``
    (``both``, ``receive`` or ``consume``).
    """

    max_body_bytes: int = 1024 * 1024
    claim_idle_ms: int = 30_000
    max_failures: int = 5
    concurrency: int = 4
    block_ms: int = 1000
    dedup_ttl_s: int = 48 * 3600
    role: str = "both"

    @property
    def consumes(self) -> bool:
        """Whether this process runs the stream consumer (roles ``both`` and ``consume``)."""
        return self.role != "receive"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "IntakeSettings":
        """Read the INTAKE_* variables of `env`; SettingsError on an unusable value."""
        role = env_text(env, "INTAKE_ROLE", "both").lower()
        if role not in ROLES:
            raise SettingsError("INTAKE_ROLE must be both, receive or consume")
        return cls(
            role=role,
            max_body_bytes=env_int(env, "INTAKE_MAX_BODY_BYTES", cls.max_body_bytes, minimum=1024),
            claim_idle_ms=env_int(env, "INTAKE_CLAIM_IDLE_MS", cls.claim_idle_ms, minimum=10),
            max_failures=env_int(env, "INTAKE_MAX_FAILURES", cls.max_failures, minimum=1),
            concurrency=env_int(env, "INTAKE_CONCURRENCY", cls.concurrency, minimum=1),
            block_ms=env_int(env, "INTAKE_BLOCK_MS", cls.block_ms, minimum=1),
            dedup_ttl_s=env_int(env, "INTAKE_DEDUP_TTL_S", cls.dedup_ttl_s, minimum=60),
        )
