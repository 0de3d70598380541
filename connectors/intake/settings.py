"""Redis and intake settings shared by the connector channels, read from the environment.

The variables are the ones ``endpoints.yml`` uses (``REDIS_HOST``, ``REDIS_PORT``,
``REDIS_DB``, ``REDIS_PASSWORD``, ``REDIS_KEY_PREFIX``), with ``REDIS_URL`` as a fallback
when ``REDIS_HOST`` is unset. Pure: no I/O, no framework imports; the password is kept
out of ``repr``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import urlparse

__all__ = ["RedisSettings", "IntakeSettings", "SettingsError", "env_int", "ROLES"]

ROLES = ("both", "receive", "consume")


class SettingsError(ValueError):
    """An environment variable has an unusable value (the name is in the message)."""


def env_int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    """``env[name]`` as an int (``default`` when unset or blank); ``SettingsError`` otherwise."""
    raw = env.get(name)
    if raw is None or not str(raw).strip():
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise SettingsError(f"{name} must be an integer") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    return value


@dataclass(frozen=True)
class RedisSettings:
    """Where Redis is and which key prefix to use."""

    host: str = "127.0.0.1"
    port: int = 6379
    db: int = 0
    password: str = field(default="", repr=False)
    key_prefix: str = "socialcare"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "RedisSettings":
        env = os.environ if env is None else env
        prefix = (env.get("REDIS_KEY_PREFIX") or "socialcare").strip()
        if not prefix.isalnum():
            raise SettingsError("REDIS_KEY_PREFIX must be letters and digits only")
        host = (env.get("REDIS_HOST") or "").strip()
        url = (env.get("REDIS_URL") or "").strip()
        if not host and url:
            parsed = urlparse(url)
            if parsed.scheme not in ("redis", "rediss") or not parsed.hostname:
                raise SettingsError("REDIS_URL must look like redis://[:password@]host[:port][/db]")
            path = (parsed.path or "/").strip("/")
            if path and not path.isdigit():
                raise SettingsError("REDIS_URL database must be a number")
            return cls(parsed.hostname, parsed.port or 6379, int(path or 0), parsed.password or "", prefix)
        return cls(
            host=host or "127.0.0.1",
            port=env_int(env, "REDIS_PORT", 6379, minimum=1),
            db=env_int(env, "REDIS_DB", 0),
            password=env.get("REDIS_PASSWORD") or "",
            key_prefix=prefix,
        )


@dataclass(frozen=True)
class IntakeSettings:
    """Tunables of the webhook intake and its stream consumer.

    ``INTAKE_MAX_BODY_BYTES`` (1 MiB), ``INTAKE_CLAIM_IDLE_MS`` (30 s),
    ``INTAKE_MAX_FAILURES`` (5), ``INTAKE_CONCURRENCY`` (4 conversations at a time per
    process), ``INTAKE_BLOCK_MS`` (1 s), ``INTAKE_DEDUP_TTL_S`` (48 h).
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
    def from_env(cls, env: Mapping[str, str] | None = None) -> "IntakeSettings":
        env = os.environ if env is None else env
        role = (env.get("INTAKE_ROLE") or "both").strip().lower()
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
