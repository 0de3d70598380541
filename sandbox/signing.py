"""Webhook signatures the way the platforms compute them (standard library only).

Kept apart from ``connectors.security`` on purpose: the sandbox plays the platform, so a
bug shared by both sides would go unnoticed.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ["messenger_headers", "twitter_headers", "crc_response_token"]


def _mac(secret: str, body: bytes, digest=hashlib.sha256) -> hmac.HMAC:
    return hmac.new(secret.encode("utf-8"), body, digest)


def messenger_headers(app_secret: str, body: bytes) -> dict[str, str]:
    """``X-Hub-Signature-256`` (hex SHA-256) and the legacy ``X-Hub-Signature`` (hex SHA-1),
    both over the raw body, as Meta sends them."""
    return {
        "X-Hub-Signature-256": "sha256=" + _mac(app_secret, body).hexdigest(),
        "X-Hub-Signature": "sha1=" + _mac(app_secret, body, hashlib.sha1).hexdigest(),
    }


def twitter_headers(consumer_secret: str, body: bytes) -> dict[str, str]:
    """``x-twitter-webhooks-signature``: ``sha256=`` + base64 HMAC-SHA256 of the raw body."""
    digest = _mac(consumer_secret, body).digest()
    return {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode("ascii")}


def crc_response_token(consumer_secret: str, crc_token: str) -> str:
    """The ``response_token`` X expects for a CRC challenge."""
    digest = _mac(consumer_secret, crc_token.encode("utf-8")).digest()
    return "sha256=" + base64.b64encode(digest).decode("ascii")
