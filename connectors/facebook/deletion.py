"""Meta's data-deletion callback (pure): verify the ``signed_request``, shape the answer.

Meta POSTs ``application/x-www-form-urlencoded`` with one field ``signed_request``:
``<base64url signature>.<base64url JSON payload>``, where the signature is the
HMAC-SHA256 of the *encoded* payload (the part after the dot, as sent) under the app
secret, and the payload holds ``algorithm`` (``HMAC-SHA256``), ``user_id`` (the
app-scoped id, which is the Messenger PSID we key the customer by), ``issued_at`` ...
The app answers ``{"url": <status page>, "confirmation_code": <code>}``.

Everything fails closed: no app secret (``ConfigurationError``), a missing, oversized,
malformed or wrongly signed request, another algorithm or no user id
(``VerificationError``: answer 403). The comparison is constant time.

The channel (`connectors.facebook.channel`) records the request with
`connectors.intake.erasures.ErasureRequests` and answers; a higher layer carries it out.
"""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Mapping
from urllib.parse import quote

from connectors.security import ConfigurationError, VerificationError, constant_time_equals, hmac_sha256
from core.settings import env_text

__all__ = ["parse_signed_request", "status_url", "sign_request", "ALGORITHM", "MAX_SIGNED_REQUEST",
           "deletion_status_base"]

ALGORITHM = "HMAC-SHA256"
MAX_SIGNED_REQUEST = 8192


def _b64url(text: str) -> bytes:
    if not text or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=" for c in text):
        raise VerificationError("signed_request is not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise VerificationError("signed_request is not base64url") from None


def parse_signed_request(signed_request: Any, app_secret: str) -> str:
    """The verified ``user_id`` of a ``signed_request``; raises VerificationError
    (or ConfigurationError without an app secret). See the module docstring."""
    if not app_secret:
        raise ConfigurationError("app secret is not configured")
    if not isinstance(signed_request, str) or not signed_request or len(signed_request) > MAX_SIGNED_REQUEST:
        raise VerificationError("signed_request missing or too long")
    parts = signed_request.split(".")
    if len(parts) != 2:
        raise VerificationError("signed_request must be signature.payload")
    encoded_signature, encoded_payload = parts
    signature = _b64url(encoded_signature)
    expected = hmac_sha256(app_secret, encoded_payload.encode("ascii"))
    if not constant_time_equals(signature, expected):
        raise VerificationError("signed_request signature does not match")
    try:
        payload = json.loads(_b64url(encoded_payload).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise VerificationError("signed_request payload is not JSON") from None
    if not isinstance(payload, dict) or str(payload.get("algorithm", "")).upper() != ALGORITHM:
        raise VerificationError("signed_request algorithm is not HMAC-SHA256")
    user_id = payload.get("user_id")
    if isinstance(user_id, bool) or not isinstance(user_id, (str, int)) or not str(user_id).strip():
        raise VerificationError("signed_request has no user_id")
    user = str(user_id).strip()
    if len(user) > 128 or any(c.isspace() for c in user):
        raise VerificationError("signed_request user_id is malformed")
    return user


def deletion_status_base(env: Mapping[str, str]) -> str:
    """``FACEBOOK_DELETION_STATUS_URL``: the public URL of the status page (what Meta
    shows the person); empty: derived from the callback request's host."""
    return env_text(env, "FACEBOOK_DELETION_STATUS_URL").rstrip("?&")


def status_url(base: str, code: str) -> str:
    """The status page URL of the request with confirmation ``code``."""
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}code={quote(code, safe='')}"


def sign_request(payload: Mapping[str, Any], app_secret: str) -> str:
    """A ``signed_request`` the way Meta builds it (tests and the sandbox)."""
    raw = json.dumps(dict(payload), separators=(",", ":")).encode("utf-8")
    encoded = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
    signature = base64.urlsafe_b64encode(hmac_sha256(app_secret, encoded.encode("ascii"))).rstrip(b"=").decode("ascii")
    return f"{signature}.{encoded}"
