"""Connector settings: environment only, secrets out of repr, off when incomplete."""
from __future__ import annotations

import pytest

from connectors.facebook.settings import MessengerSettings
from connectors.facebook.settings import missing as fb_missing
from connectors.intake.settings import IntakeSettings
from connectors.twitter.settings import XSettings
from connectors.twitter.settings import missing as x_missing
from core.settings import RedisSettings, RedisTarget, SettingsError

FB = {"FACEBOOK_APP_SECRET": "app-s", "FACEBOOK_VERIFY_TOKEN": "ver-t", "FACEBOOK_PAGE_ACCESS_TOKEN": "page-t"}
X = {"TWITTER_CONSUMER_KEY": "ck-v", "TWITTER_CONSUMER_SECRET": "cs-v", "TWITTER_ACCESS_TOKEN": "at-v",
     "TWITTER_ACCESS_TOKEN_SECRET": "ats-v", "TWITTER_USER_ID": "42"}


def test_messenger_settings():
    assert MessengerSettings.from_env({}) is None
    assert fb_missing({"FACEBOOK_APP_SECRET": "x"}) == ["FACEBOOK_VERIFY_TOKEN", "FACEBOOK_PAGE_ACCESS_TOKEN"]
    settings = MessengerSettings.from_env({**FB, "FACEBOOK_GRAPH_URL": "http://127.0.0.1:1/v21.0/"})
    assert settings.graph_url == "http://127.0.0.1:1/v21.0" and settings.page_id is None
    assert not any(secret in repr(settings) for secret in FB.values())


def test_x_settings():
    assert XSettings.from_env({}) is None
    assert XSettings.from_env({**X, "TWITTER_USER_ID": "brand"}) is None
    assert any("TWITTER_USER_ID" in name for name in x_missing({**X, "TWITTER_USER_ID": "brand"}))
    settings = XSettings.from_env(X)
    assert settings.api_url == "https://api.x.com" and settings.user_id == "42"
    assert not any(secret in repr(settings) for secret in ("ck-v", "cs-v", "at-v", "ats-v"))


def test_redis_and_intake_settings():
    assert RedisSettings.from_env({}) == RedisSettings()
    settings = RedisSettings.from_env({"REDIS_HOST": "r", "REDIS_PORT": "7000", "REDIS_DB": "2",
                                       "REDIS_PASSWORD": "pw-secret", "REDIS_KEY_PREFIX": "sc2"})
    target = settings.target
    assert (target.host, target.port, target.db, settings.key_prefix) == ("r", 7000, 2, "sc2")
    assert "pw-secret" not in repr(settings)
    from_url = RedisSettings.from_env({"REDIS_URL": "redis://:pw@h:6380/3"}).target
    assert (from_url.host, from_url.port, from_url.db, from_url.password) == ("h", 6380, 3, "pw")
    with pytest.raises(SettingsError):
        RedisSettings.from_env({"REDIS_KEY_PREFIX": "a:b"})
    with pytest.raises(SettingsError):
        IntakeSettings.from_env({"INTAKE_MAX_FAILURES": "zero"})
    assert IntakeSettings.from_env({"INTAKE_CLAIM_IDLE_MS": "500"}).claim_idle_ms == 500


def test_one_redis_precedence_for_every_process():
    """REDIS_URL, else REDIS_HOST and friends, else the embedded server (EMBEDDED_REDIS_PORT)."""
    both = {"REDIS_URL": "redis://u:1/0", "REDIS_HOST": "h", "REDIS_PORT": "2"}
    assert RedisSettings.from_env(both).target == RedisTarget("u", 1, 0)
    assert RedisSettings.from_env({"REDIS_PORT": "6399"}).target == RedisTarget("127.0.0.1", 6399)
    embedded = RedisSettings.from_env({"EMBEDDED_REDIS_PORT": "7001"})
    assert embedded.embedded and embedded.target == RedisTarget("127.0.0.1", 7001)
    assert not RedisSettings.from_env({"REDIS_HOST": "h"}).embedded
    with pytest.raises(SettingsError, match="REDIS_PORT"):
        RedisSettings.from_env({"REDIS_PORT": "x"})


def test_intake_role():
    assert IntakeSettings.from_env({}).role == "both" and IntakeSettings().consumes
    receive = IntakeSettings.from_env({"INTAKE_ROLE": " Receive "})
    assert receive.role == "receive" and not receive.consumes
    assert IntakeSettings.from_env({"INTAKE_ROLE": "consume"}).consumes
    with pytest.raises(SettingsError, match="INTAKE_ROLE"):
        IntakeSettings.from_env({"INTAKE_ROLE": "webhooks"})
