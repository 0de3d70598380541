"""Deliver signed webhooks to the Rasa server the way the platforms do.

``WebhookSender.deliver`` POSTs the exact bytes it signed to
``{rasa_url}/webhooks/{facebook|twitter}/webhook``; anything but 200 (or a timeout, or a
refused connection) is retried after ``retry_base_s * 3**n`` seconds (capped at 30 s),
at most ``retries`` times, like X's enterprise schedule and Meta's retry-until-200.
Every attempt is recorded on the ``Inbound`` item with its status and latency.
``check_subscriptions`` runs the platforms' GET checks (Messenger verify, X CRC).
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from typing import Any

import aiohttp

from sandbox.settings import SandboxSettings
from sandbox.signing import crc_response_token, messenger_headers, twitter_headers
from sandbox.state import Inbound, SandboxState

__all__ = ["WebhookSender"]

logger = logging.getLogger(__name__)
MAX_RETRY_WAIT_S = 30.0


class WebhookSender:
    """Signed webhook delivery with retries; one aiohttp session for all of it."""

    def __init__(self, settings: SandboxSettings, state: SandboxState, *, retry_base_s: float = 1.0) -> None:
        self.settings = settings
        self.state = state
        self.retry_base_s = retry_base_s
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self.session is None:
            connector = aiohttp.TCPConnector(limit=200)
            self.session = aiohttp.ClientSession(connector=connector)

    async def close(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            await session.close()

    def url(self, platform: str) -> str:
        return f"{self.settings.rasa_url}/webhooks/{platform}/webhook"

    def sign(self, platform: str, raw: bytes) -> dict[str, str]:
        if platform == "facebook":
            return messenger_headers(self.settings.app_secret, raw)
        return twitter_headers(self.settings.consumer_secret, raw)

    async def deliver(self, item: Inbound, platform: str, body: dict[str, Any]) -> Inbound:
        """POST ``body`` until Rasa answers 200 or the retries are spent."""
        assert self.session is not None, "sender not started"
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json", **self.sign(platform, raw)}
        timeout = aiohttp.ClientTimeout(total=self.settings.webhook_timeout_s)
        retries = max(0, int(self.settings.webhook_retries))
        for attempt in range(retries + 1):
            started = time.monotonic()
            status: int | None = None
            error = None
            try:
                async with self.session.post(self.url(platform), data=raw, headers=headers,
                                             timeout=timeout) as response:
                    await response.read()
                    status = response.status
            except asyncio.TimeoutError:
                error = "timeout"
            except aiohttp.ClientError as exc:
                error = type(exc).__name__
            ended = time.monotonic()
            item.attempts.append({"status": status, "ms": round((ended - started) * 1000, 3), "error": error})
            if status == 200:
                item.acked_at = ended
                item.status = "delivered"
                self.state.delivery_update(item)
                return item
            logger.info("sandbox.delivery_retry platform=%s event_id=%s attempt=%s status=%s error=%s",
                        platform, item.event_id, attempt + 1, status, error)
            if attempt < retries:
                await asyncio.sleep(min(MAX_RETRY_WAIT_S, self.retry_base_s * (3 ** attempt)))
        item.status = "failed"
        self.state.delivery_update(item)
        logger.warning("sandbox.delivery_failed platform=%s event_id=%s attempts=%s", platform,
                       item.event_id, len(item.attempts))
        return item

    async def check_subscriptions(self) -> dict[str, Any]:
        """Messenger verify and X CRC against the Rasa server: ``{platform: {"ok", "status"}}``."""
        assert self.session is not None, "sender not started"
        timeout = aiohttp.ClientTimeout(total=3)
        result: dict[str, Any] = {}
        challenge = str(secrets.randbelow(10 ** 9))
        params = {"hub.mode": "subscribe", "hub.verify_token": self.settings.verify_token,
                  "hub.challenge": challenge}
        result["facebook"] = await self._check(self.url("facebook"), params, timeout,
                                               lambda text: text == challenge)
        token = secrets.token_urlsafe(16)
        expected = crc_response_token(self.settings.consumer_secret, token)

        def crc_ok(text: str) -> bool:
            try:
                return json.loads(text).get("response_token") == expected
            except (ValueError, AttributeError):
                return False

        result["twitter"] = await self._check(self.url("twitter"), {"crc_token": token}, timeout, crc_ok)
        return result

    async def _check(self, url: str, params: dict[str, str], timeout: aiohttp.ClientTimeout,
                     ok: Any) -> dict[str, Any]:
        assert self.session is not None
        started = time.monotonic()
        try:
            async with self.session.get(url, params=params, timeout=timeout) as response:
                text = await response.text()
                return {"ok": response.status == 200 and ok(text), "status": response.status,
                        "ms": round((time.monotonic() - started) * 1000, 1)}
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            return {"ok": False, "status": None, "error": type(exc).__name__}
