"""Whether `socialcare run` starts the platform sandbox, and the environment it shares
with the Rasa server (pure: no I/O; the secrets are random per start).

``SANDBOX=auto`` (default) starts it when none of the platform credentials
(``FACEBOOK_APP_SECRET``, ``FACEBOOK_VERIFY_TOKEN``, ``FACEBOOK_PAGE_ACCESS_TOKEN``,
``TWITTER_CONSUMER_KEY``, ``TWITTER_CONSUMER_SECRET``, ``TWITTER_ACCESS_TOKEN``,
``TWITTER_ACCESS_TOKEN_SECRET``, ``TWITTER_USER_ID``) is set; ``SANDBOX=1`` always,
``SANDBOX=0`` never. When it runs, both the sandbox and Rasa get the same generated
secrets, and Rasa's ``FACEBOOK_GRAPH_URL`` / ``TWITTER_API_URL`` point at the sandbox.
"""
from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Mapping

from core.settings import SettingsError

__all__ = ["SandboxPlan", "CREDENTIAL_VARS", "PAGE_ID", "BRAND_USER_ID", "GRAPH_VERSION"]

CREDENTIAL_VARS = (
    "FACEBOOK_APP_SECRET", "FACEBOOK_VERIFY_TOKEN", "FACEBOOK_PAGE_ACCESS_TOKEN",
    "TWITTER_CONSUMER_KEY", "TWITTER_CONSUMER_SECRET", "TWITTER_ACCESS_TOKEN",
    "TWITTER_ACCESS_TOKEN_SECRET", "TWITTER_USER_ID",
)
PAGE_ID = "100000000000001"
BRAND_USER_ID = "1000000000000000001"
GRAPH_VERSION = "v21.0"


def _secret() -> str:
    return "sbx-" + secrets.token_urlsafe(18)


@dataclass(frozen=True)
class SandboxPlan:
    """``enabled``: start the sandbox on 127.0.0.1:``port`` for the Rasa on ``rasa_port``."""

    enabled: bool
    port: int = 5006
    rasa_port: int = 5005
    secrets: Dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_env(cls, rasa_port: int, env: Mapping[str, str]) -> "SandboxPlan":
        """Decide from ``SANDBOX`` and the credentials in ``env``."""
        mode = (env.get("SANDBOX") or "auto").strip().lower()
        if mode not in ("auto", "0", "1", "off", "on", "false", "true"):
            raise SettingsError("SANDBOX must be auto, 1 or 0")
        if mode == "auto":
            enabled = not any((env.get(name) or "").strip() for name in CREDENTIAL_VARS)
        else:
            enabled = mode in ("1", "on", "true")
        raw_port = (env.get("SANDBOX_PORT") or "5006").strip()
        if not raw_port.isdigit():
            raise SettingsError("SANDBOX_PORT must be a port number")
        return cls.on(int(raw_port), rasa_port) if enabled else cls(False, int(raw_port), rasa_port)

    @classmethod
    def on(cls, port: int, rasa_port: int) -> "SandboxPlan":
        """An enabled plan with fresh random secrets."""
        names = ("FACEBOOK_APP_SECRET", "FACEBOOK_VERIFY_TOKEN", "FACEBOOK_PAGE_ACCESS_TOKEN",
                 "TWITTER_CONSUMER_KEY", "TWITTER_CONSUMER_SECRET", "TWITTER_ACCESS_TOKEN",
                 "TWITTER_ACCESS_TOKEN_SECRET")
        return cls(True, port, rasa_port, {name: _secret() for name in names})

    @classmethod
    def off(cls) -> "SandboxPlan":
        """No sandbox."""
        return cls(False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> Dict[str, str]:
        """Variables for Rasa and the sandbox alike (empty when disabled)."""
        if not self.enabled:
            return {}
        return {
            **self.secrets,
            "FACEBOOK_PAGE_ID": PAGE_ID,
            "FACEBOOK_GRAPH_URL": f"{self.url}/{GRAPH_VERSION}",
            "TWITTER_USER_ID": BRAND_USER_ID,
            "TWITTER_API_URL": self.url,
            "SANDBOX_HOST": "127.0.0.1",
            "SANDBOX_PORT": str(self.port),
            "SANDBOX_RASA_URL": f"http://127.0.0.1:{self.rasa_port}",
        }

    def argv(self) -> List[str]:
        """Command line of the sandbox process."""
        return [sys.executable, "-m", "sandbox"]

    @property
    def health_url(self) -> str:
        return f"{self.url}/sandbox/api/health"
