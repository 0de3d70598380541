"""Sandbox settings from the environment (pure; secrets kept out of ``repr``).

The sandbox plays the platforms, so it uses the same secrets as the Rasa channels
(``FACEBOOK_APP_SECRET``, ``FACEBOOK_VERIFY_TOKEN``, ``FACEBOOK_PAGE_ACCESS_TOKEN``,
``FACEBOOK_PAGE_ID``, ``TWITTER_CONSUMER_KEY``, ``TWITTER_CONSUMER_SECRET``,
``TWITTER_ACCESS_TOKEN``, ``TWITTER_ACCESS_TOKEN_SECRET``, ``TWITTER_USER_ID``); ``socialcare
run`` generates them for both. Its own variables: ``SANDBOX_HOST`` (127.0.0.1),
``SANDBOX_PORT`` (5006), ``SANDBOX_RASA_URL`` (http://127.0.0.1:5005),
``SANDBOX_LATENCY_MS`` (0: added to every outbound answer), ``SANDBOX_WEBHOOK_TIMEOUT_S``
(10), ``SANDBOX_WEBHOOK_RETRIES`` (3 retries after the first try),
``SANDBOX_BRAND_HANDLE`` (AuroraAir).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from core.settings import SettingsError, env_text

__all__ = ["SandboxSettings", "SandboxSettingsError", "GRAPH_VERSION"]

GRAPH_VERSION = "v21.0"


class SandboxSettingsError(SettingsError):
    """A sandbox variable is missing or unusable (the name is in the message)."""


def _get(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env_text(env, name, default)


def _number(env: Mapping[str, str], name: str, default: float, minimum: float = 0) -> float:
    raw = _get(env, name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SandboxSettingsError(f"{name} must be a number") from None
    if value < minimum:
        raise SandboxSettingsError(f"{name} must be at least {minimum}")
    return value


@dataclass(frozen=True)
class SandboxSettings:
    """Where the sandbox listens, where Rasa is, and the platform secrets it plays with."""

    app_secret: str = field(repr=False)
    verify_token: str = field(repr=False)
    page_access_token: str = field(repr=False)
    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)
    page_id: str = "100000000000001"
    brand_user_id: str = "1000000000000000001"
    brand_handle: str = "AuroraAir"
    host: str = "127.0.0.1"
    port: int = 5006
    rasa_url: str = "http://127.0.0.1:5005"
    latency_ms: float = 0.0
    webhook_timeout_s: float = 10.0
    webhook_retries: int = 3

    @property
    def url(self) -> str:
        """Base URL of the sandbox."""
        return f"http://{self.host}:{self.port}"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "SandboxSettings":
        """Read every setting of `env`; ``SandboxSettingsError`` names a missing secret."""
        names = ("FACEBOOK_APP_SECRET", "FACEBOOK_VERIFY_TOKEN", "FACEBOOK_PAGE_ACCESS_TOKEN",
                 "TWITTER_CONSUMER_KEY", "TWITTER_CONSUMER_SECRET", "TWITTER_ACCESS_TOKEN",
                 "TWITTER_ACCESS_TOKEN_SECRET")
        absent = [name for name in names if not _get(env, name)]
        if absent:
            raise SandboxSettingsError("missing: " + ", ".join(absent))
        brand = _get(env, "TWITTER_USER_ID", cls.brand_user_id)
        if not brand.isdigit():
            raise SandboxSettingsError("TWITTER_USER_ID must be numeric")
        return cls(
            app_secret=_get(env, "FACEBOOK_APP_SECRET"),
            verify_token=_get(env, "FACEBOOK_VERIFY_TOKEN"),
            page_access_token=_get(env, "FACEBOOK_PAGE_ACCESS_TOKEN"),
            consumer_key=_get(env, "TWITTER_CONSUMER_KEY"),
            consumer_secret=_get(env, "TWITTER_CONSUMER_SECRET"),
            access_token=_get(env, "TWITTER_ACCESS_TOKEN"),
            access_token_secret=_get(env, "TWITTER_ACCESS_TOKEN_SECRET"),
            page_id=_get(env, "FACEBOOK_PAGE_ID", cls.page_id),
            brand_user_id=brand,
            brand_handle=_get(env, "SANDBOX_BRAND_HANDLE", cls.brand_handle),
            host=_get(env, "SANDBOX_HOST", cls.host),
            port=int(_number(env, "SANDBOX_PORT", cls.port, 1)),
            rasa_url=_get(env, "SANDBOX_RASA_URL", cls.rasa_url).rstrip("/"),
            latency_ms=_number(env, "SANDBOX_LATENCY_MS", 0.0),
            webhook_timeout_s=_number(env, "SANDBOX_WEBHOOK_TIMEOUT_S", 10.0, 0.1),
            webhook_retries=int(_number(env, "SANDBOX_WEBHOOK_RETRIES", 3)),
        )
