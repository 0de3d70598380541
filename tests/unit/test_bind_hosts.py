"""Issue 10 item 1: every server listens on 127.0.0.1 unless SOCIALCARE_BIND_HOST opens it."""
import pytest

from console.settings import ConsoleSettings
from core.settings import SettingsError, bind_host, is_loopback
from sandbox.settings import SandboxSettings
from socialcare.sandbox_plan import SandboxPlan

SECRETS = {name: "s" for name in ("FACEBOOK_APP_SECRET", "FACEBOOK_VERIFY_TOKEN", "FACEBOOK_PAGE_ACCESS_TOKEN",
                                  "TWITTER_CONSUMER_KEY", "TWITTER_CONSUMER_SECRET", "TWITTER_ACCESS_TOKEN",
                                  "TWITTER_ACCESS_TOKEN_SECRET")}


def test_the_bind_host_defaults_to_loopback_and_is_validated():
    assert bind_host({}) == "127.0.0.1" and bind_host({"SOCIALCARE_BIND_HOST": " "}) == "127.0.0.1"
    assert bind_host({"SOCIALCARE_BIND_HOST": "0.0.0.0"}) == "0.0.0.0"
    assert bind_host({"SOCIALCARE_BIND_HOST": "::"}) == "::"
    for bad in ("0.0.0.0:5005", "http://x", "a b"):
        with pytest.raises(SettingsError, match="SOCIALCARE_BIND_HOST"):
            bind_host({"SOCIALCARE_BIND_HOST": bad})


def test_loopback_addresses():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.5", "example.org"))


def test_the_console_and_the_sandbox_default_to_loopback():
    assert ConsoleSettings.from_env({"CONSOLE_SECRET_KEY": "A" * 43 + "="}).host == "127.0.0.1"
    assert SandboxSettings.from_env(SECRETS).host == "127.0.0.1"
    assert SandboxPlan.on(5006, 5005).environment()["SANDBOX_HOST"] == "127.0.0.1"
