"""Issue 10 item 9: console passwords from 12 characters, never common, repeated or the name."""
import pytest

from console.passwords import MIN_PASSWORD_LENGTH, PasswordRejected, check_password, common_passwords, is_common
from console.users import UserError
from console.users import check_password as user_check


def test_twelve_characters_are_the_minimum():
    assert MIN_PASSWORD_LENGTH == 12
    with pytest.raises(PasswordRejected, match="at least 12 characters"):
        check_password("violet-harb")  # 11
    assert check_password("violet-harbo") == "violet-harbo"


@pytest.mark.parametrize("password", [
    "password123456", "Password123456!", "P@ssw0rd2024!!", "qwertyuiop123", "qwertyqwertyqwerty",
    "1qaz2wsx3edc", "zaq12wsxzaq12wsx", "iloveyou2024!", "socialcare2024", "Socialcare-Admin!1",
    "auroraair12345", "letmein!letmein!", "correcthorsebatterystaple",
])
def test_common_passwords_and_dressed_up_ones_are_refused(password):
    with pytest.raises(PasswordRejected, match="common passwords"):
        check_password(password, "dana")


@pytest.mark.parametrize("password, reason", [
    ("aaaaaaaaaaaa", "repeats"), ("abababababab", "repeats"), ("!!!!!!!!!!!!!!", "repeats"),
    ("123456789012", "run of consecutive"), ("zyxwvutsrqpon", "run of consecutive"),
])
def test_one_character_patterns_and_runs_are_refused(password, reason):
    with pytest.raises(PasswordRejected, match=reason):
        check_password(password)


def test_the_user_name_is_refused_inside_the_password():
    with pytest.raises(PasswordRejected, match="user name"):
        check_password("marguerite2024!", "marguerite")
    with pytest.raises(PasswordRejected, match="user name"):
        check_password("my-name-is-DANA-ok", "dana")
    assert check_password("my-name-is-dana-ok", "jo")  # two-letter names are not searched for


def test_passphrases_pass():
    for password in ("correct horse battery", "violet harbor kettle", "Tram7-Lantern-Oboe"):
        assert check_password(password, "dana") == password


def test_the_shipped_list_is_a_few_hundred_lowercase_entries():
    common = common_passwords()
    assert len(common) >= 300
    assert all(entry == entry.lower() for entry in common)
    assert {"password", "123456", "qwerty", "socialcare", "iloveyou"} <= common
    assert is_common("LETMEIN") and not is_common("violet harbor kettle")


def test_the_user_store_check_gives_a_user_error_with_the_reason():
    with pytest.raises(UserError, match="common passwords"):
        user_check("password123456", "ann")
    with pytest.raises(UserError, match="at least 12"):
        user_check("short")
