"""Sanic side of a webhook POST, shared by the Messenger and X channels.

``read_body`` reads at most ``limit`` bytes (413 beyond), ``decode_json``
(``connectors.intake.jsonbody``) turns bad JSON into ``MalformedPayload``, ``status_for``
maps the connector errors to HTTP statuses and ``accept`` splits a parsed batch: inbound events are enqueued (dedup + stream), standby events recorded for the
handover, unusable items (``RejectedEvent``) kept in the dead letters with their reason,
ignored ones counted. The caller answers 200 only after ``accept`` returned. Logs carry
counts, ids and item paths, never text.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Sequence

from sanic import response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.events import IgnoredEvent, InboundEvent, ParsedEvent, RejectedEvent, StandbyEvent
from connectors.http import METRICS, Metrics
from connectors.intake.deadletters import DeadLetters, item_json
from connectors.intake.jsonbody import MAX_JSON_DEPTH, decode_json
from connectors.intake.queue import IntakeQueue
from connectors.security import (
    ConfigurationError,
    MalformedPayload,
    SignatureError,
    UnsupportedObject,
    VerificationError,
)

__all__ = ["BodyTooLarge", "read_body", "decode_json", "status_for", "error", "accept", "Accepted",
           "MAX_JSON_DEPTH"]

logger = logging.getLogger(__name__)


class BodyTooLarge(Exception):
    """The request body is over the configured limit (answer 413)."""


_STATUS = (
    (BodyTooLarge, 413, "body_too_large"),
    (SignatureError, 401, "invalid_signature"),
    (VerificationError, 403, "verification_failed"),
    (MalformedPayload, 400, "malformed_payload"),
    (UnsupportedObject, 400, "unsupported_object"),
    (ConfigurationError, 503, "channel_not_configured"),
)


def status_for(exc: BaseException) -> tuple[int, str]:
    """HTTP status and error code for a connector error (500 for anything else)."""
    for kind, status, code in _STATUS:
        if isinstance(exc, kind):
            return status, code
    return 500, "internal_error"


def error(status: int, code: str, **extra: Any) -> HTTPResponse:
    """A small JSON error body: ``{"error": code, ...}`` (never secrets or payloads)."""
    return response.json({"error": code, **extra}, status=status)


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body of a streamed request, at most ``limit`` bytes, else ``BodyTooLarge``."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise BodyTooLarge()
        except ValueError:
            raise MalformedPayload("headers.content-length", "not a number") from None
    stream = request.stream
    if stream is None:  # a non-streaming route: Sanic already buffered the body
        body = request.body or b""
        if len(body) > limit:
            raise BodyTooLarge()
        return body
    stream.request_max_size = limit  # Sanic refuses (and drains no more than) this much
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in stream:
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge()
            chunks.append(chunk)
    except PayloadTooLarge:
        raise BodyTooLarge() from None
    return b"".join(chunks)




@dataclass(frozen=True)
class Accepted:
    """Counts of one accepted webhook batch."""

    accepted: int
    duplicates: int
    ignored: int
    standby: int
    rejected: int = 0

    def as_json(self) -> dict[str, int]:
        return {"accepted": self.accepted, "duplicates": self.duplicates,
                "ignored": self.ignored, "standby": self.standby, "rejected": self.rejected}


async def accept(queue: IntakeQueue, platform: str, events: Sequence[ParsedEvent],
                 metrics: Metrics = METRICS, deadletters: DeadLetters | None = None) -> Accepted:
    """Enqueue the inbound events, record the standby ones and keep the rejected ones in
    ``deadletters`` (all durable on return; a Redis error propagates: no 200 then).
    Without a store the rejected items are only counted and logged (by path)."""
    inbound = [e for e in events if isinstance(e, InboundEvent)]
    standby = [e for e in events if isinstance(e, StandbyEvent)]
    ignored = [e for e in events if isinstance(e, IgnoredEvent)]
    rejected = [e for e in events if isinstance(e, RejectedEvent)]
    result = await queue.enqueue(inbound)
    recorded = await queue.record_standby(standby)
    dead_ids: list[str] = []
    if rejected and deadletters is not None:
        dead_ids = await deadletters.add_many([(e.platform, e.reason, item_json(e.item)) for e in rejected])
    for name, amount in (("intake_accepted", len(result.accepted)),
                         ("intake_duplicates", len(result.duplicates)),
                         ("intake_ignored", len(ignored)), ("intake_standby", recorded),
                         ("intake_rejected", len(rejected))):
        if amount:
            metrics.incr(platform, name, amount)
    if ignored:
        reasons: dict[str, int] = {}
        for event in ignored:
            reasons[event.reason] = reasons.get(event.reason, 0) + 1
            if event.detail == "policy_enforcement":
                logger.warning("webhook.policy_enforcement platform=%s account=%s action=%s", platform,
                               event.account_id, str(event.metadata.get("action"))[:20])
        logger.debug("webhook.ignored platform=%s reasons=%s", platform, reasons)
    for event, dead_id in zip(rejected, dead_ids or [""] * len(rejected)):
        logger.warning("webhook.item_rejected platform=%s path=%s reason=%s dead_letter=%s", platform,
                       event.path, event.reason, dead_id or "none")
    logger.info("webhook.accepted platform=%s events=%s accepted=%s duplicates=%s ignored=%s standby=%s "
                "rejected=%s entries=%s", platform, len(events), len(result.accepted), len(result.duplicates),
                len(ignored), recorded, len(rejected), ",".join(result.entry_ids))
    return Accepted(len(result.accepted), len(result.duplicates), len(ignored), recorded, len(rejected))
