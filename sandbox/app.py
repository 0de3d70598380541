"""aiohttp app factory of the platform sandbox and its customer-side API.

Routes (JSON unless said otherwise):

* ``GET /``: the chat page (static HTML; chat as a customer over Messenger, X DM or a
  public @mention and watch the replies arrive).
* ``GET /sandbox/api/health``: ``{"status": "ok"}``.
* ``POST /sandbox/api/messages`` ``{"channel": "messenger"|"x_dm"|"x_mention",
  "customer": "alice", "text": "...", "payload": optional quick-reply/postback payload,
  "in_reply_to": optional post id (x_mention: a reply in that thread), "wait": true}``: builds the platform's webhook, signs it, delivers it to Rasa
  (retrying on non-200/timeouts) and answers with the delivery record (``wait: false``:
  202 at once, delivery in the background).
* ``POST /sandbox/api/customers`` ``{"customer": "alice", "post_id": optional}``: register
  a customer and get its platform ids (for load tools that post webhooks to Rasa
  themselves; ``post_id``: a public post of theirs such a tool delivers, so replies route).
* ``GET /sandbox/api/transcript/{customer}``: that customer's messages in and out.
* ``GET /sandbox/api/inbound`` / ``GET /sandbox/api/outbound``: every delivery (attempts,
  ack time, reply times) / every outbound call (status, problem, fault).
* ``POST /sandbox/api/faults`` ``{"platform": "facebook"|"twitter", "status": 429,
  "count": 1, "retry_after": 1, "reset_in": 120, "delay_s": 0, "for_s": null}``: fail
  the next outbound calls (``for_s``: every call for that many seconds; ``reset_in``: X's
  ``x-rate-limit-reset`` that far away; status 200 with ``delay_s``: accept the call, then
  answer it ``delay_s`` seconds late).
* ``POST /sandbox/api/latency`` ``{"platform": ..., "ms": 50}``: delay outbound answers.
* ``POST /sandbox/api/check``: Messenger verify and X CRC against the Rasa server.
* ``POST /sandbox/api/reset``: forget deliveries, outbound calls and faults.
* ``GET /sandbox/api/events``: server-sent events of everything above, live.

Plus the platform endpoints of ``sandbox.platform_api``. The app binds to 127.0.0.1 by
default; logs carry ids and counts, never message text.
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox import payloads
from sandbox.delivery import WebhookSender
from sandbox.platform_api import add_platform_routes, snowflake
from sandbox.settings import SandboxSettings
from sandbox.state import PLATFORM_OF, Inbound, SandboxState

__all__ = ["create_app", "STATE", "SENDER"]

logger = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
STATE: web.AppKey[SandboxState] = web.AppKey("sandbox_state", SandboxState)
SENDER: web.AppKey[WebhookSender] = web.AppKey("sandbox_sender", WebhookSender)
TASKS: web.AppKey[set] = web.AppKey("sandbox_tasks", set)
SETTINGS: web.AppKey[SandboxSettings] = web.AppKey("sandbox_settings", SandboxSettings)
MAX_TEXT = 5000


class BadRequest(Exception):
    """A customer API request that cannot be served (answered 400 with the reason)."""


def _body(channel: str, settings: SandboxSettings, state: SandboxState, person: payloads.Customer,
          event_id: str, text: str, payload: str | None, now_ms: int,
          in_reply_to: str | None = None) -> dict[str, Any]:
    if channel == "messenger":
        if payload is not None and text.startswith("[postback]"):
            return payloads.messenger_postback(settings.page_id, person.psid, event_id,
                                               text[len("[postback]"):].strip() or payload, payload, now_ms)
        return payloads.messenger_message(settings.page_id, person.psid, event_id, text, now_ms, payload)
    if channel == "x_dm":
        return payloads.x_dm(settings.brand_user_id, settings.brand_handle, person, event_id, text, now_ms)
    state.remember_post(event_id, person.name)
    mention = payloads.x_mention(settings.brand_user_id, settings.brand_handle, person, event_id, text, now_ms)
    if in_reply_to:  # a reply in someone's thread (the post's author as the sandbox knows it)
        author = state.customers.get(state.tweets.get(in_reply_to, ""))
        payloads.in_thread(mention, in_reply_to, author)
    return mention


def _parse_message(data: Any) -> tuple[str, str, str, str | None, bool, str | None]:
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    channel = data.get("channel")
    if channel not in payloads.CHANNELS:
        raise BadRequest("channel must be one of " + ", ".join(payloads.CHANNELS))
    text = data.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise BadRequest(f"text must be 1 to {MAX_TEXT} characters")
    if channel == "x_mention" and len(text) > 260:
        raise BadRequest("a public post is at most 280 characters with the @handle")
    name = data.get("customer") or "customer"
    payload = data.get("payload")
    if payload is not None and (not isinstance(payload, str) or channel != "messenger"):
        raise BadRequest("payload is a string, for Messenger only (X v2 DMs have no quick replies)")
    in_reply_to = data.get("in_reply_to")
    if in_reply_to is not None and (channel != "x_mention" or not str(in_reply_to).isdigit()):
        raise BadRequest("in_reply_to is a post id, for x_mention only")
    return channel, str(name), text, payload, bool(data.get("wait", True)), in_reply_to


async def post_message(request: web.Request) -> web.Response:
    """Deliver one customer message as the platform's webhook (see the module docstring)."""
    state, sender = request.app[STATE], request.app[SENDER]
    settings = request.app[SETTINGS]
    try:
        channel, name, text, payload, wait, in_reply_to = _parse_message(await _json(request))
    except BadRequest as exc:
        return web.json_response({"error": str(exc)}, status=400)
    person = state.customer(name)
    event_id = f"m_sbx_{secrets.token_hex(12)}" if channel == "messenger" else snowflake()
    now_ms = int(time.time() * 1000)
    body = _body(channel, settings, state, person, event_id, text, payload, now_ms, in_reply_to)
    item = Inbound(state.next_seq(), event_id, channel, person.name, text, time.monotonic())
    state.add_inbound(item)
    delivery = sender.deliver(item, PLATFORM_OF[channel], body)
    if wait:
        await delivery
        return web.json_response(state.inbound_json(item))
    task = asyncio.create_task(delivery)
    tasks: set = request.app[TASKS]
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return web.json_response(state.inbound_json(item), status=202)


async def _json(request: web.Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


async def register_customer(request: web.Request) -> web.Response:
    data = await _json(request) or {}
    if not isinstance(data, dict) or not isinstance(data.get("customer"), str) or not data["customer"].strip():
        return web.json_response({"error": "customer must be a non-empty string"}, status=400)
    person = request.app[STATE].customer(data["customer"])
    post_id = data.get("post_id")
    if post_id is not None:  # a public post the load tool delivers itself, so replies to it route back
        if not str(post_id).isdigit():
            return web.json_response({"error": "post_id must be a numeric post id"}, status=400)
        request.app[STATE].remember_post(str(post_id), person.name)
    return web.json_response({"customer": person.name, "psid": person.psid, "x_user_id": person.x_user_id,
                              "x_handle": person.x_handle})


async def transcript(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return web.json_response({"customer": request.match_info["customer"],
                              "messages": state.transcript(payloads.customer(request.match_info["customer"]).name)})


async def inbound(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return web.json_response([state.inbound_json(item) for item in state.inbound])


async def outbound(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return web.json_response([state.outbound_json(item) for item in state.outbound])


def _seconds(value: Any, top: float = 3600) -> bool:
    """An optional number of seconds, 0 to ``top``."""
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= top)


async def faults(request: web.Request) -> web.Response:
    data = await _json(request) or {}
    platform, status = data.get("platform"), data.get("status")
    count, retry_after = data.get("count", 1), data.get("retry_after")
    reset_in, delay_s, for_s = data.get("reset_in"), data.get("delay_s"), data.get("for_s")
    if platform not in ("facebook", "twitter") or not isinstance(status, int) or \
            not (status in (200, 429) or 500 <= status <= 599) or not isinstance(count, int) or \
            not 1 <= count <= 1000 or not all(_seconds(v) for v in (retry_after, reset_in, delay_s, for_s)) or \
            (status == 200 and not delay_s):
        return web.json_response({"error": "platform facebook|twitter, status 429, 5xx or 200 (with delay_s), "
                                           "count 1-1000; retry_after, reset_in, delay_s, for_s seconds"},
                                 status=400)
    request.app[STATE].inject(platform, status, count, retry_after, reset_in=reset_in,
                              delay_s=float(delay_s or 0.0), for_s=for_s)
    return web.json_response({"queued": len(request.app[STATE].faults[platform]),
                              "window": platform in request.app[STATE].windows})


async def latency(request: web.Request) -> web.Response:
    data = await _json(request) or {}
    platforms = [data["platform"]] if data.get("platform") else ["facebook", "twitter"]
    ms = data.get("ms")
    if not all(p in ("facebook", "twitter") for p in platforms) or not isinstance(ms, (int, float)) or \
            not 0 <= ms <= 60_000:
        return web.json_response({"error": "platform facebook|twitter (optional), ms 0-60000"}, status=400)
    for platform in platforms:
        request.app[STATE].latency_ms[platform] = float(ms)
    return web.json_response({"latency_ms": request.app[STATE].latency_ms})


async def check(request: web.Request) -> web.Response:
    return web.json_response(await request.app[SENDER].check_subscriptions())


async def reset(request: web.Request) -> web.Response:
    request.app[STATE].reset()
    return web.json_response({"status": "reset"})


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: one ``data:`` line of JSON per inbound, delivery or outbound."""
    state = request.app[STATE]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    queue = state.subscribe()
    try:
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), 15)
                await response.write(f"data: {json.dumps(message, ensure_ascii=False)}\n\n".encode("utf-8"))
            except asyncio.TimeoutError:
                await response.write(b": keep-alive\n\n")
    except ConnectionResetError:  # the page went away
        pass
    finally:
        state.unsubscribe(queue)
    return response


async def page(_: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def _lifecycle(app: web.Application):
    sender = app[SENDER]
    await sender.start()
    yield
    for task in list(app[TASKS]):
        task.cancel()
    await asyncio.gather(*app[TASKS], return_exceptions=True)
    await sender.close()


def create_app(settings: SandboxSettings, *, retry_base_s: float = 1.0) -> web.Application:
    """The sandbox app: platform endpoints, customer API, live events and the page."""
    app = web.Application(client_max_size=2 * 1024 * 1024)
    state = SandboxState()
    state.latency_ms = {"facebook": settings.latency_ms, "twitter": settings.latency_ms}
    app[SETTINGS] = settings
    app[STATE] = state
    app[SENDER] = WebhookSender(settings, state, retry_base_s=retry_base_s)
    app[TASKS] = set()
    add_platform_routes(app, settings, state)
    app.router.add_get("/", page)
    app.router.add_get("/sandbox/api/health", health)
    app.router.add_post("/sandbox/api/messages", post_message)
    app.router.add_post("/sandbox/api/customers", register_customer)
    app.router.add_get("/sandbox/api/transcript/{customer}", transcript)
    app.router.add_get("/sandbox/api/inbound", inbound)
    app.router.add_get("/sandbox/api/outbound", outbound)
    app.router.add_post("/sandbox/api/faults", faults)
    app.router.add_post("/sandbox/api/latency", latency)
    app.router.add_post("/sandbox/api/check", check)
    app.router.add_post("/sandbox/api/reset", reset)
    app.router.add_get("/sandbox/api/events", events)
    app.cleanup_ctx.append(_lifecycle)
    return app
