"""The console's HTML pages: static files, served only to users allowed to see them.

The pages hold no data; their scripts fetch everything from the JSON API. Role checks
happen in `console.auth.auth_middleware` (a page without a session redirects to /login).
"""
from __future__ import annotations

from pathlib import Path

from aiohttp import web
from aiohttp_session import get_session

from console.auth import requires, session_user

STATIC_DIR = Path(__file__).resolve().parent / "static"


def _page(name: str) -> web.FileResponse:
    response = web.FileResponse(STATIC_DIR / name)
    response.headers["Cache-Control"] = "no-store"
    response.content_type = "text/html"
    return response


async def login_page(request: web.Request) -> web.StreamResponse:
    """GET /login: the login form (or the queue when already logged in)."""
    if await session_user(request, await get_session(request)) is not None:
        raise web.HTTPFound("/")
    return _page("login.html")


@requires("tickets:read")
async def queue_page(request: web.Request) -> web.StreamResponse:
    """GET /: the queue and the conversation view."""
    return _page("index.html")


@requires("supervisor")
async def supervisor_page(request: web.Request) -> web.StreamResponse:
    """GET /supervisor: agents online and queue health."""
    return _page("supervisor.html")


@requires("trainer")
async def trainer_page(request: web.Request) -> web.StreamResponse:
    """GET /trainer: recent low-confidence and misrouted messages."""
    return _page("trainer.html")
