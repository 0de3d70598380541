"""Console users in Redis: roles, argon2id password hashes, login sessions and their epoch.

A user is a Redis hash ``<prefix>:console:user:<name>`` with ``v`` (record version),
``role``, ``password`` (an argon2id hash string, never the password) and ``created``.
Hashing and verifying run in a worker thread so the event loop is never blocked.
Password rules live in console.passwords, login throttling in console.throttle.

Each user has a session epoch (``<prefix>:console:epoch:<name>``): a login stores the
current value in its session, every request compares it, and `set_password`, `set_role`,
`delete` and a replacing `create` bump it, so every session opened before ends at once.
"""
from __future__ import annotations

import asyncio
import re
import secrets
import time
from dataclasses import dataclass
from typing import FrozenSet, List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from redis.exceptions import WatchError

from console.keys import ConsoleKeys
from console.passwords import MIN_PASSWORD_LENGTH, PasswordRejected
from console.passwords import check_password as _check_password

ROLES = ("agent", "supervisor", "trainer")
RECORD_VERSION = "1"
__all__ = ["MIN_PASSWORD_LENGTH", "PERMISSIONS", "ROLES", "User", "UserError", "UserExists", "UserStore",
           "check_name", "check_password", "check_role"]
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")

# What each role may do. A supervisor can do everything an agent and a trainer can.
PERMISSIONS = {
    "agent": frozenset({"tickets:read", "tickets:work"}),
    "trainer": frozenset({"tickets:read", "trainer"}),
    "supervisor": frozenset({"tickets:read", "tickets:work", "tickets:any", "trainer", "supervisor"}),
}


class UserError(ValueError):
    """A user name, role or password is not acceptable."""


class UserExists(UserError):
    """A user with that name already exists."""


@dataclass(frozen=True)
class User:
    """A console user as the app sees it (no password material)."""

    name: str
    role: str
    created: float = 0.0

    @property
    def permissions(self) -> FrozenSet[str]:
        """What this user's role allows."""
        return PERMISSIONS.get(self.role, frozenset())

    def can(self, permission: str) -> bool:
        """Whether the role grants `permission`."""
        return permission in self.permissions

    def to_json(self) -> dict:
        """The public view of the user."""
        return {"name": self.name, "role": self.role}


def check_name(name: str) -> str:
    """A lowercase user name of 2-32 letters, digits, dots, dashes or underscores."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise UserError("user names are 2-32 lowercase letters, digits, '.', '_' or '-'")
    return name


def check_role(role: str) -> str:
    """One of ROLES."""
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    return role


def check_password(password: str, name: str = "") -> str:
    """`password` if console.passwords accepts it for user `name`; UserError with the reason."""
    try:
        return _check_password(password, name)
    except PasswordRejected as exc:
        raise UserError(str(exc)) from None


class UserStore:
    """Users, roles and login sessions over an async Redis client."""

    def __init__(self, redis, keys: ConsoleKeys, *, hasher: Optional[PasswordHasher] = None) -> None:
        self.redis = redis
        self.keys = keys
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash: Optional[str] = None

    async def _hash(self, password: str) -> str:
        return await asyncio.to_thread(self.hasher.hash, password)

    async def _verify(self, stored: str, password: str) -> bool:
        def verify() -> bool:
            try:
                return self.hasher.verify(stored, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

        return await asyncio.to_thread(verify)

    async def create(self, name: str, role: str, password: str, *, replace: bool = False) -> User:
        """Create a user (UserExists if the name is taken, unless `replace`, which also ends
        the sessions of the user it replaces)."""
        check_name(name)
        check_role(role)
        check_password(password, name)
        hashed = await self._hash(password)
        created = time.time()
        record = {"v": RECORD_VERSION, "role": role, "password": hashed, "created": repr(created)}
        key = self.keys.user(name)
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(key)  # a concurrent create of the same name fails the EXEC
            if not replace and await pipe.exists(key):
                raise UserExists(f"user {name} exists")
            pipe.multi()
            pipe.delete(key)
            pipe.hset(key, mapping=record)
            pipe.sadd(self.keys.users, name)
            pipe.incr(self.keys.epoch(name))
            try:
                await pipe.execute()
            except WatchError as exc:
                raise UserExists(f"user {name} was created meanwhile") from exc
        return User(name, role, created)

    async def set_password(self, name: str, password: str) -> None:
        """Replace a user's password and end their sessions (UserError if there is no such user)."""
        check_password(password, name)
        if not await self.redis.exists(self.keys.user(name)):
            raise UserError(f"no user {name}")
        hashed = await self._hash(password)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.user(name), "password", hashed)
            pipe.incr(self.keys.epoch(name))
            await pipe.execute()

    async def set_role(self, name: str, role: str) -> User:
        """Give a user another role and end their sessions (UserError if there is no such user)."""
        check_role(role)
        if await self.get(name) is None:
            raise UserError(f"no user {name}")
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.user(name), "role", role)
            pipe.incr(self.keys.epoch(name))
            await pipe.execute()
        user = await self.get(name)
        if user is None:
            raise UserError(f"no user {name}")
        return user

    async def delete(self, name: str) -> bool:
        """Remove a user (their sessions stop working at once, also if the name is created
        again: the epoch stays and is bumped); True if one was removed."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self.keys.user(name))
            pipe.srem(self.keys.users, name)
            pipe.incr(self.keys.epoch(name))
            removed, _, _ = await pipe.execute()
        return bool(removed)

    async def epoch(self, name: str) -> int:
        """The user's current session epoch (0 before the first bump)."""
        return int(await self.redis.get(self.keys.epoch(name)) or 0)

    async def live_user(self, session_id: str, name: str, epoch: object) -> Optional[User]:
        """The user of a session that is still valid: its id is live and belongs to `name`,
        and `epoch` (stored at login) is the user's current one. None otherwise."""
        if not isinstance(session_id, str) or not session_id or not isinstance(name, str) or not _NAME.match(name):
            return None
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(self.keys.session(session_id))
            pipe.get(self.keys.epoch(name))
            owner, current = await pipe.execute()
        if owner != name or str(int(current or 0)) != str(epoch):
            return None
        return await self.get(name)

    async def open_session(self, name: str, ttl: int) -> str:
        """A new server-side session id for `name`, valid `ttl` seconds (or until closed)."""
        session_id = secrets.token_urlsafe(24)
        await self.redis.set(self.keys.session(session_id), name, ex=ttl)
        return session_id

    async def session_user(self, session_id: str) -> Optional[str]:
        """The user name of a live session id, or None (closed, expired or unknown)."""
        if not isinstance(session_id, str) or not session_id:
            return None
        return await self.redis.get(self.keys.session(session_id))

    async def close_session(self, session_id: str) -> None:
        """End a session (logout): its cookie stops working even if replayed."""
        if isinstance(session_id, str) and session_id:
            await self.redis.delete(self.keys.session(session_id))

    async def get(self, name: str) -> Optional[User]:
        """The user, or None (also for a malformed name)."""
        if not isinstance(name, str) or not _NAME.match(name):
            return None
        raw = await self.redis.hmget(self.keys.user(name), ["role", "created"])
        if raw[0] is None:
            return None
        role = raw[0].decode() if isinstance(raw[0], bytes) else raw[0]
        created = raw[1].decode() if isinstance(raw[1], bytes) else (raw[1] or "0")
        return User(name, role, float(created or 0))

    async def list(self) -> List[User]:
        """Every user, sorted by name."""
        names = sorted(n.decode() if isinstance(n, bytes) else n for n in await self.redis.smembers(self.keys.users))
        users = [await self.get(name) for name in names]
        return [u for u in users if u is not None]

    async def count(self) -> int:
        """How many users exist."""
        return int(await self.redis.scard(self.keys.users))

    async def authenticate(self, name: str, password: str) -> Optional[User]:
        """The user if `password` is right, else None. Unknown names cost the same time."""
        if not isinstance(name, str) or not isinstance(password, str):
            return None
        name = name.strip().lower()
        stored = None
        if _NAME.match(name):
            stored = await self.redis.hget(self.keys.user(name), "password")
        if stored is None:
            if self._dummy_hash is None:
                self._dummy_hash = await self._hash("not-a-real-password")
            await self._verify(self._dummy_hash, password)
            return None
        stored = stored.decode() if isinstance(stored, bytes) else stored
        if not await self._verify(stored, password):
            return None
        if self.hasher.check_needs_rehash(stored):
            await self.redis.hset(self.keys.user(name), "password", await self._hash(password))
        return await self.get(name)

    async def stored_password_field(self, name: str) -> Optional[str]:
        """The raw stored password field (for tests and audits: a hash, never the password)."""
        raw = await self.redis.hget(self.keys.user(name), "password")
        return raw.decode() if isinstance(raw, bytes) else raw
