"""Async X API v2 client (aiohttp): DMs and public replies, OAuth 1.0a user context.

Each attempt is signed afresh inside the retry loop (new nonce and timestamp). JSON
bodies are not part of the OAuth 1.0a signature base string (platforms.md A.7), so the
request is signed without a body and the JSON is sent as is. Secrets never appear in
logs, errors or ``repr``.
"""
from __future__ import annotations

import copy
import logging
from typing import Any, Mapping, Sequence

import aiohttp
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_AUTH_HEADER
from oauthlib.oauth1 import Client as OAuth1Client

from connectors.events import TWITTER
from connectors.http import (
    METRICS,
    Metrics,
    PermissionDenied,
    PlatformError,
    RateLimited,
    RetryPolicy,
    call_with_retry,
    request_json,
    server_requested_wait,
)
from connectors.twitter import outbound

__all__ = ["XClient", "x_error"]

logger = logging.getLogger(__name__)


def x_error(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> PlatformError:
    """Typed error for a non-2xx X response (pure).

    429 -> ``RateLimited`` waiting for ``Retry-After`` / ``x-rate-limit-reset``; 5xx ->
    retryable ``PlatformError``; 403 -> ``PermissionDenied`` (not permitted to DM this
    user, reply not allowed, duplicate content); others -> ``PlatformError``.
    ``code`` is ``errors[0].code`` (v1.1 style) or the v2 problem ``type``.
    """
    body = payload if isinstance(payload, dict) else {}
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    code = first.get("code") if first.get("code") is not None else body.get("type")
    detail = body.get("detail") or first.get("message") or body.get("title")
    common = {"platform": TWITTER, "detail": detail if isinstance(detail, str) else None}
    if status == 429 or code == 88:
        return RateLimited(status, code, retry_after=server_requested_wait(headers, 429), **common)
    if status >= 500:
        return PlatformError(status, code, True, retry_after=server_requested_wait(headers, status), **common)
    if status == 403:
        return PermissionDenied(status, code, **common)
    return PlatformError(status, code, False, **common)


class XClient:
    """Send DMs and public replies as the brand account (OAuth 1.0a user context).

    Use ``async with XClient(...) as client:`` or ``await start()`` / ``await close()``.
    A session passed in is used as is and not closed here.
    """

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        access_token: str,
        access_token_secret: str,
        api_url: str = "https://api.x.com",
        *,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 10,
        retry: RetryPolicy = RetryPolicy(),
        metrics: Metrics = METRICS,
    ) -> None:
        if not all((consumer_key, consumer_secret, access_token, access_token_secret)):
            raise ValueError("X OAuth 1.0a credentials are not configured")
        self._oauth = OAuth1Client(
            consumer_key,
            client_secret=consumer_secret,
            resource_owner_key=access_token,
            resource_owner_secret=access_token_secret,
            signature_method=SIGNATURE_HMAC_SHA1,
            signature_type=SIGNATURE_TYPE_AUTH_HEADER,
        )
        self.api_url = api_url.rstrip("/")
        self._session = session
        self._owns_session = session is None
        self.timeout = timeout
        self.retry = retry
        self.metrics = metrics

    def __repr__(self) -> str:
        return f"XClient(api_url={self.api_url!r})"

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

    async def __aenter__(self) -> "XClient":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    def sign(self, method: str, url: str) -> dict[str, str]:
        """Headers for one request: ``Authorization: OAuth ...`` (fresh nonce and
        timestamp on every call) and ``Content-Type: application/json``."""
        _, headers, _ = self._oauth.sign(url, http_method=method, body=None,
                                         headers={"Content-Type": "application/json"})
        return dict(headers)

    async def send_dm(
        self, participant_id: str, text: str, *, options: Sequence[Mapping[str, Any]] | None = None,
        skip_parts: int = 0,
    ) -> str:
        """Send a DM (split above 10,000 characters; ``options`` rendered as a numbered
        list on the last part) and return the ``dm_event_id`` of the last part.

        Raises ``RateLimited`` (after retries), ``PermissionDenied`` or ``PlatformError``;
        when a later part fails, ``error.delivered`` holds the ids already sent.
        ``skip_parts``: parts delivered by an earlier try (the outbox resumes there).
        """
        participant = outbound.check_id(participant_id, "participant id")
        url = f"{self.api_url}/2/dm_conversations/with/{participant}/messages"
        parts = outbound.split_dm(text, options)
        event_ids: list[str] = []
        for index, part in enumerate(parts):
            if index < skip_parts:
                continue
            ids = {"recipient": participant, "part": f"{index + 1}/{len(parts)}"}
            try:
                payload = await self._post(url, outbound.dm_request(part), operation="send_dm", ids=ids)
            except PlatformError as error:
                error.delivered = list(event_ids)
                raise
            event_id = self._data_field(payload, "dm_event_id")
            event_ids.append(event_id)
            self.metrics.incr(TWITTER, "sent")
            logger.info("platform.sent platform=%s op=send_dm recipient=%s part=%s/%s dm_event_id=%s",
                        TWITTER, participant, index + 1, len(parts), event_id)
        return event_ids[-1] if event_ids else ""

    async def reply_to_tweet(self, tweet_id: str, text: str) -> str:
        """Reply publicly to ``tweet_id`` (text fitted to 280, never a thread) and
        return the new post id."""
        body = outbound.reply_request(tweet_id, text)
        payload = await self._post(f"{self.api_url}/2/tweets", body, operation="reply_to_tweet",
                                   ids={"in_reply_to": body["reply"]["in_reply_to_tweet_id"]})
        post_id = self._data_field(payload, "id")
        self.metrics.incr(TWITTER, "sent")
        logger.info("platform.sent platform=%s op=reply_to_tweet in_reply_to=%s post_id=%s",
                    TWITTER, body["reply"]["in_reply_to_tweet_id"], post_id)
        return post_id

    @staticmethod
    def _data_field(payload: Any, name: str) -> str:
        data = payload.get("data") if isinstance(payload, dict) else None
        value = data.get(name) if isinstance(data, dict) else None
        if value is None:
            raise PlatformError(None, "unexpected_response", False, platform=TWITTER)
        return str(value)

    def with_retry(self, retry: RetryPolicy) -> "XClient":
        """A client on the same session and credentials with another retry policy."""
        other = copy.copy(self)
        other.retry = retry
        return other

    async def _post(self, url: str, body: dict[str, Any], *, operation: str, ids: Mapping[str, Any]) -> Any:
        await self.start()
        session = self._session
        assert session is not None

        async def attempt() -> Any:
            response = await request_json(
                session, "POST", url, platform=TWITTER, timeout=self.timeout,
                json_body=body, headers=self.sign("POST", url), idempotent=False,
            )
            if not response.ok:
                raise x_error(response.status, response.payload, response.headers)
            return response.payload

        return await call_with_retry(
            attempt, policy=self.retry, platform=TWITTER, operation=operation, metrics=self.metrics, ids=ids
        )
