"""Shared webhook security helpers: HMAC-SHA256, constant-time compare, typed errors.

Pure standard library; no framework imports. Error messages never contain a secret, a
computed digest or the request body, so an HTTP layer may log ``str(error)`` safely.

How an HTTP layer should map the errors:

* ``SignatureError``      -> 401 (missing, malformed or wrong signature; do not parse)
* ``VerificationError``   -> 403 (subscription/CRC handshake refused)
* ``MalformedPayload``    -> 400 (signed body that is not the documented structure)
* ``UnsupportedObject``   -> 200 and drop, or 400: a signed webhook for an object we
  do not subscribe to (the platform would only retry it)
* ``ConfigurationError``  -> 500 at start-up; a secret is missing, so fail closed
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

__all__ = [
    "ConnectorError",
    "ConfigurationError",
    "SignatureError",
    "VerificationError",
    "MalformedPayload",
    "UnsupportedObject",
    "hmac_sha256",
    "constant_time_equals",
    "split_signature_header",
    "verify_hex_signature",
    "verify_base64_signature",
]


class ConnectorError(Exception):
    """Base class of every error raised by the connector core."""


class ConfigurationError(ConnectorError):
    """A secret or token needed to verify requests is not configured."""


class SignatureError(ConnectorError):
    """A request signature is missing, malformed or does not match the body."""


class VerificationError(ConnectorError):
    """A webhook subscription handshake (Meta verify / X CRC) is refused."""


class MalformedPayload(ConnectorError):
    """A webhook body does not have the documented structure.

    ``path`` names the offending location, for example ``entry[0].messaging[2].sender.id``.
    """

    def __init__(self, path: str, problem: str = "missing or of the wrong type") -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"malformed payload at {path}: {problem}")


class UnsupportedObject(ConnectorError):
    """A webhook for an object type this connector does not handle (e.g. not ``page``)."""

    def __init__(self, object_type: object) -> None:
        self.object_type = object_type if isinstance(object_type, str) else None
        shown = repr(object_type)[:40]
        super().__init__(f"unsupported webhook object {shown}")


def _to_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def hmac_sha256(key: str | bytes, message: str | bytes) -> bytes:
    """Raw HMAC-SHA256 digest of ``message`` keyed with ``key`` (str is UTF-8 encoded).

    Raises ``ConfigurationError`` for an empty key: an empty secret would let anyone
    forge signatures, so verification fails closed instead.
    """
    key_bytes = _to_bytes(key) if key is not None else b""
    if not key_bytes:
        raise ConfigurationError("signing secret is not configured")
    return hmac.new(key_bytes, _to_bytes(message), hashlib.sha256).digest()


def constant_time_equals(left: str | bytes, right: str | bytes) -> bool:
    """Compare two values in constant time (``hmac.compare_digest`` on bytes)."""
    return hmac.compare_digest(_to_bytes(left), _to_bytes(right))


def split_signature_header(header: str | bytes | None, prefix: str = "sha256=") -> str:
    """Return the signature text after ``prefix`` or raise ``SignatureError``.

    The algorithm is fixed by the prefix: a header naming another algorithm (``sha1=``)
    is refused rather than downgraded.
    """
    if header is None:
        raise SignatureError("signature header missing")
    if isinstance(header, bytes):
        try:
            header = header.decode("ascii")
        except UnicodeDecodeError:
            raise SignatureError("signature header is not ASCII") from None
    value = header.strip()
    if not value:
        raise SignatureError("signature header empty")
    if not value.startswith(prefix):
        raise SignatureError(f"signature header does not start with {prefix!r}")
    signature = value[len(prefix):]
    if not signature:
        raise SignatureError("signature header has no digest")
    return signature


_HEX = frozenset("0123456789abcdefABCDEF")


def verify_hex_signature(secret: str | bytes, raw_body: bytes, header: str | bytes | None) -> None:
    """Check ``header == "sha256=" + hex(HMAC-SHA256(secret, raw_body))`` in constant time.

    Used by Meta's ``X-Hub-Signature-256``. Raises ``SignatureError`` when the header is
    missing, not ``sha256=<64 hex digits>``, or does not match.
    """
    signature = split_signature_header(header, "sha256=")
    if len(signature) != 64 or not set(signature) <= _HEX:
        raise SignatureError("signature is not 64 hex digits")
    expected = hmac_sha256(secret, raw_body).hex()
    if not constant_time_equals(expected, signature.lower()):
        raise SignatureError("signature does not match body")


def verify_base64_signature(secret: str | bytes, raw_body: bytes, header: str | bytes | None) -> None:
    """Check ``header == "sha256=" + base64(HMAC-SHA256(secret, raw_body))`` in constant time.

    Used by X's ``x-twitter-webhooks-signature``. Raises ``SignatureError`` when the header
    is missing, not strict base64 of a 32-byte digest, or does not match.
    """
    signature = split_signature_header(header, "sha256=")
    try:
        provided = base64.b64decode(signature.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise SignatureError("signature is not valid base64") from None
    if len(provided) != hashlib.sha256().digest_size:
        raise SignatureError("signature has the wrong length")
    if not constant_time_equals(hmac_sha256(secret, raw_body), provided):
        raise SignatureError("signature does not match body")
