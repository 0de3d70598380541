"""Shared rules for Redis key names: our prefix and safe key segments (house rule 8).

Each area (``connectors.intake.keys``, ``handoff.keys``) builds its own key names with
these; no other module writes key strings.
"""
from __future__ import annotations

import hashlib
import re

__all__ = ["DEFAULT_PREFIX", "safe_part", "check_prefix"]

DEFAULT_PREFIX = "socialcare"
_SAFE = re.compile(r"[A-Za-z0-9_.\-]{1,128}")


def safe_part(value: object) -> str:
    """``value`` as one key segment: itself when a plain token, else ``h-<sha256 prefix>``,
    so that no id from outside (``:``, spaces, very long values) can escape its slot."""
    text = str(value)
    if _SAFE.fullmatch(text):
        return text
    return "h-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def check_prefix(prefix: str) -> None:
    """Raise ValueError unless ``prefix`` is letters and digits only."""
    if not prefix or not prefix.isalnum():
        raise ValueError("key prefix must be letters and digits only")
