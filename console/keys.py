"""The one place that builds the console's Redis key names, all under the shared prefix.

Login throttling keys name what was typed (a user name, a client address) only by a
truncated SHA-256, so a password typed into the name field never lands in a key name.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass


def digest(value: str) -> str:
    """A short stable hash of `value` for key names (first 16 bytes of SHA-256, hex)."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class ConsoleKeys:
    """Key names for users, login sessions and login throttling (``<prefix>:console:...``)."""

    prefix: str = "socialcare"

    @property
    def base(self) -> str:
        """``<prefix>:console``."""
        return f"{self.prefix}:console"

    def user(self, name: str) -> str:
        """Hash with one user's record (role, password hash, ...)."""
        return f"{self.base}:user:{name}"

    @property
    def users(self) -> str:
        """Set of every user name."""
        return f"{self.base}:users"

    def session(self, session_id: str) -> str:
        """String: the user name a live login session belongs to (expires with the session)."""
        return f"{self.base}:session:{session_id}"

    def epoch(self, name: str) -> str:
        """Integer: the user's session generation; bumped on passwd, role change and delete,
        which ends every session opened before. Kept when the user is deleted."""
        return f"{self.base}:epoch:{name}"

    def login_address(self, address: str) -> str:
        """Counter of failed logins from one client address (any name), with a TTL."""
        return f"{self.base}:loginfail:addr:{digest(address)}"

    def login_pair(self, address: str, name: str) -> str:
        """Counter of failed logins for one name from one address, with a TTL."""
        return f"{self.base}:loginfail:pair:{digest(address + chr(0) + name)}"

    def login_name(self, name: str) -> str:
        """Counter of failed logins for one name from every address (short window)."""
        return f"{self.base}:loginfail:name:{digest(name)}"
