"""Messenger X-Hub-Signature-256 check and the hub.challenge subscription handshake."""
import pytest

from connectors.facebook import SIGNATURE_HEADER, verify_signature, verify_subscription
from connectors.security import ConfigurationError, SignatureError, VerificationError
from tests.helpers.fixtures import REFERENCE_PAYLOADS, fixture_bytes
from tests.helpers.signing import sign_messenger

SECRET = "0f9e8d7c6b5a49382716a5b4c3d2e1f0"
# platforms.md B.2: remixz/messenger-bot test vector; the SHA-256 header for that body.
VECTOR_SECRET = "e6af24be1d683c8c911949f897eea1f6"
VECTOR_SHA256 = "sha256=7f202c12ba7dbbd1cb23d8a1b4af648fe22ea04456c0a926fcf8cb4e6da31ab4"


def test_header_name():
    assert SIGNATURE_HEADER == "X-Hub-Signature-256"


@pytest.mark.skipif(not (REFERENCE_PAYLOADS / "messenger_text_message.json").exists(),
                    reason="shared reference payloads not present")
def test_published_vector():
    raw = (REFERENCE_PAYLOADS / "messenger_text_message.json").read_bytes()
    assert len(raw) == 282
    verify_signature(VECTOR_SECRET, raw, VECTOR_SHA256)
    assert sign_messenger(VECTOR_SECRET, raw) == VECTOR_SHA256


def test_own_fixture_signed_by_helper_verifies():
    raw = fixture_bytes("messenger", "text")
    verify_signature(SECRET, raw, sign_messenger(SECRET, raw))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha1=f1a4569dcf02a9829a15696d949b386b7d6d0272",  # legacy header value: refused
        "sha512=" + "0" * 64,
        "sha256=" + "g" * 64,  # not hex
        "sha256=" + "0" * 63,  # too short
        "sha256=" + "0" * 64,  # well formed, wrong digest
    ],
)
def test_bad_headers_raise(header):
    raw = fixture_bytes("messenger", "text")
    with pytest.raises(SignatureError):
        verify_signature(SECRET, raw, header)


def test_wrong_secret_raises():
    raw = fixture_bytes("messenger", "text")
    with pytest.raises(SignatureError):
        verify_signature("another-secret", raw, sign_messenger(SECRET, raw))


def test_body_altered_by_one_byte_raises():
    raw = fixture_bytes("messenger", "text")
    header = sign_messenger(SECRET, raw)
    altered = bytearray(raw)
    altered[len(altered) // 2] ^= 0x01
    with pytest.raises(SignatureError):
        verify_signature(SECRET, bytes(altered), header)
    with pytest.raises(SignatureError):
        verify_signature(SECRET, raw + b" ", header)


def test_reserialised_json_does_not_verify():
    # Meta signs its \\uXXXX-escaped bytes; re-encoding the parsed JSON changes them.
    import json

    raw = fixture_bytes("messenger", "text")
    reencoded = json.dumps(json.loads(raw), ensure_ascii=False).encode("utf-8")
    with pytest.raises(SignatureError):
        verify_signature(SECRET, reencoded, sign_messenger(SECRET, raw))


def test_empty_app_secret_fails_closed():
    raw = fixture_bytes("messenger", "text")
    with pytest.raises(ConfigurationError):
        verify_signature("", raw, sign_messenger("x", raw))


GOOD = {"hub.mode": "subscribe", "hub.verify_token": "meaty-token", "hub.challenge": "1158201444"}


def test_subscription_returns_challenge():
    assert verify_subscription(GOOD, "meaty-token") == "1158201444"


def test_subscription_accepts_single_item_lists():
    params = {k: [v] for k, v in GOOD.items()}
    assert verify_subscription(params, "meaty-token") == "1158201444"


@pytest.mark.parametrize(
    "change",
    [
        {"hub.mode": "unsubscribe"},
        {"hub.mode": None},
        {"hub.verify_token": "wrong-token"},
        {"hub.verify_token": None},
        {"hub.verify_token": ["meaty-token", "meaty-token"]},
        {"hub.challenge": None},
        {"hub.challenge": ""},
        {"hub.challenge": "<script>alert(1)</script>"},
    ],
)
def test_subscription_refusals(change):
    params = {**GOOD, **change}
    params = {k: v for k, v in params.items() if v is not None}
    with pytest.raises(VerificationError):
        verify_subscription(params, "meaty-token")


def test_subscription_without_configured_token_fails_closed():
    with pytest.raises(ConfigurationError):
        verify_subscription({**GOOD, "hub.verify_token": ""}, "")
