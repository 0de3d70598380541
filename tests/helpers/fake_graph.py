"""Recording fake of the Graph Send API (``POST /<version>/me/messages``) on 127.0.0.1."""
from __future__ import annotations

from typing import Any

from aiohttp import web

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


def _len16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def validate_send_body(body: Any) -> str | None:
    """What the real Send API would refuse in ``body``, or ``None`` when valid."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    recipient = body.get("recipient")
    if not isinstance(recipient, dict) or not isinstance(recipient.get("id"), str) or not recipient["id"]:
        return "param recipient[id] must be non-empty"
    if "sender_action" in body:
        if body["sender_action"] not in ("typing_on", "typing_off", "mark_seen"):
            return "param sender_action is invalid"
        if "message" in body:
            return "sender_action cannot be sent with message"
        return None
    messaging_type = body.get("messaging_type")
    if messaging_type not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
        return "param messaging_type is invalid"
    tag = body.get("tag")
    if messaging_type == "MESSAGE_TAG" and not tag:
        return "param tag is required for MESSAGE_TAG"
    if tag is not None and messaging_type != "MESSAGE_TAG":
        return "param tag requires messaging_type MESSAGE_TAG"
    if tag is not None and tag not in ("HUMAN_AGENT", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE"):
        return "param tag is invalid"
    message = body.get("message")
    if not isinstance(message, dict):
        return "param message must be an object"
    if ("text" in message) == ("attachment" in message):
        return "message must have exactly one of text or attachment"
    if "text" in message:
        text = message["text"]
        if not isinstance(text, str) or not text or _len16(text) >= 2000:
            return "param message[text] must be non-empty UTF-8 text less than 2000 characters"
    else:
        problem = _validate_attachment(message["attachment"])
        if problem:
            return problem
    metadata = message.get("metadata")
    if metadata is not None and (not isinstance(metadata, str) or len(metadata) >= 1000):
        return "param message[metadata] must be less than 1000 characters"
    quick_replies = message.get("quick_replies")
    if quick_replies is not None:
        if not isinstance(quick_replies, list) or not 1 <= len(quick_replies) <= 13:
            return "param message[quick_replies] must have 1 to 13 items"
        for reply in quick_replies:
            if reply.get("content_type") == "text":
                title, payload = reply.get("title"), reply.get("payload")
                if not isinstance(title, str) or not title or _len16(title) > 20:
                    return "quick reply title is required and at most 20 characters"
                if not isinstance(payload, str) or not payload or len(payload) > 1000:
                    return "quick reply payload is required and at most 1000 characters"
            elif reply.get("content_type") not in ("user_email", "user_phone_number"):
                return "quick reply content_type is invalid"
    return None


def _validate_attachment(attachment: Any) -> str | None:
    if not isinstance(attachment, dict) or attachment.get("type") != "template":
        return "only template attachments are supported by this fake"
    payload = attachment.get("payload") or {}
    if payload.get("template_type") != "button":
        return "only button templates are supported by this fake"
    text, buttons = payload.get("text"), payload.get("buttons")
    if not isinstance(text, str) or not text or _len16(text) > 640:
        return "button template text is required and at most 640 characters"
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return "button template takes 1 to 3 buttons"
    for button in buttons:
        title = button.get("title")
        if not isinstance(title, str) or not title or _len16(title) > 20:
            return "button title is required and at most 20 characters"
        if button.get("type") == "postback" and not button.get("payload"):
            return "postback button needs a payload"
        if button.get("type") == "web_url" and not button.get("url"):
            return "web_url button needs a url"
        if button.get("type") not in ("postback", "web_url"):
            return "button type is invalid"
    return None
