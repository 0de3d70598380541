"""X (Twitter) channel settings from an environment mapping (pure; secrets kept out of ``repr``).

Required: ``TWITTER_CONSUMER_KEY``, ``TWITTER_CONSUMER_SECRET``, ``TWITTER_ACCESS_TOKEN``,
``TWITTER_ACCESS_TOKEN_SECRET``, ``TWITTER_USER_ID`` (the brand account's numeric id).
Optional: ``TWITTER_API_URL`` (default ``https://api.x.com``). When any required value
is missing the channel is off and ``missing`` names what is absent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from core.settings import env_text

__all__ = ["XSettings", "REQUIRED", "DEFAULT_API_URL", "missing"]

DEFAULT_API_URL = "https://api.x.com"
REQUIRED = (
    "TWITTER_CONSUMER_KEY",
    "TWITTER_CONSUMER_SECRET",
    "TWITTER_ACCESS_TOKEN",
    "TWITTER_ACCESS_TOKEN_SECRET",
    "TWITTER_USER_ID",
)


def missing(env: Mapping[str, str]) -> list[str]:
    """Names of required variables that are unset or blank."""
    absent = [name for name in REQUIRED if not env_text(env, name)]
    user_id = env_text(env, "TWITTER_USER_ID")
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
    def from_env(cls, env: Mapping[str, str]) -> "XSettings | None":
        """The channel's settings from `env`; None when a required variable is missing."""
        if missing(env):
            return None
        return cls(
            consumer_key=env_text(env, "TWITTER_CONSUMER_KEY"),
            consumer_secret=env_text(env, "TWITTER_CONSUMER_SECRET"),
            access_token=env_text(env, "TWITTER_ACCESS_TOKEN"),
            access_token_secret=env_text(env, "TWITTER_ACCESS_TOKEN_SECRET"),
            user_id=env_text(env, "TWITTER_USER_ID"),
            api_url=(env_text(env, "TWITTER_API_URL") or DEFAULT_API_URL).rstrip("/"),
        )
