"""Recording fake of the Graph Send API (``POST /<version>/me/messages``) on 127.0.0.1."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.validate import graph_send_problem as validate_send_body
from tests.helpers.fake_server import FakeServer

__all__ = ["GRAPH_VERSION", "FakeGraphAPI", "graph_error_body", "validate_send_body"]

GRAPH_VERSION = "v21.0"


class FakeGraphAPI(FakeServer):
    """``POST /<version>/me/messages`` of the Graph Send API.

    ``close_window(psid)``: sends to that user fail with the outside-window error
    (code 10, subcode 2018278) unless tagged ``MESSAGE_TAG``. ``give_thread_to_other_app
    (psid)``: sends fail with code 10, subcode 2018300.
    """

    def __init__(self, page_token: str | None = None) -> None:
        super().__init__()
        self.page_token = page_token
        self.closed_windows: set[str] = set()
        self.other_app_threads: set[str] = set()

    @property
    def graph_url(self) -> str:
        return f"{self.base_url}/{GRAPH_VERSION}"

    def close_window(self, psid: str) -> None:
        self.closed_windows.add(psid)

    def give_thread_to_other_app(self, psid: str) -> None:
        self.other_app_threads.add(psid)

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(f"/{GRAPH_VERSION}/me/messages", self._messages)
        return app

    def _error_body(self, status: int) -> Any:
        if status == 429:
            return graph_error_body(4, "(#4) Application request limit reached")
        return graph_error_body(2, "An unexpected error has occurred. Please retry your request later.",
                                transient=True)

    async def _messages(self, request: web.Request) -> web.Response:
        record = await self._record(request)
        faulted = await self._maybe_fault(record)
        if faulted is not None:
            return faulted
        token = record.query.get("access_token")
        if not token:
            return self._answer(record, graph_error_body(104, "An access token is required to request this resource."), 400)
        if self.page_token is not None and token != self.page_token:
            return self._answer(record, graph_error_body(190, "Invalid OAuth access token - Cannot parse access token"), 400)
        problem = validate_send_body(record.json)
        if problem:
            return self._answer(record, graph_error_body(100, f"(#100) {problem}"), 400)
        body = record.json
        psid = body["recipient"]["id"]
        if "sender_action" in body:
            return self._answer(record, {"recipient_id": psid}, 200)
        if psid in self.other_app_threads:
            return self._answer(record, graph_error_body(
                10, "(#10) Message failed to send because another app is controlling this thread now.",
                subcode=2018300), 400)
        if psid in self.closed_windows and body.get("messaging_type") != "MESSAGE_TAG":
            return self._answer(record, graph_error_body(
                10, "(#10) This message is sent outside of allowed window.", subcode=2018278), 400)
        return self._answer(record, {"recipient_id": psid, "message_id": f"m_fake_{next(self._ids)}"}, 200)


def graph_error_body(code: int, message: str, *, subcode: int | None = None, transient: bool = False) -> dict:
    """A Graph error body shaped like the documented ones."""
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                             "fbtrace_id": "AfakeTraceId"}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient:
        error["is_transient"] = True
    return {"error": error}
