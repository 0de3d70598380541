"""Messenger channel settings from the environment (pure; secrets kept out of ``repr``).

Required: ``FACEBOOK_APP_SECRET``, ``FACEBOOK_VERIFY_TOKEN``, ``FACEBOOK_PAGE_ACCESS_TOKEN``.
Optional: ``FACEBOOK_PAGE_ID`` (when set, entries for another Page are ignored) and
``FACEBOOK_GRAPH_URL`` (default Graph API v21.0). When none of the required variables is
set the channel is off; when only some are, it is off too and ``missing`` names the rest.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

__all__ = ["MessengerSettings", "REQUIRED", "DEFAULT_GRAPH_URL", "missing"]

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"
REQUIRED = ("FACEBOOK_APP_SECRET", "FACEBOOK_VERIFY_TOKEN", "FACEBOOK_PAGE_ACCESS_TOKEN")


def _value(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def missing(env: Mapping[str, str] | None = None) -> list[str]:
    """Names of required variables that are unset or blank."""
    env = os.environ if env is None else env
    return [name for name in REQUIRED if not _value(env, name)]


@dataclass(frozen=True)
class MessengerSettings:
    """What the Messenger channel needs; ``from_env`` gives ``None`` when it is off."""

    app_secret: str = field(repr=False)
    verify_token: str = field(repr=False)
    page_access_token: str = field(repr=False)
    page_id: str | None = None
    graph_url: str = DEFAULT_GRAPH_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "MessengerSettings | None":
        env = os.environ if env is None else env
        if missing(env):
            return None
        return cls(
            app_secret=_value(env, "FACEBOOK_APP_SECRET"),
            verify_token=_value(env, "FACEBOOK_VERIFY_TOKEN"),
            page_access_token=_value(env, "FACEBOOK_PAGE_ACCESS_TOKEN"),
            page_id=_value(env, "FACEBOOK_PAGE_ID") or None,
            graph_url=(_value(env, "FACEBOOK_GRAPH_URL") or DEFAULT_GRAPH_URL).rstrip("/"),
        )
