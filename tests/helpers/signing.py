"""Sign webhook bodies the way the platforms do, for tests and the local sandbox.

Independent of ``connectors.security`` on purpose: a test that signs with the code under
test would pass even if both were wrong.
"""
from __future__ import annotations

import base64
import hashlib
import hmac


def _key(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def sign_messenger(secret: str | bytes, body_bytes: bytes) -> str:
    """``X-Hub-Signature-256`` value: ``sha256=`` + lowercase hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(_key(secret), body_bytes, hashlib.sha256).hexdigest()


def sign_twitter(secret: str | bytes, body_bytes: bytes) -> str:
    """``x-twitter-webhooks-signature`` value: ``sha256=`` + base64 HMAC-SHA256 of the body."""
    digest = hmac.new(_key(secret), body_bytes, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode("ascii")
