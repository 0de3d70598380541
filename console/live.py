"""Websockets: a ticket's live transcript and the queue-wide feed.

* ``GET /api/tickets/{id}/live?last_id=0``: every event of the ticket's stream after
  `last_id` (``0`` replays the stream, then live): ``{"id", "kind": "turn" | "status",
  "ticket_id", "data"}``. Pass the last ``id`` back after a reconnect.
* ``GET /api/live``: queue-wide events (created, claimed, released, transferred,
  resolved, csat) from now on.

Both need a session (the cookie travels with the upgrade request) and refuse a
cross-site ``Origin`` with 403. While a socket is open its agent counts as online.
"""
from __future__ import annotations

import asyncio
import logging
import re
from typing import AsyncIterator, Callable

from aiohttp import WSCloseCode, WSMsgType, web

from console import appkeys
from console.auth import current_user, json_error, requires

logger = logging.getLogger(__name__)

HEARTBEAT_S = 30.0
BLOCK_MS = 1000
_STREAM_ID = re.compile(r"^(0|\$|\d{1,20}-\d{1,20})$")

Source = Callable[[asyncio.Event], AsyncIterator]


def same_origin(request: web.Request) -> bool:
    """True without an Origin header (non-browser clients) or when it names this host."""
    origin = request.headers.get("Origin")
    if not origin:
        return True
    scheme, sep, authority = origin.partition("://")
    if not sep or scheme not in ("http", "https"):
        return False
    return authority.lower() == (request.host or "").lower()


async def _presence(request: web.Request) -> None:
    user = current_user(request)
    store = request.app[appkeys.STORE]
    while True:
        await store.heartbeat(user.name)
        await asyncio.sleep(HEARTBEAT_S)


async def _serve(request: web.Request, source: Source, label: str) -> web.StreamResponse:
    """Upgrade, pump events from `source` until the client or the server goes away."""
    if not same_origin(request):
        return json_error(403, "cross-site websocket refused")
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S)
    await ws.prepare(request)
    sockets = request.app[appkeys.SOCKETS]
    sockets.add(ws)
    stop = asyncio.Event()

    async def pump() -> None:
        try:
            async for event in source(stop):
                await ws.send_json(event.as_json())
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        except Exception as exc:  # noqa: BLE001 - Redis trouble: let the page reconnect
            logger.warning("console.live_failed socket=%s error=%s", label, type(exc).__name__)
            await ws.close(code=WSCloseCode.INTERNAL_ERROR, message=b"live updates failed")

    tasks = [asyncio.create_task(pump())]
    if current_user(request).can("tickets:work"):
        tasks.append(asyncio.create_task(_presence(request)))
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT and msg.data == "ping":
                await ws.send_str("pong")
    finally:
        # Cancel first, then wait: nothing is left pending even if this handler is itself
        # cancelled while waiting (redis-py drops a connection cancelled mid-read).
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        sockets.discard(ws)
    return ws


@requires("tickets:read")
async def ticket_live(request: web.Request) -> web.StreamResponse:
    """GET /api/tickets/{ticket_id}/live: the ticket's transcript and status events."""
    store = request.app[appkeys.STORE]
    ticket_id = request.match_info["ticket_id"]
    last_id = request.query.get("last_id", "0")
    if not _STREAM_ID.match(last_id):
        return json_error(400, "last_id must be 0, $ or a stream id")
    user = current_user(request)
    await store.record_read(ticket_id, user.name, user.role)  # audited; 404 before the upgrade

    def source(stop: asyncio.Event):
        return store.subscribe(ticket_id, last_id, block_ms=BLOCK_MS, stop=stop)

    return await _serve(request, source, "ticket")


@requires("tickets:read")
async def queue_live(request: web.Request) -> web.StreamResponse:
    """GET /api/live: queue-wide events from now on."""
    store = request.app[appkeys.STORE]

    def source(stop: asyncio.Event):
        return store.feed("$", block_ms=BLOCK_MS, stop=stop)

    return await _serve(request, source, "queue")


def add_routes(router: web.UrlDispatcher) -> None:
    """Register the websocket routes."""
    router.add_get("/api/tickets/{ticket_id}/live", ticket_live, name="api_ticket_live")
    router.add_get("/api/live", queue_live, name="api_live")
