"""Meta's data-deletion ``signed_request``: verified with the app secret, failing closed."""
from __future__ import annotations

import base64

import pytest

from connectors.facebook.deletion import MAX_SIGNED_REQUEST, parse_signed_request, sign_request, status_url
from connectors.security import ConfigurationError, VerificationError

SECRET = "app-secret"


def test_a_signed_request_gives_its_user_id():
    assert parse_signed_request(sign_request({"algorithm": "HMAC-SHA256", "user_id": "218471"}, SECRET),
                                SECRET) == "218471"
    assert parse_signed_request(sign_request({"algorithm": "hmac-sha256", "user_id": 218471}, SECRET),
                                SECRET) == "218471"


def test_a_tampered_payload_is_refused():
    signature, _payload = sign_request({"algorithm": "HMAC-SHA256", "user_id": "1"}, SECRET).split(".")
    forged = base64.urlsafe_b64encode(b'{"algorithm":"HMAC-SHA256","user_id":"2"}').rstrip(b"=").decode()
    with pytest.raises(VerificationError):
        parse_signed_request(f"{signature}.{forged}", SECRET)


@pytest.mark.parametrize("value", [None, 5, "", "x" * (MAX_SIGNED_REQUEST + 1), "a.b", "!!.??", "a.b.c"])
def test_malformed_requests_are_refused(value):
    with pytest.raises(VerificationError):
        parse_signed_request(value, SECRET)


@pytest.mark.parametrize("payload", [{"user_id": "1"}, {"algorithm": "HMAC-SHA256"},
                                     {"algorithm": "HMAC-SHA256", "user_id": "a b"},
                                     {"algorithm": "HMAC-SHA256", "user_id": True}])
def test_wrong_algorithm_or_user_is_refused(payload):
    with pytest.raises(VerificationError):
        parse_signed_request(sign_request(payload, SECRET), SECRET)


def test_no_app_secret_fails_closed():
    with pytest.raises(ConfigurationError):
        parse_signed_request(sign_request({"algorithm": "HMAC-SHA256", "user_id": "1"}, ""), "")


def test_status_url_carries_the_code():
    assert status_url("https://x.example/del", "ab12") == "https://x.example/del?code=ab12"
    assert status_url("https://x.example/del?lang=en", "ab12") == "https://x.example/del?lang=en&code=ab12"
