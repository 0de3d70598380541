"""Async Messenger Send API client (aiohttp) with retries and typed errors.

Bodies come from ``connectors.facebook.outbound`` (pure); this module only does I/O,
retries (``connectors.http``) and maps Graph error bodies to typed errors. The Page
access token travels as the ``access_token`` query parameter and is never logged or
put into an error or ``repr``.
"""
from __future__ import annotations

import copy
import logging
from typing import Any, Iterable, Mapping

import aiohttp

from connectors.events import FACEBOOK
from connectors.facebook import outbound
from connectors.http import (
    METRICS,
    Metrics,
    OutsideMessagingWindow,
    PermissionDenied,
    PlatformError,
    RateLimited,
    RetryPolicy,
    ThreadControlledByOtherApp,
    call_with_retry,
    request_json,
    server_requested_wait,
)

__all__ = ["MessengerClient", "graph_error"]

logger = logging.getLogger(__name__)

SUBCODE_OUTSIDE_WINDOW = 2018278
SUBCODE_THREAD_OWNED = 2018300
# 4 app limit, 17 user limit, 32 page limit, 613 API limit; 80006 Messenger
# business-use-case limit (17 and 80006 recalled, not re-read).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80006})
# 1 unknown, 2 service unavailable, 1200 temporary send failure (recalled); Graph also
# flags such errors with "is_transient": true.
TRANSIENT_CODES = frozenset({1, 2, 1200})


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def graph_error(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> PlatformError:
    """Typed error for a non-2xx Graph response (pure).

    code 10 + subcode 2018278 or "outside of allowed window" -> ``OutsideMessagingWindow``;
    code 10 + subcode 2018300 -> ``ThreadControlledByOtherApp``; codes 4/17/32/613/80006
    or HTTP 429 -> ``RateLimited`` (retried); 5xx or a transient code -> retryable
    ``PlatformError``; code 10, 200-299 or HTTP 403 -> ``PermissionDenied``; anything
    else -> ``PlatformError`` (not retried).
    """
    error = payload.get("error") if isinstance(payload, dict) else None
    error = error if isinstance(error, dict) else {}
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    message = error.get("message") if isinstance(error.get("message"), str) else None
    common = {
        "subcode": subcode,
        "platform": FACEBOOK,
        "detail": message,
        "trace_id": error.get("fbtrace_id") if isinstance(error.get("fbtrace_id"), str) else None,
    }
    if code == 10 and (subcode == SUBCODE_OUTSIDE_WINDOW or "outside of allowed window" in (message or "").lower()):
        return OutsideMessagingWindow(status, code, **common)
    if code == 10 and subcode == SUBCODE_THREAD_OWNED:
        return ThreadControlledByOtherApp(status, code, **common)
    if code in RATE_LIMIT_CODES or status == 429:
        return RateLimited(status, code, retry_after=server_requested_wait(headers, 429), **common)
    if status >= 500 or code in TRANSIENT_CODES or error.get("is_transient") is True:
        return PlatformError(status, code, True, retry_after=server_requested_wait(headers, status), **common)
    if code == 10 or (code is not None and 200 <= code <= 299) or status == 403:
        return PermissionDenied(status, code, **common)
    return PlatformError(status, code, False, **common)


class MessengerClient:
    """Send messages and sender actions to Messenger users (PSIDs) through one Page.

    Use ``async with MessengerClient(token) as client:`` or ``await start()`` /
    ``await close()``. A session passed in is used as is and not closed here;
    otherwise the client owns one ``aiohttp.ClientSession``.
    """

    def __init__(
        self,
        page_access_token: str,
        graph_url: str = "https://graph.facebook.com/v21.0",
        *,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 10,
        retry: RetryPolicy = RetryPolicy(),
        metrics: Metrics = METRICS,
    ) -> None:
        if not page_access_token:
            raise ValueError("page access token is not configured")
        self._token = page_access_token
        self.graph_url = graph_url.rstrip("/")
        self._session = session
        self._owns_session = session is None
        self.timeout = timeout
        self.retry = retry
        self.metrics = metrics

    def __repr__(self) -> str:
        return f"MessengerClient(graph_url={self.graph_url!r})"

    async def start(self) -> None:
        """Open the HTTP session (idempotent)."""
        if self._session is None or (self._owns_session and self._session.closed):
            self._session = aiohttp.ClientSession()
            self._owns_session = True

    async def close(self) -> None:
        """Close the session if this client opened it."""
        if self._owns_session and self._session is not None and not self._session.closed:
            await self._session.close()
        if self._owns_session:
            self._session = None

    async def __aenter__(self) -> "MessengerClient":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    async def send_text(
        self,
        psid: str,
        text: str,
        *,
        quick_replies: Iterable[Mapping[str, Any]] | None = None,
        tag: str | None = None,
        metadata: str | None = None,
        skip_parts: int = 0,
    ) -> list[str]:
        """Send ``text`` (split under 2,000 characters) and return the message ids in order.

        ``skip_parts``: parts already delivered by an earlier try (the outbox resumes there).

        ``quick_replies`` (``{"title", "payload"}``) ride on the last chunk.
        ``tag="HUMAN_AGENT"`` sends with ``messaging_type: MESSAGE_TAG`` (human replies
        only). Raises ``OutsideMessagingWindow``, ``ThreadControlledByOtherApp``,
        ``RateLimited`` (after retries) or ``PlatformError``; when a later chunk fails,
        ``error.delivered`` holds the ids already sent.
        """
        messages = outbound.build_text_messages(text, quick_replies=quick_replies, metadata=metadata)
        return await self._send_messages(psid, messages[skip_parts:], tag=tag, operation="send_text")

    async def send_buttons(
        self, psid: str, text: str, buttons: Iterable[Mapping[str, Any]], *, tag: str | None = None,
        skip_parts: int = 0,
    ) -> list[str]:
        """Send a button template (up to 3 postback/url buttons); more buttons fall back
        to quick replies. Returns the message ids in order."""
        messages = outbound.build_button_messages(text, buttons)
        return await self._send_messages(psid, messages[skip_parts:], tag=tag, operation="send_buttons")

    async def send_typing(self, psid: str, on: bool = True) -> None:
        """Show (``typing_on``) or hide (``typing_off``) the typing indicator."""
        action = "typing_on" if on else "typing_off"
        await self._post(outbound.sender_action_request(psid, action), operation=action, psid=psid)

    async def mark_seen(self, psid: str) -> None:
        """Mark the user's last message as seen."""
        await self._post(outbound.sender_action_request(psid, "mark_seen"), operation="mark_seen", psid=psid)

    async def _send_messages(
        self, psid: str, messages: list[dict[str, Any]], *, tag: str | None, operation: str
    ) -> list[str]:
        bodies = [outbound.message_request(psid, message, tag=tag) for message in messages]
        message_ids: list[str] = []
        for index, body in enumerate(bodies):
            try:
                payload = await self._post(body, operation=operation, psid=psid, part=f"{index + 1}/{len(bodies)}",
                                           idempotent=False)
            except PlatformError as error:
                error.delivered = list(message_ids)
                raise
            message_id = payload.get("message_id") if isinstance(payload, dict) else None
            message_ids.append(str(message_id) if message_id is not None else "")
            self.metrics.incr(FACEBOOK, "sent")
            logger.info(
                "platform.sent platform=%s op=%s recipient=%s part=%s/%s message_id=%s tag=%s",
                FACEBOOK, operation, psid, index + 1, len(bodies), message_id, tag,
            )
        return message_ids

    def with_retry(self, retry: RetryPolicy) -> "MessengerClient":
        """A client on the same session and token with another retry policy."""
        other = copy.copy(self)
        other.retry = retry
        return other

    async def _post(self, body: dict[str, Any], *, operation: str, psid: str, part: str | None = None,
                    idempotent: bool = True) -> Any:
        await self.start()
        session = self._session
        assert session is not None
        url = f"{self.graph_url}/me/messages"

        async def attempt() -> Any:
            response = await request_json(
                session, "POST", url, platform=FACEBOOK, timeout=self.timeout,
                params={"access_token": self._token}, json_body=body, idempotent=idempotent,
            )
            if not response.ok:
                raise graph_error(response.status, response.payload, response.headers)
            return response.payload

        ids = {"recipient": psid, **({"part": part} if part else {})}
        return await call_with_retry(
            attempt, policy=self.retry, platform=FACEBOOK, operation=operation, metrics=self.metrics, ids=ids
        )
