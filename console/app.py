"""The agent console's aiohttp app factory and its `run` entry point.

``create_app(settings)`` builds the app; nothing connects before the app starts (the
Redis client, the ticket store and the relay are opened by ``cleanup_ctx``).
Routes: pages (``/``, ``/supervisor``, ``/trainer``, ``/login``), static files, the JSON
API under ``/api/`` (see console/api.py and the README) and ``/health``.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

from aiohttp import WSCloseCode, web
from aiohttp_session import session_middleware
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from console import api, appkeys, auth, deadletters, live, pages
from console.services import RelayFactory, services_ctx
from console.settings import ConsoleSettings

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@web.middleware
async def security_headers(request: web.Request, handler) -> web.StreamResponse:
    """CSP, no framing, no sniffing, no referrer; API answers are never cached."""
    response = await handler(request)
    if not response.prepared:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
    return response


async def _close_sockets(app: web.Application) -> None:
    for ws in list(app.get(appkeys.SOCKETS, ())):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")


async def health(request: web.Request) -> web.Response:
    """GET /health: 200 when Redis answers, else 503."""
    try:
        await request.app[appkeys.REDIS].ping()
    except Exception:  # noqa: BLE001 - any Redis failure means unhealthy
        return web.json_response({"status": "redis unavailable"}, status=503)
    return web.json_response({"status": "ok"})


def create_app(settings: ConsoleSettings, *, relay_factory: Optional[RelayFactory] = None) -> web.Application:
    """The console app. `relay_factory` replaces handoff.relay.Relay (tests)."""
    storage = EncryptedCookieStorage(
        settings.secret_key,
        cookie_name=settings.cookie_name,
        max_age=settings.session_max_age,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="Strict",
    )
    app = web.Application(
        middlewares=[security_headers, session_middleware(storage), auth.auth_middleware, auth.csrf_middleware,
                     api.handoff_errors],
        client_max_size=64 * 1024,
    )
    app[appkeys.SETTINGS] = settings
    app.cleanup_ctx.append(services_ctx(relay_factory))
    app.on_shutdown.append(_close_sockets)
    r = app.router
    r.add_get("/health", health, name="health")
    r.add_get("/login", pages.login_page, name="login_page")
    r.add_get("/", pages.queue_page, name="queue_page")
    r.add_get("/supervisor", pages.supervisor_page, name="supervisor_page")
    r.add_get("/trainer", pages.trainer_page, name="trainer_page")
    r.add_static("/static/", STATIC_DIR, name="static", append_version=False)
    r.add_get("/api/session", auth.session_info, name="api_session")
    r.add_post("/api/login", auth.login, name="api_login")
    r.add_post("/api/logout", auth.logout, name="api_logout")
    api.add_routes(r)
    deadletters.add_routes(r)
    live.add_routes(r)
    return app


def run(settings: ConsoleSettings) -> None:
    """Serve the console until SIGINT/SIGTERM (what `socialcare console` runs)."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logger.info("console.starting url=%s", settings.url)
    web.run_app(create_app(settings), host=settings.host, port=settings.port, access_log=None,
                print=lambda *_: None, shutdown_timeout=5)
