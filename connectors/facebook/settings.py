"""Messenger channel settings from an environment mapping (pure; secrets kept out of ``repr``).

Required: ``FACEBOOK_APP_SECRET``, ``FACEBOOK_VERIFY_TOKEN``, ``FACEBOOK_PAGE_ACCESS_TOKEN``.
Optional: ``FACEBOOK_PAGE_ID`` (when set, entries for another Page are ignored) and
``FACEBOOK_GRAPH_URL`` (default Graph API v21.0). When none of the required variables is
set the channel is off; when only some are, it is off too and ``missing`` names the rest.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from core.settings import env_text

__all__ = ["MessengerSettings", "REQUIRED", "DEFAULT_GRAPH_URL", "missing"]

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"
REQUIRED = ("FACEBOOK_APP_SECRET", "FACEBOOK_VERIFY_TOKEN", "FACEBOOK_PAGE_ACCESS_TOKEN")


def missing(env: Mapping[str, str]) -> list[str]:
    """Names of required variables that are unset or blank."""
    return [name for name in REQUIRED if not env_text(env, name)]


@dataclass(frozen=True)
class MessengerSettings:
    """What the Messenger channel needs; ``from_env`` gives ``None`` when it is off."""

    app_secret: str = field(repr=False)
    verify_token: str = field(repr=False)
    page_access_token: str = field(repr=False)
    page_id: str | None = None
    graph_url: str = DEFAULT_GRAPH_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "MessengerSettings | None":
        """The channel's settings from `env`; None when a required variable is missing."""
        if missing(env):
            return None
        return cls(
            app_secret=env_text(env, "FACEBOOK_APP_SECRET"),
            verify_token=env_text(env, "FACEBOOK_VERIFY_TOKEN"),
            page_access_token=env_text(env, "FACEBOOK_PAGE_ACCESS_TOKEN"),
            page_id=env_text(env, "FACEBOOK_PAGE_ID") or None,
            graph_url=(env_text(env, "FACEBOOK_GRAPH_URL") or DEFAULT_GRAPH_URL).rstrip("/"),
        )
