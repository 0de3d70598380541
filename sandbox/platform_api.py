"""The outbound endpoints the connector clients call, played by the sandbox.

* ``POST /{version}/me/messages?access_token=`` (Graph Send API: messages, sender
  actions, tagged sends);
* ``POST /2/dm_conversations/with/{participant_id}/messages`` (X API v2 DM);
* ``POST /2/tweets`` (X API v2 post, a reply to a customer's mention).

Each call is recorded (never the access token), delayed by the configured latency,
answered with an injected fault when one is queued or a fault window is open (429 with
``Retry-After`` / ``x-rate-limit-reset``, or a 5xx; or 200: accepted, processed, and its
answer held ``delay_s`` seconds), then validated like the real API (token or OAuth
1.0a signature, body limits) and routed to the customer's transcript.
"""
from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any, Awaitable, Callable

from aiohttp import web

from sandbox.settings import SandboxSettings
from sandbox.state import Outbound, SandboxState
from sandbox.validate import graph_send_problem, oauth1_problem, x_dm_problem, x_post_problem

__all__ = ["add_platform_routes", "snowflake", "late_answers"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_counter = itertools.count(1)
LATE_S = "sandbox_late_s"  # request key: seconds to hold an accepted call's answer


def late_answers(handler: Handler) -> Handler:
    """``handler``, with its answer held when an accept-late fault marked the request."""
    async def answer(request: web.Request) -> web.StreamResponse:
        response = await handler(request)
        late = float(request.get(LATE_S) or 0.0)
        if late > 0:
            await asyncio.sleep(late)
        return response

    return answer


def snowflake() -> str:
    """A fresh numeric id shaped like X's (time-ordered, at most 19 digits, unique per run)."""
    return str((int(time.time() * 1000) - 1288834974657) << 22 | (next(_counter) & 0x3FFFFF))


def _graph_error(code: int, message: str, *, subcode: int | None = None, transient: bool = False) -> dict:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                             "fbtrace_id": "SandboxTrace"}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient:
        error["is_transient"] = True
    return {"error": error}


def _x_problem(status: int, title: str, detail: str) -> dict:
    return {"title": title, "detail": detail, "type": "about:blank", "status": status}


class PlatformAPI:
    """Handlers of the three outbound endpoints over one ``SandboxState``."""

    def __init__(self, settings: SandboxSettings, state: SandboxState) -> None:
        self.settings = settings
        self.state = state

    async def _prepare(self, request: web.Request, platform: str) -> tuple[Any, web.Response | None]:
        """Read the body, apply latency and faults; a response when the call ends here."""
        raw = await request.read()
        try:
            body = await request.json() if raw else None
        except ValueError:
            body = None
        delay = self.state.latency_ms.get(platform, 0.0)
        if delay:
            await asyncio.sleep(delay / 1000)
        fault = self.state.take_fault(platform)
        if fault is None:
            return body, None
        if fault.status == 200:  # accepted: processed as usual, answered late (see `late_answers`)
            request[LATE_S] = fault.delay_s
            return body, None
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(int(fault.retry_after)) if float(fault.retry_after).is_integer() \
                else str(fault.retry_after)
        reset_in = fault.reset_in if fault.reset_in is not None else fault.retry_after
        if platform == "twitter" and reset_in is not None:
            headers["x-rate-limit-reset"] = str(int(time.time() + float(reset_in)))
            headers["x-rate-limit-remaining"] = "0"
        if platform == "facebook":
            payload = _graph_error(4, "(#4) Application request limit reached") if fault.status == 429 else \
                _graph_error(2, "An unexpected error has occurred. Please retry your request later.", transient=True)
        else:
            payload = _x_problem(fault.status, "Too Many Requests" if fault.status == 429 else "Service Unavailable",
                                 "injected by the sandbox")
        self._record(platform, "fault", fault.status, fault=f"status_{fault.status}")
        if fault.delay_s:
            await asyncio.sleep(fault.delay_s)
        return body, web.json_response(payload, status=fault.status, headers=headers)

    def _record(self, platform: str, operation: str, status: int, **fields: Any) -> Outbound:
        item = Outbound(self.state.next_seq(), time.monotonic(), platform, operation, status, **fields)
        self.state.add_outbound(item)
        return item

    # ------------------------------------------------------------------ Graph
    async def graph_messages(self, request: web.Request) -> web.Response:
        body, answered = await self._prepare(request, "facebook")
        if answered is not None:
            return answered
        token = request.query.get("access_token", "")
        if not token or token != self.settings.page_access_token:
            self._record("facebook", "send_message", 400, problem="invalid access token")
            return web.json_response(_graph_error(190, "Invalid OAuth access token"), status=400)
        problem = graph_send_problem(body)
        if problem:
            self._record("facebook", "send_message", 400, problem=problem)
            return web.json_response(_graph_error(100, f"(#100) {problem}"), status=400)
        psid = body["recipient"]["id"]
        name = self.state.by_psid.get(psid)
        if name is None:
            self._record("facebook", "send_message", 400, problem="unknown recipient")
            return web.json_response(_graph_error(100, "(#100) No matching user found", subcode=2018001), status=400)
        if "sender_action" in body:
            self._record("facebook", "sender_action", 200, customer=name, channel="messenger",
                         detail={"action": body["sender_action"]})
            return web.json_response({"recipient_id": psid})
        message = body["message"]
        payload = (message.get("attachment") or {}).get("payload") or {}
        text = message.get("text") or payload.get("text") or "[attachment]"
        options = [{"title": str(r.get("title")), "payload": str(r.get("payload") or r.get("title"))}
                   for r in message.get("quick_replies") or [] if r.get("title")]
        options += [{"title": str(b.get("title")), "payload": str(b.get("payload") or b.get("url") or "")}
                    for b in payload.get("buttons") or [] if b.get("title")]
        detail = {"messaging_type": body.get("messaging_type", "RESPONSE")}
        if body.get("tag"):
            detail["tag"] = body["tag"]
        self._record("facebook", "send_message", 200, customer=name, channel="messenger", text=text,
                     options=options, detail=detail)
        return web.json_response({"recipient_id": psid, "message_id": f"m_sbx_out_{snowflake()}"})

    # ------------------------------------------------------------------ X
    def _oauth(self, request: web.Request) -> str | None:
        url = f"{request.scheme}://{request.host}{request.path}"
        return oauth1_problem(request.headers.get("Authorization", ""), request.method, url, request.query,
                              consumer_key=self.settings.consumer_key,
                              consumer_secret=self.settings.consumer_secret,
                              access_token=self.settings.access_token,
                              token_secret=self.settings.access_token_secret)

    async def _x_checked(self, request: web.Request, operation: str) -> tuple[Any, web.Response | None]:
        body, answered = await self._prepare(request, "twitter")
        if answered is not None:
            return body, answered
        problem = self._oauth(request)
        if problem:
            self._record("twitter", operation, 401, problem=problem)
            return body, web.json_response(_x_problem(401, "Unauthorized", "Unauthorized"), status=401)
        if not request.headers.get("Content-Type", "").startswith("application/json"):
            self._record("twitter", operation, 400, problem="content type must be application/json")
            return body, web.json_response(_x_problem(400, "Invalid Request", "not JSON"), status=400)
        return body, None

    async def x_dm(self, request: web.Request) -> web.Response:
        body, answered = await self._x_checked(request, "send_dm")
        if answered is not None:
            return answered
        participant = request.match_info["participant_id"]
        problem = x_dm_problem(participant, body)
        name = self.state.by_x_user.get(participant)
        if problem is None and name is None:
            problem = "participant is not a sandbox customer"
        if problem:
            self._record("twitter", "send_dm", 400, problem=problem)
            return web.json_response({"errors": [{"message": problem}], "title": "Invalid Request"}, status=400)
        self._record("twitter", "send_dm", 201, customer=name, channel="x_dm", text=body["text"])
        data = {"dm_conversation_id": f"{participant}-{self.settings.brand_user_id}", "dm_event_id": snowflake()}
        return web.json_response({"data": data}, status=201)

    async def x_post(self, request: web.Request) -> web.Response:
        body, answered = await self._x_checked(request, "post_reply")
        if answered is not None:
            return answered
        problem = x_post_problem(body)
        in_reply_to = str(((body or {}).get("reply") or {}).get("in_reply_to_tweet_id", ""))
        name = self.state.tweets.get(in_reply_to)
        if problem is None and name is None:
            problem = "the sandbox only takes replies to customers' posts"
        if problem:
            self._record("twitter", "post_reply", 400, problem=problem)
            return web.json_response({"errors": [{"message": problem}], "title": "Invalid Request"}, status=400)
        post_id = snowflake()
        self._record("twitter", "post_reply", 201, customer=name, channel="x_mention", text=body["text"],
                     detail={"in_reply_to_tweet_id": in_reply_to, "id": post_id})
        return web.json_response({"data": {"id": post_id, "text": body["text"]}}, status=201)


def add_platform_routes(app: web.Application, settings: SandboxSettings, state: SandboxState) -> None:
    """Register the outbound endpoints on ``app``."""
    api = PlatformAPI(settings, state)
    app.router.add_post(r"/{version:v[0-9]+\.[0-9]+}/me/messages", late_answers(api.graph_messages))
    app.router.add_post("/2/dm_conversations/with/{participant_id}/messages", late_answers(api.x_dm))
    app.router.add_post("/2/tweets", late_answers(api.x_post))
