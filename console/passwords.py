"""Password rules for console users: long enough and not guessable (pure, no I/O at import).

A password needs MIN_PASSWORD_LENGTH (12) characters and must not be: one character or a
short unit repeated (``aaaaaaaaaaaa``, ``abcabcabcabc``), a run (``123456789012``), the user name or a password
containing it, a common password from ``console/common_passwords.txt``, or a common
password dressed up with digits and symbols at either end, letter-digit swaps or
repetition (``Password123456!``, ``P@ssw0rd2024``, ``qwertyqwerty``, ``socialcare2024``).
Each refusal raises `PasswordRejected` with a message that says what to change.
"""
from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
COMMON_FILE = Path(__file__).resolve().parent / "common_passwords.txt"
_EDGES = string.digits + string.punctuation + " "
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "5": "s", "$": "s",
                       "7": "t", "+": "t", "9": "g"})
_NAME_MIN = 3  # shorter user names are not searched for inside passwords
_RUNS = ("0123456789" * 4, string.ascii_lowercase * 2)


class PasswordRejected(ValueError):
    """The password breaks a rule (the message says which, never the password)."""


@lru_cache(maxsize=1)
def common_passwords() -> FrozenSet[str]:
    """The shipped list of common passwords and bases (lowercase; read once)."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _unit(text: str) -> str:
    """The shortest unit that `text` repeats (``abcabc`` -> ``abc``; the text itself if none)."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def _variants(lowered: str):
    bases = (lowered, lowered.strip(_EDGES))
    for base in (*bases, *(b.translate(_LEET) for b in bases)):
        unit = _unit(base)
        yield from (base, unit, unit.strip(_EDGES), unit.translate(_LEET).strip(_EDGES))


def is_sequence(text: str) -> bool:
    """Whether `text` is a run of digits or letters up or down (``123456789012``, ``zyxw...``)."""
    return any(text in run or text in run[::-1] for run in _RUNS)


def is_common(password: str) -> bool:
    """Whether `password` is a common password or one dressed up (see the module docstring)."""
    common = common_passwords()
    return any(variant in common for variant in _variants(password.lower()))


def check_password(password: str, name: str = "") -> str:
    """`password` if it follows the rules for user `name`; PasswordRejected otherwise."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRejected(f"passwords have at most {MAX_PASSWORD_LENGTH} characters")
    lowered = password.lower()
    if len(_unit(lowered)) <= 4:
        raise PasswordRejected("the password repeats one character or a short pattern; use several words")
    if is_sequence(lowered):
        raise PasswordRejected("the password is a run of consecutive digits or letters; use several words")
    if name and len(name) >= _NAME_MIN and name.lower() in lowered:
        raise PasswordRejected("the password must not contain the user name")
    if name and lowered.strip(_EDGES) == name.lower():
        raise PasswordRejected("the password must not be the user name")
    if is_common(password):
        raise PasswordRejected("this password is on the list of common passwords or is one with digits or "
                               "symbols added; choose a passphrase of a few unrelated words")
    return password
