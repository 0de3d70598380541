"""The one place that builds the console's Redis key names, all under the shared prefix."""
from __future__ import annotations

from dataclasses import dataclass


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

    def login_failures(self, name: str) -> str:
        """Counter of failed logins for a name, expiring after the lockout window."""
        return f"{self.base}:loginfail:{name}"
