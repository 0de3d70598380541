"""X (Twitter) channel settings from the environment (pure; secrets kept out of ``repr``).

Required: ``TWITTER_CONSUMER_KEY``, ``TWITTER_CONSUMER_SECRET``, ``TWITTER_ACCESS_TOKEN``,
``TWITTER_ACCESS_TOKEN_SECRET``, ``TWITTER_USER_ID`` (the brand account's numeric id).
Optional: ``TWITTER_API_URL`` (default ``https://api.x.com``). When any required value
is missing the channel is off and ``missing`` names what is absent.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

__all__ = ["XSettings", "REQUIRED", "DEFAULT_API_URL", "missing"]

DEFAULT_API_URL = "https://api.x.com"
REQUIRED = (
    "TWITTER_CONSUMER_KEY",
    "TWITTER_CONSUMER_SECRET",
    "TWITTER_ACCESS_TOKEN",
    "TWITTER_ACCESS_TOKEN_SECRET",
    "TWITTER_USER_ID",
)


def _value(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def missing(env: Mapping[str, str] | None = None) -> list[str]:
    """Names of required variables that are unset or blank."""
    env = os.environ if env is None else env
    absent = [name for name in REQUIRED if not _value(env, name)]
    user_id = _value(env, "TWITTER_USER_ID")
    if user_id and not user_id.isdigit():
        absent.append("TWITTER_USER_ID (must be the numeric account id)")
    return absent


@dataclass(frozen=True)
class XSettings:
    """What the X channel needs; ``from_env`` gives ``None`` when it is off."""

    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)
    user_id: str = ""
    api_url: str = DEFAULT_API_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "XSettings | None":
        env = os.environ if env is None else env
        if missing(env):
            return None
        return cls(
            consumer_key=_value(env, "TWITTER_CONSUMER_KEY"),
            consumer_secret=_value(env, "TWITTER_CONSUMER_SECRET"),
            access_token=_value(env, "TWITTER_ACCESS_TOKEN"),
            access_token_secret=_value(env, "TWITTER_ACCESS_TOKEN_SECRET"),
            user_id=_value(env, "TWITTER_USER_ID"),
            api_url=(_value(env, "TWITTER_API_URL") or DEFAULT_API_URL).rstrip("/"),
        )
