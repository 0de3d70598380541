"""Shared outbound HTTP plumbing for the platform clients: retries, typed errors, counters.

* ``RetryPolicy``: how often and how long to retry one platform call.
* ``server_requested_wait`` / ``compute_wait``: the wait before the next attempt, from
  ``Retry-After`` (seconds or HTTP date), X's ``x-rate-limit-reset`` (epoch seconds, on
  429 only) or else exponential backoff with full jitter; always capped by the policy.
* ``call_with_retry``: runs one attempt function under tenacity. Only errors marked
  ``retryable`` (429, 5xx, platform "transient" codes, connection errors, timeouts) are
  retried, bounded both in attempts and in total time. The attempt function is called
  afresh each time, so per-attempt work (OAuth nonce/timestamp) is redone.
* ``request_json``: one HTTP request with a timeout; aiohttp errors become
  ``PlatformConnectionError``; the body is decoded as JSON when it is JSON.
* ``Metrics``: in-process counters (``sent``, ``retried``, ``failed``, ``rate_limited``)
  per platform.

Logs carry event names, platform, operation, ids, status and error codes only: never
message text, tokens or URLs (a Graph URL holds the access token).
"""
from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Awaitable, Callable, Mapping, TypeVar

import aiohttp
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, stop_before_delay
from tenacity.wait import wait_base

__all__ = [
    "RetryPolicy",
    "PlatformError",
    "PlatformConnectionError",
    "RateLimited",
    "OutsideMessagingWindow",
    "PermissionDenied",
    "ThreadControlledByOtherApp",
    "Metrics",
    "METRICS",
    "Response",
    "server_requested_wait",
    "backoff_wait",
    "compute_wait",
    "call_with_retry",
    "request_json",
    "may_have_been_sent",
    "SINGLE_ATTEMPT",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Retry bounds for one platform call.

    max_attempts: attempts in all, the first included (1 disables retries).
    base_wait: first backoff ceiling in seconds; doubles per attempt.
    max_wait: cap on any single wait, server-requested waits included.
    max_total: no new attempt starts if it could only begin after this many seconds
        from the first one (waits included; a running attempt is bounded by the timeout).
    jitter: full jitter (uniform in [0, ceiling]) for computed backoff.
    """

    max_attempts: int = 4
    base_wait: float = 0.5
    max_wait: float = 10.0
    max_total: float = 30.0
    jitter: bool = True

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_wait < 0 or self.max_wait < 0 or self.max_total <= 0:
            raise ValueError("waits must be non-negative and max_total positive")


# One attempt, no retry: for callers that schedule retries themselves (the outbox).
SINGLE_ATTEMPT = RetryPolicy(max_attempts=1)

# --------------------------------------------------------------------------- errors


class PlatformError(Exception):
    """A platform call failed. ``status`` is the HTTP status (``None`` without a response).

    ``code``/``subcode`` are the platform's error code (Graph ``error.code`` and
    ``error_subcode``; X ``errors[0].code`` or the problem ``type``). ``retryable`` says
    whether ``call_with_retry`` may try again; ``retry_after`` is a server-requested
    wait in seconds. ``detail`` is the platform's short error message, kept out of
    ``str()``. ``attempts`` is set once retries are exhausted; ``delivered`` lists the
    ids of parts already sent when a multi-part send fails midway.
    """

    default_retryable = False

    def __init__(
        self,
        status: int | None,
        code: int | str | None = None,
        retryable: bool | None = None,
        *,
        subcode: int | None = None,
        platform: str | None = None,
        retry_after: float | None = None,
        detail: str | None = None,
        trace_id: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.subcode = subcode
        self.retryable = self.default_retryable if retryable is None else bool(retryable)
        self.platform = platform
        self.retry_after = retry_after
        self.detail = detail[:200] if isinstance(detail, str) else None
        self.trace_id = trace_id
        self.attempts: int | None = None
        self.delivered: list[str] = []
        super().__init__(
            f"{type(self).__name__}: platform={platform} status={status} code={code} "
            f"subcode={subcode} retryable={self.retryable}"
        )


class PlatformConnectionError(PlatformError):
    """No usable HTTP response: connection refused/reset or timeout (``code`` says which)."""

    default_retryable = True


def may_have_been_sent(error: BaseException) -> bool:
    """Whether a failed send may still have been accepted by the platform (a timeout or a
    connection dropped after the request went out): such a send must not be repeated
    blindly."""
    return isinstance(error, PlatformConnectionError) and error.code in ("timeout", "disconnected")


class RateLimited(PlatformError):
    """HTTP 429 or a platform rate-limit code; retried after the requested wait."""

    default_retryable = True


class OutsideMessagingWindow(PlatformError):
    """Messenger: the 24 h window is closed for this user (only a tag may reach them)."""


class PermissionDenied(PlatformError):
    """The app or account lacks a permission, or the platform forbids this send."""


class ThreadControlledByOtherApp(PlatformError):
    """Messenger handover: another app (e.g. Page Inbox) owns the thread now."""


# --------------------------------------------------------------------------- metrics


@dataclass
class Metrics:
    """In-process counters by platform: ``{"facebook": {"sent": 3, "retried": 1}}``."""

    counters: dict[str, dict[str, int]] = field(default_factory=dict)

    def incr(self, platform: str, name: str, amount: int = 1) -> None:
        """Add ``amount`` to one counter."""
        by_name = self.counters.setdefault(platform, {})
        by_name[name] = by_name.get(name, 0) + amount

    def get(self, platform: str, name: str) -> int:
        """Current value of one counter (0 when never incremented)."""
        return self.counters.get(platform, {}).get(name, 0)

    def snapshot(self) -> dict[str, dict[str, int]]:
        """A copy of every counter."""
        return {platform: dict(names) for platform, names in self.counters.items()}

    def reset(self) -> None:
        """Forget every counter."""
        self.counters.clear()


METRICS = Metrics()

# --------------------------------------------------------------------------- waits


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name)
    if value is None:  # plain dicts are case-sensitive; aiohttp's are not
        lowered = name.lower()
        for key, candidate in headers.items():
            if key.lower() == lowered:
                value = candidate
                break
    return value.strip() if isinstance(value, str) else None


def server_requested_wait(
    headers: Mapping[str, str] | None, status: int | None = None, *, now: float | None = None
) -> float | None:
    """Seconds the server asked us to wait, or ``None`` when it did not say.

    ``Retry-After`` as delta-seconds or an HTTP date (any status). X's
    ``x-rate-limit-reset`` (epoch seconds) only on a 429 or when
    ``x-rate-limit-remaining`` is ``0``; a reset already past counts as "not said" so a
    skewed clock falls back to backoff instead of hammering.
    """
    now = time.time() if now is None else now
    retry_after = _header(headers, "Retry-After")
    if retry_after:
        if retry_after.isdigit():
            return float(retry_after)
        try:
            when = parsedate_to_datetime(retry_after)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(0.0, when.timestamp() - now)
    reset = _header(headers, "x-rate-limit-reset")
    if reset and reset.isdigit() and (status == 429 or _header(headers, "x-rate-limit-remaining") == "0"):
        wait = int(reset) - now
        return wait if wait > 0 else None
    return None


def backoff_wait(
    policy: RetryPolicy,
    attempt: int,
    server_wait: float | None = None,
    rand: Callable[[], float] = random.random,
) -> float:
    """Wait after failed attempt number ``attempt`` (1-based).

    A server-requested wait wins (capped at ``max_wait``); otherwise the ceiling is
    ``min(max_wait, base_wait * 2 ** (attempt - 1))`` and, with jitter, the wait is
    uniform in ``[0, ceiling]`` (full jitter).
    """
    if server_wait is not None:
        return min(max(0.0, server_wait), policy.max_wait)
    ceiling = min(policy.max_wait, policy.base_wait * (2 ** max(0, attempt - 1)))
    return rand() * ceiling if policy.jitter else ceiling


def compute_wait(
    policy: RetryPolicy,
    attempt: int,
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    now: float | None = None,
    rand: Callable[[], float] = random.random,
) -> float:
    """Wait before the next attempt, from a response's status and headers (see above)."""
    return backoff_wait(policy, attempt, server_requested_wait(headers, status, now=now), rand)


class _PolicyWait(wait_base):
    """tenacity wait: the failed attempt's ``retry_after``, else jittered backoff."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, retry_state: Any) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        server_wait = getattr(error, "retry_after", None)
        return backoff_wait(self.policy, retry_state.attempt_number, server_wait)


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, PlatformError) and error.retryable


# --------------------------------------------------------------------------- calls


def _fields(ids: Mapping[str, Any] | None) -> str:
    return " ".join(f"{key}={value}" for key, value in (ids or {}).items())


async def call_with_retry(
    attempt: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy,
    platform: str,
    operation: str,
    metrics: Metrics = METRICS,
    ids: Mapping[str, Any] | None = None,
) -> T:
    """Run ``attempt()`` until it returns, retrying retryable ``PlatformError``s.

    Stops after ``policy.max_attempts`` attempts or when the next attempt could only
    start after ``policy.max_total`` seconds, and re-raises the last error with
    ``attempts`` set. Any other exception propagates at once. Counts ``retried`` per
    retry and ``failed`` per final failure; the caller counts what it ``sent``.
    """
    log_ids = _fields(ids)

    def before_sleep(state: Any) -> None:
        error = state.outcome.exception()
        metrics.incr(platform, "retried")
        if isinstance(error, RateLimited):
            metrics.incr(platform, "rate_limited")
        logger.warning(
            "platform.retry platform=%s op=%s %s attempt=%s status=%s code=%s wait=%.3f",
            platform, operation, log_ids, state.attempt_number,
            getattr(error, "status", None), getattr(error, "code", None), state.upcoming_sleep,
        )

    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.max_attempts) | stop_before_delay(policy.max_total),
        wait=_PolicyWait(policy),
        retry=retry_if_exception(_is_retryable),
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return await retrying(attempt)
    except PlatformError as error:
        error.attempts = retrying.statistics.get("attempt_number")
        error.platform = error.platform or platform
        metrics.incr(platform, "failed")
        if isinstance(error, RateLimited):
            metrics.incr(platform, "rate_limited")
        logger.error(
            "platform.failed platform=%s op=%s %s error=%s status=%s code=%s subcode=%s attempts=%s",
            platform, operation, log_ids, type(error).__name__, error.status, error.code,
            error.subcode, error.attempts,
        )
        raise


@dataclass(frozen=True)
class Response:
    """Status, headers and decoded JSON body (``None`` when not JSON) of one response."""

    status: int
    headers: Mapping[str, str]
    payload: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


async def request_json(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    platform: str,
    timeout: float,
    params: Mapping[str, str] | None = None,
    json_body: Any = None,
    headers: Mapping[str, str] | None = None,
    idempotent: bool = True,
) -> Response:
    """One HTTP request bounded by ``timeout`` seconds in total.

    Connection failures and timeouts raise ``PlatformConnectionError`` (``code``
    ``"connection"``: no connection was made, retryable; ``"timeout"`` or
    ``"disconnected"``: the request may have reached the platform) without chaining the
    aiohttp error, whose text may hold the URL and so a token. With ``idempotent=False``
    (a send the platform may have accepted) a timeout or a dropped connection is not
    retryable: resending it blindly could deliver the message twice.
    """
    try:
        async with session.request(
            method,
            url,
            params=params,
            json=json_body,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            raw = await response.read()
            status, response_headers = response.status, response.headers
    except asyncio.TimeoutError:
        raise PlatformConnectionError(None, "timeout", idempotent, platform=platform) from None
    except aiohttp.ClientConnectorError as error:  # never connected: nothing was sent
        raise PlatformConnectionError(
            None, "connection", platform=platform, detail=type(error).__name__
        ) from None
    except aiohttp.ClientError as error:
        raise PlatformConnectionError(
            None, "disconnected", idempotent, platform=platform, detail=type(error).__name__
        ) from None
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        payload = None
    return Response(status, response_headers, payload)
