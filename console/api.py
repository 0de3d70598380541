"""The console's JSON API (documented in the README, section "Agent console").

Every route needs a logged-in user; POSTs need the X-CSRF-Token header (console.auth).
Handoff errors map to their ``status`` (404 not found, 409 owned / wrong state / window
closed, 403 not the owner, 502 delivery failed, 503 busy). Logs name tickets and agents,
never message text.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Dict

from aiohttp import web
from redis.exceptions import RedisError

from console import appkeys, views
from console.auth import current_user, json_error, requires
from handoff.errors import HandoffError, PersonalDataInPublic, TicketOwned, WindowClosed
from handoff.relay import window_state

logger = logging.getLogger(__name__)

MAX_REPLY = 5000
MAX_RESOLUTION = 500


def _error_response(exc: Exception) -> web.Response:
    """The JSON answer for a handoff error (and its extra fields)."""
    status = getattr(exc, "status", 500)
    extra: Dict[str, Any] = {"kind": type(exc).__name__}
    if isinstance(exc, TicketOwned):
        extra["owner"] = exc.owner
    if isinstance(exc, WindowClosed):
        extra.update(channel=exc.channel, alternatives=list(exc.alternatives))
    if isinstance(exc, PersonalDataInPublic):  # 422: warn; resend with "via" (a DM) or edit
        extra.update(channel=exc.channel, alternatives=list(exc.alternatives), choices=list(exc.choices),
                     redacted=exc.redacted)
    return json_error(status, str(exc) if status < 500 else "could not complete the request", **extra)


@web.middleware
async def handoff_errors(request: web.Request, handler) -> web.StreamResponse:
    """Map handoff.errors.HandoffError to its HTTP status and a JSON body (Redis down: 503)."""
    try:
        return await handler(request)
    except RedisError as exc:
        logger.warning("console.redis_error kind=%s", type(exc).__name__)
        return json_error(503, "storage unavailable; try again")
    except HandoffError as exc:
        logger.info("console.handoff_error kind=%s route=%s", type(exc).__name__,
                    request.match_info.route.resource.name if request.match_info.route.resource else None)
        return _error_response(exc)


async def _json_body(request: web.Request) -> Dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except ValueError as exc:
        raise web.HTTPBadRequest(text='{"error": "body is not JSON"}', content_type="application/json") from exc
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error": "body must be a JSON object"}', content_type="application/json")
    return body


def _store(request: web.Request):
    return request.app[appkeys.STORE]


def _window(ticket: Any, now: float, team: Any) -> Dict[str, Any]:
    """The messaging window of the ticket's channel under the team's rules."""
    return window_state(ticket, now, team).as_json()


@requires("tickets:read")
async def list_tickets(request: web.Request) -> web.Response:
    """GET /api/tickets?status=active|open|claimed|mine|resolved&q=words&limit=N."""
    store = _store(request)
    user = current_user(request)
    status = request.query.get("status", "active")
    query = request.query.get("q", "").strip()
    try:
        limit = max(1, min(200, int(request.query.get("limit", "100"))))
    except ValueError:
        return json_error(400, "limit must be a number")
    if query:
        tickets = await store.search(query[:200], limit=limit)
    elif status == "open":
        tickets = await store.list_open(limit)
    elif status == "claimed":
        tickets = await store.list_claimed(limit=limit)
    elif status == "mine":
        tickets = await store.list_claimed(agent=user.name, limit=limit)
    elif status == "resolved":
        tickets = await store.list_resolved(limit)
    elif status == "active":
        tickets = (await store.list_open(limit)) + (await store.list_claimed(limit=limit))
    else:
        return json_error(400, "status must be active, open, claimed, mine or resolved")
    now = time.time()
    team = request.app[appkeys.TEAM]
    rows = [views.ticket_summary(t, now, team) for t in tickets]
    if not query and status != "resolved":
        rows.sort(key=lambda r: (r["status"] != "open", r["effective_priority"], r["sla"]["deadline"] or 0))
    return web.json_response({"now": now, "tickets": rows})


@requires("tickets:read")
async def get_ticket(request: web.Request) -> web.Response:
    """GET /api/tickets/{id}: the ticket with its dossier, live transcript and window.
    The read is recorded in the ticket's history (who, role, when)."""
    store = _store(request)
    ticket_id = request.match_info["ticket_id"]
    user = current_user(request)
    ticket = await store.record_read(ticket_id, user.name, user.role)
    transcript = await store.transcript(ticket_id)
    now = time.time()
    team = request.app[appkeys.TEAM]
    detail = views.ticket_detail(ticket, transcript, now, _window(ticket, now, team), team)
    return web.json_response({"now": now, "ticket": detail})


def _ticket_response(ticket: Any) -> web.Response:
    now = time.time()
    return web.json_response({"now": now, "ticket": views.ticket_summary(ticket, now)})


@requires("tickets:work")
async def claim(request: web.Request) -> web.Response:
    """POST /api/tickets/{id}/claim: 200 with the ticket, 409 if another agent owns it."""
    user = current_user(request)
    ticket = await _store(request).claim(request.match_info["ticket_id"], user.name)
    return _ticket_response(ticket)


@requires("tickets:work")
async def release(request: web.Request) -> web.Response:
    """POST /api/tickets/{id}/release: back to the queue (supervisors: any ticket)."""
    user = current_user(request)
    ticket = await _store(request).release(request.match_info["ticket_id"], user.name,
                                           force=user.can("tickets:any"))
    return _ticket_response(ticket)


@requires("tickets:work")
async def transfer(request: web.Request) -> web.Response:
    """POST /api/tickets/{id}/transfer ``{"to": "agent name"}``."""
    user = current_user(request)
    body = await _json_body(request)
    target = await request.app[appkeys.USERS].get(str(body.get("to", "")))
    if target is None or not target.can("tickets:work"):
        return json_error(400, "'to' must name an agent or supervisor")
    if target.name == user.name:
        return json_error(400, "cannot transfer a ticket to yourself")
    ticket = await _store(request).transfer(request.match_info["ticket_id"], user.name, target.name,
                                            force=user.can("tickets:any"))
    return _ticket_response(ticket)


@requires("tickets:work")
async def reply(request: web.Request) -> web.Response:
    """POST /api/tickets/{id}/reply ``{"text": ..., "via": "twitter_dm"?}``: send through the
    customer's channel, or `via` one of its alternatives (a mention's author by DM). A public
    reply with personal data is refused with 422 ``PersonalDataInPublic`` (nothing sent)."""
    user = current_user(request)
    body = await _json_body(request)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return json_error(400, "'text' must be a non-empty string")
    if len(text) > MAX_REPLY:
        return json_error(400, f"'text' is longer than {MAX_REPLY} characters")
    via = body.get("via")
    if via is not None and not isinstance(via, str):
        return json_error(400, "'via' must be a channel name")
    relay = request.app[appkeys.RELAY]
    if relay is None:
        return json_error(503, "replies are not available: no relay configured")
    ticket_id = request.match_info["ticket_id"]
    turn = await relay.send_agent_reply(ticket_id, text.strip(), user.name, **({"via": via} if via else {}))
    logger.info("console.reply_sent ticket=%s agent=%s", ticket_id, user.name)
    return web.json_response({"turn": turn.as_json() if hasattr(turn, "as_json") else turn})


@requires("tickets:work")
async def resolve(request: web.Request) -> web.Response:
    """POST /api/tickets/{id}/resolve ``{"resolution": "...", "ask_csat": true}``: the bot resumes.

    Agents resolve their own tickets; supervisors any unresolved one.
    """
    user = current_user(request)
    body = await _json_body(request)
    resolution = str(body.get("resolution") or "")[:MAX_RESOLUTION]
    ask_csat = bool(body.get("ask_csat", True))
    relay = request.app[appkeys.RELAY]
    ticket_id = request.match_info["ticket_id"]
    if relay is None:
        return json_error(503, "resolve is not available: no relay configured")
    ticket = await relay.resolve(ticket_id, user.name, resolution=resolution, ask_csat=ask_csat,
                                 force=user.can("tickets:any"))
    logger.info("console.resolved ticket=%s agent=%s", ticket_id, user.name)
    return _ticket_response(ticket)


@requires("tickets:read")
async def canned(request: web.Request) -> web.Response:
    """GET /api/canned: the canned responses."""
    return web.json_response({"responses": [c.as_json() for c in request.app[appkeys.CANNED]]})


@requires("tickets:read")
async def agents(request: web.Request) -> web.Response:
    """GET /api/agents: users who can take tickets, online first (for transfers)."""
    store = _store(request)
    users = await request.app[appkeys.USERS].list()
    rows = views.agents_view(await store.agents_online(), users, await store.list_claimed())
    return web.json_response({"agents": rows})


@requires("supervisor")
async def supervisor_overview(request: web.Request) -> web.Response:
    """GET /api/supervisor/overview: agents online with their load, and queue health."""
    store = _store(request)
    now = time.time()
    open_tickets, claimed = await store.list_open(), await store.list_claimed()
    users = await request.app[appkeys.USERS].list()
    return web.json_response({
        "now": now,
        "agents": views.agents_view(await store.agents_online(), users, claimed),
        "queue": views.queue_health(open_tickets, claimed, now),
        "users": [u.to_json() for u in users],
    })


@requires("trainer")
async def trainer_recent(request: web.Request) -> web.Response:
    """GET /api/trainer/recent: recent low-confidence customer messages from tickets (each
    ticket whose messages are shown gets the read in its history)."""
    store = _store(request)
    try:
        threshold = float(request.query.get("below", views.LOW_CONFIDENCE))
    except ValueError:
        return json_error(400, "below must be a number")
    tickets = (await store.list_open()) + (await store.list_claimed()) + (await store.list_resolved(100))
    rows = views.trainer_rows(tickets, threshold)
    user = current_user(request)
    for ticket_id in dict.fromkeys(row["ticket_id"] for row in rows):
        try:
            await store.record_read(ticket_id, user.name, user.role)
        except HandoffError:  # gone or busy meanwhile: its rows stay out
            rows = [row for row in rows if row["ticket_id"] != ticket_id]
    return web.json_response({"threshold": threshold, "messages": rows})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register the API routes."""
    routes = [
        ("GET", "/api/tickets", list_tickets, "api_tickets"),
        ("GET", "/api/tickets/{ticket_id}", get_ticket, "api_ticket"),
        ("POST", "/api/tickets/{ticket_id}/claim", claim, "api_claim"),
        ("POST", "/api/tickets/{ticket_id}/release", release, "api_release"),
        ("POST", "/api/tickets/{ticket_id}/transfer", transfer, "api_transfer"),
        ("POST", "/api/tickets/{ticket_id}/reply", reply, "api_reply"),
        ("POST", "/api/tickets/{ticket_id}/resolve", resolve, "api_resolve"),
        ("GET", "/api/canned", canned, "api_canned"),
        ("GET", "/api/agents", agents, "api_agents"),
        ("GET", "/api/supervisor/overview", supervisor_overview, "api_supervisor"),
        ("GET", "/api/trainer/recent", trainer_recent, "api_trainer"),
    ]
    for method, path, handler, name in routes:
        router.add_route(method, path, handler, name=name)
