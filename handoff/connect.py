"""The handoff's settings from an environment mapping, and the TicketStore they open.

Redis: `core.settings.RedisSettings` (``REDIS_URL``; else ``REDIS_HOST``/``REDIS_PORT``/
``REDIS_DB``/``REDIS_PASSWORD``, what `socialcare run` gives every child; else the
embedded server on 127.0.0.1:``EMBEDDED_REDIS_PORT``), keys under ``REDIS_KEY_PREFIX``:
the same Redis as Rasa's tracker store. The relay: Rasa's HTTP API and the platforms'
credentials (`RelaySettings`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from connectors.facebook.settings import MessengerSettings
from connectors.twitter.settings import XSettings
from core.settings import RedisSettings, SharedEnv, env_int, env_text
from handoff.store import TicketStore


@dataclass(frozen=True)
class RelaySettings:
    """What `handoff.relay.Relay` needs: Rasa's HTTP API (url, token, or the file the
    supervisor keeps it in), the platform credentials (None: that channel is off) and
    the Redis of its own store when the caller gives none."""

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = field(default="", repr=False)
    token_file: Optional[Path] = None
    messenger: Optional[MessengerSettings] = None
    x: Optional[XSettings] = None
    redis: RedisSettings = field(default_factory=RedisSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "RelaySettings":
        """RASA_URL (else 127.0.0.1:RASA_PORT), RASA_TOKEN (else the data dir's
        ``rasa_token``), FACEBOOK_* and TWITTER_*, the Redis variables."""
        shared = SharedEnv.from_env(env)
        rasa_url = env_text(env, "RASA_URL") or f"http://127.0.0.1:{env_int(env, 'RASA_PORT', 5005)}"
        return cls(
            rasa_url=rasa_url,
            rasa_token=env_text(env, "RASA_TOKEN"),
            token_file=shared.data_dir / "rasa_token",
            messenger=MessengerSettings.from_env(env),
            x=XSettings.from_env(env),
            redis=shared.redis,
        )


def open_store(redis: RedisSettings, *, timeout: float = 3.0) -> TicketStore:
    """A TicketStore on its own client (close it with `await store.close()`)."""
    return TicketStore.from_url(redis.target.url, redis.key_prefix, timeout=timeout)


def store_from_env(env: Optional[Mapping[str, str]] = None, *, timeout: float = 3.0) -> TicketStore:
    """A TicketStore on the Redis named by `env` (close it with `await store.close()`).

    Without `env` the process environment is read: the caller is the action server's
    handoff action, whose process entry point is Rasa's (it builds no settings of ours).
    """
    return open_store(RedisSettings.from_env(os.environ if env is None else env), timeout=timeout)
