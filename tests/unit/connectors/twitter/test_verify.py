"""X CRC response and x-twitter-webhooks-signature verification."""
import base64

import pytest

from connectors.security import ConfigurationError, SignatureError, VerificationError
from connectors.twitter import SIGNATURE_HEADER, crc_response, verify_signature
from tests.helpers.fixtures import fixture_bytes
from tests.helpers.signing import sign_twitter

SECRET = "kL9xQ2vB7nM4pR8tW1yZ5cF3hJ6gD0sA"


def test_header_name():
    assert SIGNATURE_HEADER == "x-twitter-webhooks-signature"


def test_crc_vector_from_platforms_md():
    # platforms.md A.2: inputs from the X DevRel CRC gist.
    assert crc_response(
        "z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu", "9b4507b3-9040-4669-9ca3-6b94edb50553"
    ) == {"response_token": "sha256=Cytd4Sq+NvEcV3MMrXxWJGJx5A+y/lXzzU2Maartkx8="}


@pytest.mark.parametrize("token", [None, "", "x" * 1025, 12345])
def test_crc_refuses_bad_tokens(token):
    with pytest.raises(VerificationError):
        crc_response(SECRET, token)


def test_crc_without_secret_fails_closed():
    with pytest.raises(ConfigurationError):
        crc_response("", "token")


@pytest.mark.parametrize(
    "body, header",
    [
        # platforms.md A.3: xdevplatform/autohook test/signature.js, consumer secret "test".
        (b'{"test_number":1,"test_string":"two"}', "sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI="),
        (b"test=1&other_test=2", "sha256=25Cu3iwbbiqBTwQRzcKJZwisjf736V2Q8UaTlkfLSoc="),
    ],
)
def test_published_signature_vectors(body, header):
    verify_signature("test", body, header)
    assert sign_twitter("test", body) == header


def test_own_fixture_signed_by_helper_verifies():
    raw = fixture_bytes("twitter", "dm")
    verify_signature(SECRET, raw, sign_twitter(SECRET, raw))


def test_signed_crc_get_query_string_verifies():
    query = b"crc_token=abc123&nonce=n-42"
    verify_signature(SECRET, query, sign_twitter(SECRET, query))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI=",  # no prefix
        "sha1=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI=",
        "sha256=not base64!!",
        "sha256=YWHphPn_JFq43jkF0y4_w8R_SelmLjvpunhVFY8JhlI=",  # urlsafe alphabet is not accepted
        "sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI",  # missing padding
        "sha256=" + "0" * 64,  # hex instead of base64
        "sha256=" + base64.b64encode(b"\x00" * 32).decode(),  # well formed, wrong digest
    ],
)
def test_bad_headers_raise(header):
    with pytest.raises(SignatureError):
        verify_signature("test", b'{"test_number":1,"test_string":"two"}', header)


def test_body_altered_by_one_byte_raises():
    raw = fixture_bytes("twitter", "mention")
    header = sign_twitter(SECRET, raw)
    altered = bytearray(raw)
    altered[10] ^= 0x20
    with pytest.raises(SignatureError):
        verify_signature(SECRET, bytes(altered), header)


def test_wrong_secret_raises():
    raw = fixture_bytes("twitter", "mention")
    with pytest.raises(SignatureError):
        verify_signature("other", raw, sign_twitter(SECRET, raw))


def test_empty_secret_fails_closed():
    with pytest.raises(ConfigurationError):
        verify_signature("", b"{}", sign_twitter("x", b"{}"))
