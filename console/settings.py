"""Console settings, read once from the environment. Secrets never appear in reprs.

Every variable is listed in `.env.example`:

* ``CONSOLE_HOST`` / ``CONSOLE_PORT``: where the console listens (CONSOLE_HOST, else
  SOCIALCARE_BIND_HOST, else 127.0.0.1; port 5080).
* ``CONSOLE_SECRET_KEY``: the Fernet key (32 url-safe base64 bytes) that encrypts and
  signs the session cookie. Unset: a random key is created once in
  ``$SOCIALCARE_DATA_DIR/console_secret_key`` (mode 0600), so sessions survive restarts.
* ``CONSOLE_COOKIE_SECURE``: send the cookie only over HTTPS (default on; browsers treat
  http://127.0.0.1 and http://localhost as secure origins, so the default works locally).
* ``CONSOLE_SESSION_MAX_AGE``: seconds a login lasts (8 hours).
* ``CONSOLE_CANNED``: the YAML file of canned responses.
* Failed-login throttling (console.throttle): ``CONSOLE_LOGIN_MAX_FAILURES`` (5) per
  address and name and ``CONSOLE_LOGIN_ADDRESS_MAX_FAILURES`` (20) per address inside
  ``CONSOLE_LOGIN_WINDOW_SECONDS`` (900); ``CONSOLE_LOGIN_NAME_MAX_FAILURES`` (10) per
  name from all addresses inside ``CONSOLE_LOGIN_NAME_WINDOW_SECONDS`` (60).
* ``REDIS_URL``: the Redis the console shares with Rasa (else ``REDIS_HOST`` and friends,
  else the embedded server's ``EMBEDDED_REDIS_PORT`` on 127.0.0.1: `core.settings`).
  ``REDIS_KEY_PREFIX`` as everywhere else.
* ``RASA_URL``, ``RASA_TOKEN`` and the platform credentials: the relay's
  (`handoff.connect.RelaySettings`).
"""
from __future__ import annotations

import base64
import binascii
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from console.throttle import ThrottleLimits
from core.paths import PROJECT_ROOT
from core.retention import RetentionSettings
from core.settings import RedisSettings, RedisTarget, SettingsError, SharedEnv, bind_host, env_int
from handoff.connect import RelaySettings
from handoff.reconcile import ReconcileSettings

DEFAULT_PORT = 5080
SECRET_FILE = "console_secret_key"


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false")


def check_secret_key(key: str) -> bytes:
    """The 32 raw bytes of a Fernet key given as url-safe base64; SettingsError otherwise."""
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise SettingsError("CONSOLE_SECRET_KEY must be url-safe base64 of 32 bytes") from exc
    if len(raw) != 32:
        raise SettingsError("CONSOLE_SECRET_KEY must be url-safe base64 of 32 bytes")
    return raw


def new_secret_key() -> str:
    """A fresh random Fernet key (url-safe base64 of 32 bytes)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def load_or_create_secret(data_dir: Path) -> str:
    """The key kept in `data_dir` (created with mode 0600 on first use)."""
    path = Path(data_dir) / SECRET_FILE
    if path.exists():
        key = path.read_text().strip()
        check_secret_key(key)
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_secret_key()
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True)
class ConsoleSettings:
    """Everything the console process needs. See the module docstring for each variable."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    secret_key: str = field(default="", repr=False)
    cookie_name: str = "socialcare_console"
    cookie_secure: bool = True
    session_max_age: int = 8 * 3600
    redis: RedisSettings = field(default_factory=RedisSettings)
    redis_timeout: float = 5.0
    redis_server_bin: Optional[str] = None
    data_dir: Path = PROJECT_ROOT / "var"
    canned_path: Path = PROJECT_ROOT / "console" / "canned.yml"
    login_max_failures: int = 5
    login_lockout_seconds: int = 900
    login_address_max_failures: int = 20
    login_name_max_failures: int = 10
    login_name_window_seconds: int = 60
    log_level: str = "INFO"
    relay: RelaySettings = field(default_factory=RelaySettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    reconcile: ReconcileSettings = field(default_factory=ReconcileSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, create_secret: bool = True) -> "ConsoleSettings":
        """Read settings from `env` (the console process's environment).

        Without CONSOLE_SECRET_KEY the key in the data dir is used (created when
        `create_secret`, else SettingsError).
        """
        shared = SharedEnv.from_env(env)
        key = env.get("CONSOLE_SECRET_KEY") or ""
        if key:
            check_secret_key(key)
        elif create_secret:
            key = load_or_create_secret(shared.data_dir)
        else:
            raise SettingsError("CONSOLE_SECRET_KEY is not set")
        max_age = env_int(env, "CONSOLE_SESSION_MAX_AGE", 8 * 3600)
        if max_age <= 0:
            raise SettingsError("CONSOLE_SESSION_MAX_AGE must be positive")
        return cls(
            host=bind_host(env, "CONSOLE_HOST") if env.get("CONSOLE_HOST") else bind_host(env),
            port=env_int(env, "CONSOLE_PORT", DEFAULT_PORT),
            secret_key=key,
            cookie_secure=_bool(env, "CONSOLE_COOKIE_SECURE", True),
            session_max_age=max_age,
            redis=shared.redis,
            redis_server_bin=shared.redis_server_bin,
            data_dir=shared.data_dir,
            canned_path=Path(env.get("CONSOLE_CANNED") or PROJECT_ROOT / "console" / "canned.yml"),
            login_max_failures=env_int(env, "CONSOLE_LOGIN_MAX_FAILURES", 5, minimum=1),
            login_lockout_seconds=env_int(env, "CONSOLE_LOGIN_WINDOW_SECONDS", 900, minimum=1),
            login_address_max_failures=env_int(env, "CONSOLE_LOGIN_ADDRESS_MAX_FAILURES", 20, minimum=1),
            login_name_max_failures=env_int(env, "CONSOLE_LOGIN_NAME_MAX_FAILURES", 10, minimum=1),
            login_name_window_seconds=env_int(env, "CONSOLE_LOGIN_NAME_WINDOW_SECONDS", 60, minimum=1),
            log_level=shared.log_level,
            relay=RelaySettings.from_env(env),
            retention=RetentionSettings.from_env(env),
            reconcile=ReconcileSettings.from_env(env),
        )

    def throttle_limits(self) -> ThrottleLimits:
        """The failed-login limits of console.throttle."""
        return ThrottleLimits(pair_max=self.login_max_failures, address_max=self.login_address_max_failures,
                              window_s=self.login_lockout_seconds, name_max=self.login_name_max_failures,
                              name_window_s=self.login_name_window_seconds)

    def redis_target(self) -> RedisTarget:
        """The Redis to use (see `core.settings.RedisSettings`)."""
        return self.redis.target

    @property
    def url(self) -> str:
        """The console's base URL (what `make run` prints)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"
