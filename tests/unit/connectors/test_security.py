"""Shared HMAC helpers, constant-time compare, header splitting and typed errors."""
import base64
import hashlib
import hmac

import pytest

from connectors.security import (
    ConfigurationError,
    ConnectorError,
    MalformedPayload,
    SignatureError,
    UnsupportedObject,
    VerificationError,
    constant_time_equals,
    hmac_sha256,
    split_signature_header,
    verify_base64_signature,
    verify_hex_signature,
)

SECRET = "unit-test-secret"
BODY = b'{"hello":"world"}'


def test_hmac_sha256_matches_stdlib():
    assert hmac_sha256(SECRET, BODY) == hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()
    assert hmac_sha256(SECRET.encode(), BODY.decode()) == hmac_sha256(SECRET, BODY)


@pytest.mark.parametrize("secret", ["", b"", None])
def test_empty_secret_fails_closed(secret):
    with pytest.raises(ConfigurationError):
        hmac_sha256(secret, BODY)
    with pytest.raises(ConfigurationError):
        verify_hex_signature(secret, BODY, "sha256=" + "0" * 64)


def test_constant_time_equals():
    assert constant_time_equals("abc", b"abc")
    assert not constant_time_equals("abc", "abd")
    assert not constant_time_equals("abc", "abcd")
    assert constant_time_equals("é", "é")  # non-ASCII str compared as bytes, no TypeError


@pytest.mark.parametrize(
    "header, message",
    [
        (None, "missing"),
        ("", "empty"),
        ("   ", "empty"),
        ("sha1=abcdef", "does not start"),
        ("SHA256=abc", "does not start"),
        ("sha256=", "no digest"),
        (b"\xffsha256=abc", "not ASCII"),
    ],
)
def test_split_signature_header_rejects(header, message):
    with pytest.raises(SignatureError, match=message):
        split_signature_header(header)


def test_split_signature_header_strips_whitespace_and_accepts_bytes():
    assert split_signature_header("  sha256=abc \r\n") == "abc"
    assert split_signature_header(b"sha256=abc") == "abc"


def test_hex_signature_round_trip_and_uppercase_hex():
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    verify_hex_signature(SECRET, BODY, "sha256=" + digest)
    verify_hex_signature(SECRET, BODY, "sha256=" + digest.upper())


def test_base64_signature_round_trip():
    digest = base64.b64encode(hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()).decode()
    verify_base64_signature(SECRET, BODY, "sha256=" + digest)


def test_base64_signature_rejects_short_digest():
    short = base64.b64encode(b"\x00" * 20).decode()
    with pytest.raises(SignatureError, match="wrong length"):
        verify_base64_signature(SECRET, BODY, "sha256=" + short)


def test_error_messages_never_contain_secret_or_digest():
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    wrong = "sha256=" + "a" * 64
    with pytest.raises(SignatureError) as caught:
        verify_hex_signature(SECRET, BODY, wrong)
    text = str(caught.value)
    assert SECRET not in text and digest not in text and "a" * 64 not in text


def test_error_hierarchy_and_attributes():
    for cls in (ConfigurationError, SignatureError, VerificationError, MalformedPayload, UnsupportedObject):
        assert issubclass(cls, ConnectorError)
    err = MalformedPayload("entry[0].messaging[1].sender")
    assert err.path == "entry[0].messaging[1].sender"
    assert "entry[0].messaging[1].sender" in str(err)
    assert UnsupportedObject("instagram").object_type == "instagram"
    assert UnsupportedObject({"x": 1}).object_type is None
