"""Sessions, login, CSRF and role checks for the console.

* Sessions live in an encrypted, authenticated cookie (aiohttp-session's
  EncryptedCookieStorage: Fernet = AES-128-CBC + HMAC-SHA256), HttpOnly, SameSite=Strict,
  Secure unless CONSOLE_COOKIE_SECURE=false, expiring after CONSOLE_SESSION_MAX_AGE.
  The cookie holds the user name, a server-side session id, a CSRF token and the login
  time and the user's session epoch. The session id must still be live in Redis (logout
  deletes it, so a replayed cookie is useless), the epoch must still be the user's
  (`passwd`, a role change or a delete bumps it: every older session ends) and the role
  is read from Redis on every request, so a deleted user is out at once.
* Failed logins are throttled per client address, per (address, name) and per name
  (console.throttle), counted alike for known and unknown names: 429 never tells which
  names exist.
* Every route needs a logged-in user unless it is in PUBLIC_ROUTES (fail closed):
  API paths answer 401 JSON, pages redirect to /login.
* Every state-changing request (anything but GET/HEAD/OPTIONS), login included, must
  carry the session's CSRF token in the X-CSRF-Token header: missing or wrong -> 403.
  GET /api/session hands the token to the page.
* A handler decorated with ``@requires("supervisor")`` answers 403 to users whose role
  lacks that permission (see console.users.PERMISSIONS).
"""
from __future__ import annotations

import hmac
import logging
import secrets
import time
from typing import Awaitable, Callable, Optional

from aiohttp import web
from aiohttp.web_urldispatcher import MatchInfoError
from aiohttp_session import get_session, new_session

from console import appkeys as app_keys
from console.users import User

logger = logging.getLogger(__name__)

CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Route names reachable without a login.
PUBLIC_ROUTES = frozenset({"login_page", "static", "health", "api_session", "api_login"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_error(status: int, error: str, **extra) -> web.Response:
    """A JSON error body ``{"error": ...}`` with `status`."""
    return web.json_response({"error": error, **extra}, status=status)


def requires(permission: str) -> Callable[[Handler], Handler]:
    """Mark a handler as needing `permission` (checked by `auth_middleware`)."""

    def mark(handler: Handler) -> Handler:
        handler.permission = permission  # type: ignore[attr-defined]
        return handler

    return mark


def _is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/")


def _route_name(request: web.Request) -> Optional[str]:
    resource = request.match_info.route.resource
    return resource.name if resource is not None else None


async def csrf_token(request: web.Request) -> str:
    """The session's CSRF token, created on first use."""
    session = await get_session(request)
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


async def session_user(request: web.Request, session) -> Optional[User]:
    """The user of a live session, or None (and a session that died is emptied)."""
    name = session.get("user")
    if not name:
        return None
    user = await request.app[app_keys.USERS].live_user(session.get("sid"), name, session.get("epoch"))
    if user is None:
        session.invalidate()
    return user


def current_user(request: web.Request) -> User:
    """The logged-in user of this request (set by `auth_middleware`)."""
    return request["user"]


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """403 for a state-changing request without the session's CSRF token."""
    if request.method not in SAFE_METHODS:
        session = await get_session(request)
        expected = session.get("csrf") or ""
        given = request.headers.get(CSRF_HEADER, "")
        if not expected or not given or not hmac.compare_digest(expected.encode(), given.encode()):
            logger.info("console.csrf_rejected method=%s route=%s", request.method, _route_name(request))
            return json_error(403, "csrf token missing or wrong")
    return await handler(request)


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Load the user from the session; 401/redirect without one, 403 without the role."""
    name = _route_name(request)
    if name in PUBLIC_ROUTES or isinstance(request.match_info, MatchInfoError):
        return await handler(request)
    session = await get_session(request)
    user = await session_user(request, session)
    if user is None:
        if _is_api(request):
            return json_error(401, "login required")
        raise web.HTTPFound("/login")
    request["user"] = user
    if user.can("tickets:work"):
        await request.app[app_keys.STORE].heartbeat(user.name)
    permission = getattr(request.match_info.handler, "permission", None)
    if permission and not user.can(permission):
        logger.info("console.forbidden user_role=%s route=%s", user.role, name)
        if _is_api(request):
            return json_error(403, "your role may not do this")
        raise web.HTTPForbidden(text="your role may not see this page")
    return await handler(request)


async def session_info(request: web.Request) -> web.Response:
    """GET /api/session: the CSRF token and, when logged in, the user (never 401)."""
    session = await get_session(request)
    user = await session_user(request, session)
    token = await csrf_token(request)
    body = {"csrf_token": token, "user": user.to_json() if user else None}
    if user:
        body["permissions"] = sorted(user.permissions)
    return web.json_response(body, headers={"Cache-Control": "no-store"})


def client_address(request: web.Request) -> str:
    """The peer address of the connection (no X-Forwarded-For: the console is not meant to
    sit behind a proxy that would have to be trusted)."""
    return request.remote or "unknown"


async def login(request: web.Request) -> web.Response:
    """POST /api/login ``{"username", "password"}``: 200 with a fresh session, else 401.

    The session is replaced on login (new cookie, new CSRF token). While the throttle
    (console.throttle) blocks this address or this name the answer is 429 with
    Retry-After, before any lookup, for known and unknown names alike.
    """
    try:
        body = await request.json()
        username = str(body.get("username", "")).strip().lower()
        password = body.get("password", "")
    except (ValueError, AttributeError):
        return json_error(400, "expected JSON with username and password")
    users = request.app[app_keys.USERS]
    throttle = request.app[app_keys.THROTTLE]
    address = client_address(request)
    if len(username) > 64 or not isinstance(password, str) or len(password) > 1024:
        return json_error(401, "wrong user name or password")
    wait = await throttle.blocked(address, username)
    if wait:
        logger.info("console.login_throttled retry_after=%s", wait)
        response = json_error(429, "too many failed logins; try again later")
        response.headers["Retry-After"] = str(wait)
        return response
    user = await users.authenticate(username, password)
    if user is None:
        await throttle.failed(address, username)
        logger.info("console.login_failed")
        return json_error(401, "wrong user name or password")
    await throttle.succeeded(address, username)
    session = await new_session(request)
    token = secrets.token_urlsafe(32)
    epoch = await users.epoch(user.name)
    session_id = await users.open_session(user.name, request.app[app_keys.SETTINGS].session_max_age)
    session.update({"user": user.name, "sid": session_id, "csrf": token, "login_at": time.time(), "epoch": epoch})
    if user.can("tickets:work"):
        await request.app[app_keys.STORE].heartbeat(user.name)
    logger.info("console.login user=%s role=%s", user.name, user.role)
    return web.json_response({"user": user.to_json(), "csrf_token": token, "permissions": sorted(user.permissions)})


async def logout(request: web.Request) -> web.Response:
    """POST /api/logout: forget the session."""
    user = current_user(request)
    session = await get_session(request)
    await request.app[app_keys.USERS].close_session(session.get("sid"))
    session.invalidate()
    await request.app[app_keys.STORE].sign_off(user.name)
    logger.info("console.logout user=%s", user.name)
    return web.json_response({"ok": True})
