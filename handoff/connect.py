"""Open a TicketStore from the environment (the same Redis as Rasa's tracker store).

Order: ``REDIS_URL``; else ``REDIS_HOST``/``REDIS_PORT``/``REDIS_DB``/``REDIS_PASSWORD``
(what `socialcare run` gives every child); else the embedded server on
127.0.0.1:``EMBEDDED_REDIS_PORT``. Keys under ``REDIS_KEY_PREFIX``.
"""
from __future__ import annotations

import os
from typing import Mapping, Optional

from handoff.store import TicketStore
from core.settings import RedisTarget, parse_redis_url


def redis_url_from_env(env: Optional[Mapping[str, str]] = None) -> str:
    """The redis:// URL to use (contains the password when there is one: never log it)."""
    env = os.environ if env is None else env
    if env.get("REDIS_URL"):
        return parse_redis_url(env["REDIS_URL"]).url
    if env.get("REDIS_HOST"):
        return RedisTarget(env["REDIS_HOST"], int(env.get("REDIS_PORT") or 6379), int(env.get("REDIS_DB") or 0),
                           env.get("REDIS_PASSWORD") or "").url
    return RedisTarget("127.0.0.1", int(env.get("EMBEDDED_REDIS_PORT") or 6390)).url


def store_from_env(env: Optional[Mapping[str, str]] = None, *, timeout: float = 3.0) -> TicketStore:
    """A TicketStore on its own client (close it with `await store.close()`)."""
    env = os.environ if env is None else env
    return TicketStore.from_url(redis_url_from_env(env), env.get("REDIS_KEY_PREFIX") or "socialcare",
                                timeout=timeout)
