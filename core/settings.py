"""The one settings layer: typed readers of environment mappings and the shared variables.

Each process builds its settings once at start (from ``os.environ``) and passes them in;
libraries take a mapping or a settings object, never ``os.environ`` itself. Every
settings module of the project raises `SettingsError` (or a subclass). Secrets never
appear in reprs.

Where Redis is, one precedence for every process (`RedisSettings.from_env`):
``REDIS_URL``; else ``REDIS_HOST``/``REDIS_PORT``/``REDIS_DB``/``REDIS_PASSWORD`` (what
`socialcare run` gives the Rasa processes, derived from the same target); else the
embedded server on 127.0.0.1:``EMBEDDED_REDIS_PORT`` (6390).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional
from urllib.parse import urlparse

from core.paths import PROJECT_ROOT
from core.redis_keys import DEFAULT_PREFIX

EMBEDDED_REDIS_PORT = 6390
REDIS_PARTS = ("REDIS_HOST", "REDIS_PORT", "REDIS_DB", "REDIS_PASSWORD")


class SettingsError(ValueError):
    """An environment variable has an unusable value (the name is in the message)."""


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


def env_text(env: Mapping[str, str], name: str, default: str = "") -> str:
    """Variable `name` of `env`, stripped (`default` when unset or blank)."""
    return (env.get(name) or "").strip() or default


def env_int(env: Mapping[str, str], name: str, default: int, *, minimum: Optional[int] = None) -> int:
    """Integer variable `name` of `env` (`default` when unset or blank), at least `minimum`
    when given; SettingsError otherwise."""
    raw = env_text(env, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer") from None
    if minimum is not None and value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    return value


def env_bounded(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """Integer variable ``name`` between ``low`` and ``high``; SettingsError otherwise."""
    value = env_int(env, name, default)
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}")
    return value


LOOPBACK = "127.0.0.1"


def bind_host(env: Mapping[str, str], name: str = "SOCIALCARE_BIND_HOST") -> str:
    """The interface our servers listen on: `name` (SOCIALCARE_BIND_HOST), default 127.0.0.1.

    Only an address or host name (no port, no spaces); SettingsError otherwise."""
    host = env_text(env, name, LOOPBACK)
    if any(c.isspace() or c in "/@?#" for c in host) or (host.count(":") == 1):
        raise SettingsError(f"{name} must be an address such as 127.0.0.1 or 0.0.0.0")
    return host


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only (127.x, ::1, localhost)."""
    host = host.strip().strip("[]").lower()
    return host == "localhost" or host == "::1" or host.startswith("127.")


def redis_key_prefix(env: Mapping[str, str]) -> str:
    """REDIS_KEY_PREFIX (default ``socialcare``): letters and digits only."""
    prefix = env_text(env, "REDIS_KEY_PREFIX", DEFAULT_PREFIX)
    if not prefix.isalnum():
        raise SettingsError("REDIS_KEY_PREFIX must be letters and digits only")
    return prefix


@dataclass(frozen=True)
class RedisSettings:
    """Which Redis every part of a process uses, and the prefix of our keys.

    `embedded` is True when nothing names a Redis: the target is then the embedded
    server that `socialcare run` (or a console command) starts itself.
    """

    target: RedisTarget = RedisTarget("127.0.0.1", EMBEDDED_REDIS_PORT)
    key_prefix: str = DEFAULT_PREFIX
    embedded: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "RedisSettings":
        """REDIS_URL; else REDIS_HOST/PORT/DB/PASSWORD; else 127.0.0.1:EMBEDDED_REDIS_PORT.
        Keys under REDIS_KEY_PREFIX. SettingsError on an unusable value."""
        prefix = redis_key_prefix(env)
        url = env_text(env, "REDIS_URL")
        if url:
            return cls(parse_redis_url(url), prefix, embedded=False)
        if any(env_text(env, name) for name in REDIS_PARTS):
            target = RedisTarget(
                env_text(env, "REDIS_HOST", "127.0.0.1"),
                env_int(env, "REDIS_PORT", 6379, minimum=1),
                env_int(env, "REDIS_DB", 0, minimum=0),
                env.get("REDIS_PASSWORD") or "",
            )
            return cls(target, prefix, embedded=False)
        port = env_int(env, "EMBEDDED_REDIS_PORT", EMBEDDED_REDIS_PORT, minimum=1)
        return cls(RedisTarget("127.0.0.1", port), prefix, embedded=True)


@dataclass(frozen=True)
class SharedEnv:
    """The variables every socialcare process reads the same way."""

    data_dir: Path
    redis: RedisSettings
    log_level: str
    redis_server_bin: Optional[str] = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "SharedEnv":
        """SOCIALCARE_DATA_DIR, the Redis variables (see `RedisSettings`), LOG_LEVEL and
        REDIS_SERVER_BIN (the embedded server's binary); SettingsError on an unusable value."""
        return cls(
            data_dir=Path(env.get("SOCIALCARE_DATA_DIR") or PROJECT_ROOT / "var"),
            redis=RedisSettings.from_env(env),
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
            redis_server_bin=env_text(env, "REDIS_SERVER_BIN") or None,
        )
