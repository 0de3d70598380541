"""The one settings layer: typed readers of environment mappings and the shared variables.

Each process builds its settings once at start (from ``os.environ``) and passes them in;
libraries take a mapping or a settings object, never ``os.environ`` itself. Secrets never
appear in reprs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Mapping, Optional
from urllib.parse import urlparse

from core.paths import PROJECT_ROOT


class SettingsError(ValueError):
    """An environment variable has an unusable value."""


@dataclass(frozen=True)
class RedisTarget:
    """Where Redis is, split the way Rasa's endpoints.yml wants it."""

    host: str
    port: int
    db: int = 0
    password: str = field(default="", repr=False)

    @property
    def url(self) -> str:
        """redis:// URL (password included; never log it)."""
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}{self.host}:{self.port}/{self.db}"


def parse_redis_url(url: str) -> RedisTarget:
    """Split `redis://[:password@]host[:port][/db]` into a RedisTarget."""
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss"):
        raise SettingsError("REDIS_URL must start with redis:// or rediss://")
    if not parsed.hostname:
        raise SettingsError("REDIS_URL has no host")
    path = (parsed.path or "/").strip("/")
    try:
        db = int(path) if path else 0
    except ValueError as exc:
        raise SettingsError("REDIS_URL database must be a number") from exc
    return RedisTarget(parsed.hostname, parsed.port or 6379, db, parsed.password or "")


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    """Integer variable `name` of `env` (`default` when unset or empty); SettingsError otherwise."""
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer") from exc


def envenv_bounded(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """Integer variable ``name`` between ``low`` and ``high``; SettingsError otherwise."""
    value = env_int(env, name, default)
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}")
    return value


@dataclass(frozen=True)
class SharedEnv:
    """The variables every socialcare process reads the same way."""

    data_dir: Path
    redis_key_prefix: str
    redis_url: Optional[str] = field(repr=False)
    embedded_redis_port: int
    log_level: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "SharedEnv":
        """SOCIALCARE_DATA_DIR, REDIS_KEY_PREFIX, REDIS_URL, EMBEDDED_REDIS_PORT, LOG_LEVEL;
        SettingsError on an unusable value."""
        prefix = env.get("REDIS_KEY_PREFIX") or "socialcare"
        if not prefix.isalnum():
            raise SettingsError("REDIS_KEY_PREFIX must be letters and digits only")
        redis_url = env.get("REDIS_URL") or None
        if redis_url:
            parse_redis_url(redis_url)
        return cls(
            data_dir=Path(env.get("SOCIALCARE_DATA_DIR") or PROJECT_ROOT / "var"),
            redis_key_prefix=prefix,
            redis_url=redis_url,
            embedded_redis_port=env_int(env, "EMBEDDED_REDIS_PORT", 6390),
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
        )


def redis_target_of(redis_url: Optional[str], embedded_redis_port: int) -> RedisTarget:
    """The Redis to use: `redis_url`, else the embedded server on 127.0.0.1."""
    if redis_url:
        return parse_redis_url(redis_url)
    return RedisTarget("127.0.0.1", embedded_redis_port)
