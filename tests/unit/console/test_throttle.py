"""Issue 10 item 9: the throttle's decision and its keys (pure parts)."""
from console.keys import ConsoleKeys
from console.settings import ConsoleSettings
from console.throttle import ThrottleLimits, retry_after


def test_blocked_while_any_counter_reached_its_limit_for_the_longest_ttl():
    limits = [20, 5, 10]
    assert retry_after([None, None, None], [-2, -2, -2], limits) == 0
    assert retry_after([19, 4, 9], [800, 700, 50], limits) == 0
    assert retry_after([3, 5, 1], [800, 700, 50], limits) == 700
    assert retry_after([20, 5, 10], [800, 700, 50], limits) == 800
    assert retry_after([1, 1, 10], [800, 700, 50], limits) == 50
    assert retry_after([1, 1, 10], [800, 700, 0], limits) == 1  # never "0 seconds"


def test_throttle_keys_hide_what_was_typed_and_differ_per_counter():
    keys = ConsoleKeys("p")
    typed = "hunter2-typed-into-the-name-field"
    made = [keys.login_address("10.0.0.1"), keys.login_pair("10.0.0.1", typed), keys.login_name(typed)]
    assert len(set(made)) == 3 and all(k.startswith("p:console:loginfail:") for k in made)
    assert all(typed not in k and "10.0.0.1" not in k for k in made)
    assert keys.login_pair("10.0.0.1", "ab") != keys.login_pair("10.0.0.1a", "b")


def test_limits_come_from_the_environment():
    settings = ConsoleSettings.from_env({"CONSOLE_SECRET_KEY": "A" * 43 + "=", "CONSOLE_LOGIN_MAX_FAILURES": "3",
                                         "CONSOLE_LOGIN_NAME_WINDOW_SECONDS": "30"})
    assert settings.throttle_limits() == ThrottleLimits(pair_max=3, address_max=20, window_s=900, name_max=10,
                                                        name_window_s=30)
    assert ConsoleSettings.from_env({"CONSOLE_SECRET_KEY": "A" * 43 + "="}).throttle_limits() == ThrottleLimits()


def test_the_console_binds_loopback_unless_told():
    key = {"CONSOLE_SECRET_KEY": "A" * 43 + "="}
    assert ConsoleSettings.from_env(key).host == "127.0.0.1"
    assert ConsoleSettings.from_env({**key, "SOCIALCARE_BIND_HOST": "0.0.0.0"}).host == "0.0.0.0"
    assert ConsoleSettings.from_env({**key, "SOCIALCARE_BIND_HOST": "0.0.0.0", "CONSOLE_HOST": "::1"}).host == "::1"
