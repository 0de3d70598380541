"""Console settings from the environment: defaults, validation, the generated session key."""
import stat

import pytest

from console.settings import ConsoleSettings, check_secret_key, load_or_create_secret, new_secret_key
from core.settings import SettingsError
from socialcare.console_plan import ConsolePlan


def test_defaults_and_overrides(tmp_path):
    key = new_secret_key()
    settings = ConsoleSettings.from_env({"CONSOLE_SECRET_KEY": key, "SOCIALCARE_DATA_DIR": str(tmp_path)})
    assert (settings.host, settings.port, settings.url) == ("127.0.0.1", 5080, "http://127.0.0.1:5080")
    assert settings.cookie_secure is True and settings.session_max_age == 8 * 3600
    assert settings.redis_target().url == "redis://127.0.0.1:6390/0"
    other = ConsoleSettings.from_env({
        "CONSOLE_SECRET_KEY": key, "CONSOLE_HOST": "0.0.0.0", "CONSOLE_PORT": "6000",
        "CONSOLE_COOKIE_SECURE": "false", "REDIS_URL": "redis://:pw@10.1.2.3:6379/2",
    })
    assert other.url == "http://127.0.0.1:6000" and other.cookie_secure is False
    assert other.redis_target().password == "pw"


def test_secrets_stay_out_of_the_repr(tmp_path):
    key = new_secret_key()
    settings = ConsoleSettings.from_env({"CONSOLE_SECRET_KEY": key, "REDIS_URL": "redis://:hunter2@h:1/0"})
    assert key not in repr(settings) and "hunter2" not in repr(settings)


@pytest.mark.parametrize("env", [
    {"CONSOLE_SECRET_KEY": "short"},
    {"CONSOLE_SECRET_KEY": new_secret_key(), "CONSOLE_PORT": "x"},
    {"CONSOLE_SECRET_KEY": new_secret_key(), "CONSOLE_COOKIE_SECURE": "maybe"},
    {"CONSOLE_SECRET_KEY": new_secret_key(), "CONSOLE_SESSION_MAX_AGE": "0"},
    {"CONSOLE_SECRET_KEY": new_secret_key(), "REDIS_KEY_PREFIX": "a:b"},
    {"CONSOLE_SECRET_KEY": new_secret_key(), "REDIS_URL": "http://x"},
])
def test_bad_values_are_refused(env):
    with pytest.raises(SettingsError):
        ConsoleSettings.from_env(env)


def test_missing_key_is_created_once_with_mode_0600(tmp_path):
    first = ConsoleSettings.from_env({"SOCIALCARE_DATA_DIR": str(tmp_path)}).secret_key
    second = ConsoleSettings.from_env({"SOCIALCARE_DATA_DIR": str(tmp_path)}).secret_key
    assert first == second and len(check_secret_key(first)) == 32
    mode = stat.S_IMODE((tmp_path / "console_secret_key").stat().st_mode)
    assert mode == 0o600
    assert load_or_create_secret(tmp_path) == first
    with pytest.raises(SettingsError):
        ConsoleSettings.from_env({"SOCIALCARE_DATA_DIR": str(tmp_path / "none")}, create_secret=False)


def test_console_plan_from_env():
    assert ConsolePlan.from_env({}).enabled and ConsolePlan.from_env({}).port == 5080
    plan = ConsolePlan.from_env({"CONSOLE": "0", "CONSOLE_PORT": "5999"})
    assert not plan.enabled and plan.port == 5999
    env = ConsolePlan.on(5081).environment("redis://127.0.0.1:7/0", "/tmp/d", 5005, "tok")
    assert env["REDIS_URL"] == "redis://127.0.0.1:7/0" and env["CONSOLE_PORT"] == "5081"
    assert env["RASA_URL"] == "http://127.0.0.1:5005" and env["RASA_TOKEN"] == "tok"
    assert "tok" not in repr(ConsolePlan.on(5081))
    with pytest.raises(ValueError):
        ConsolePlan.from_env({"CONSOLE": "perhaps"})
    with pytest.raises(ValueError):
        ConsolePlan.from_env({"CONSOLE_PORT": "80a"})
