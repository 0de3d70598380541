"""When `socialcare run` starts the sandbox and what it tells Rasa."""
from __future__ import annotations

import pytest

from sandbox.settings import SandboxSettings, SandboxSettingsError
from socialcare.sandbox_plan import SandboxPlan


def test_auto_starts_only_without_credentials():
    assert SandboxPlan.from_env(5005, {}).enabled
    assert not SandboxPlan.from_env(5005, {"FACEBOOK_APP_SECRET": "real"}).enabled
    assert not SandboxPlan.from_env(5005, {"TWITTER_CONSUMER_KEY": "real"}).enabled
    assert SandboxPlan.from_env(5005, {"SANDBOX": "1", "TWITTER_CONSUMER_KEY": "real"}).enabled
    assert not SandboxPlan.from_env(5005, {"SANDBOX": "0"}).enabled
    with pytest.raises(ValueError):
        SandboxPlan.from_env(5005, {"SANDBOX": "maybe"})


def test_rasa_and_sandbox_share_secrets_and_urls():
    plan = SandboxPlan.from_env(5105, {"SANDBOX_PORT": "5106"})
    env = plan.environment()
    assert env["FACEBOOK_GRAPH_URL"] == "http://127.0.0.1:5106/v21.0"
    assert env["TWITTER_API_URL"] == "http://127.0.0.1:5106"
    assert env["SANDBOX_RASA_URL"] == "http://127.0.0.1:5105"
    assert env["FACEBOOK_APP_SECRET"] not in repr(plan)
    assert SandboxPlan.on(1, 2).secrets != SandboxPlan.on(1, 2).secrets  # fresh per start
    settings = SandboxSettings.from_env(env)
    assert settings.port == 5106 and settings.rasa_url == "http://127.0.0.1:5105"
    assert settings.app_secret == env["FACEBOOK_APP_SECRET"] and settings.app_secret not in repr(settings)
    assert SandboxPlan.off().environment() == {}


def test_sandbox_settings_name_what_is_missing():
    with pytest.raises(SandboxSettingsError, match="FACEBOOK_APP_SECRET"):
        SandboxSettings.from_env({})
