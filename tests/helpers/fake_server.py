"""Shared machinery of the recording fake platforms: a loopback aiohttp server, a
request log and a fault queue. See ``tests.helpers.fake_platforms``."""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["RecordedRequest", "Fault", "FakeServer"]


@dataclass
class RecordedRequest:
    """One request as the fake saw it; ``status`` is what the fake answered."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    raw: bytes
    at: float
    status: int | None = None
    fault: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Fault:
    """An injected answer: a status with headers/body, a stall of ``stall`` seconds,
    or (``status == 0``) no fault at all."""

    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    stall: float | None = None


class FakeServer:
    """Shared machinery: aiohttp app on 127.0.0.1, request log, fault queue."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._faults: deque[Fault] = deque()
        self._runner: web.AppRunner | None = None
        self._base_url = ""
        self._stalled: list[asyncio.Task] = []
        self._release = asyncio.Event()
        self._ids = itertools.count(1)

    # lifecycle
    def _app(self) -> web.Application:
        raise NotImplementedError

    async def start(self) -> str:
        """Start listening on a free loopback port; returns the base URL."""
        self._release = asyncio.Event()
        # No access log: a Graph query string holds the access token. Handlers are not
        # cancelled when a client times out; close() releases stalled ones.
        runner = web.AppRunner(self._app(), access_log=None, handler_cancellation=False, shutdown_timeout=5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self._base_url = f"http://{host}:{port}"
        return self._base_url

    async def close(self) -> None:
        """Release stalled handlers and stop the server."""
        self._release.set()
        # Bounded wait for released handlers, then a few loop turns so aiohttp's
        # per-connection tasks see them finish before the loop may close.
        deadline = time.monotonic() + 5
        while any(not task.done() for task in self._stalled) and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
        for _ in range(5):
            await asyncio.sleep(0)
        self._stalled.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        assert self._runner is not None, "fake not started"
        return self._base_url

    # fault injection
    def fail_next(
        self,
        count: int,
        status: int = 500,
        *,
        retry_after: int | str | None = None,
        rate_limit_reset: int | None = None,
        body: Any = None,
    ) -> None:
        """Answer the next ``count`` requests with ``status`` (and optional
        ``Retry-After`` / ``x-rate-limit-reset`` headers, or a given JSON body)."""
        headers: dict[str, str] = {}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        if rate_limit_reset is not None:
            headers.update({"x-rate-limit-limit": "15", "x-rate-limit-remaining": "0",
                            "x-rate-limit-reset": str(rate_limit_reset)})
        for _ in range(count):
            self._faults.append(Fault(status, dict(headers), body if body is not None else self._error_body(status)))

    def pass_next(self, count: int) -> None:
        """Let the next ``count`` requests through normally (to aim a later fault)."""
        for _ in range(count):
            self._faults.append(Fault(status=0))

    def stall_next(self, count: int, seconds: float) -> None:
        """Hold the next ``count`` requests ``seconds`` (or until close) before a 200."""
        for _ in range(count):
            self._faults.append(Fault(200, stall=seconds))

    def _error_body(self, status: int) -> Any:
        return {"status": status}

    # inspection
    def successful(self, path_contains: str = "") -> list[RecordedRequest]:
        """Requests answered with 2xx (optionally only those whose path contains a string)."""
        return [r for r in self.requests if r.ok and path_contains in r.path]

    # request plumbing
    async def _record(self, request: web.Request) -> RecordedRequest:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        record = RecordedRequest(request.method, request.path, dict(request.query), dict(request.headers),
                                 body, raw, time.monotonic())
        self.requests.append(record)
        return record

    async def _maybe_fault(self, record: RecordedRequest) -> web.Response | None:
        if not self._faults:
            return None
        fault = self._faults.popleft()
        if fault.status == 0 and fault.stall is None:
            return None
        if fault.stall is not None:
            record.fault = "stall"
            current = asyncio.current_task()
            if current is not None:
                self._stalled.append(current)
            try:
                await asyncio.wait_for(self._release.wait(), fault.stall)
            except asyncio.TimeoutError:
                pass
            # The client gave up long before: leave status None, never a delivery.
            return web.json_response({}, status=200)
        record.fault = f"status_{fault.status}"
        return self._answer(record, fault.body, fault.status, fault.headers)

    @staticmethod
    def _answer(record: RecordedRequest, body: Any, status: int, headers: dict | None = None) -> web.Response:
        record.status = status
        return web.json_response(body, status=status, headers=headers)
