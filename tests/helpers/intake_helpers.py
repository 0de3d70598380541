"""Shared helpers for the intake and channel integration tests: a real Redis per test,
bounded polling, event builders."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Awaitable, Callable

import redis.asyncio as aioredis

from connectors.events import InboundEvent
from core.embedded_redis import EmbeddedRedis
from tests.conftest import free_port


class RedisServer:
    """An embedded redis-server on a free loopback port with a client on it."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.server = EmbeddedRedis(self.port, data_dir, persist=False)
        self.client: aioredis.Redis | None = None

    async def __aenter__(self) -> "RedisServer":
        await self.server.start()
        self.client = aioredis.Redis(host="127.0.0.1", port=self.port, decode_responses=True,
                                     socket_timeout=5, socket_connect_timeout=5)
        return self

    async def __aexit__(self, *exc_info) -> None:
        if self.client is not None:
            await self.client.close()
            await self.client.connection_pool.disconnect()
        await self.server.stop()

    def new_client(self) -> aioredis.Redis:
        return aioredis.Redis(host="127.0.0.1", port=self.port, decode_responses=True,
                              socket_timeout=5, socket_connect_timeout=5)


async def wait_until(predicate: Callable[[], bool | Awaitable[bool]], timeout: float = 10.0,
                     interval: float = 0.01, message: str = "condition") -> None:
    """Poll ``predicate`` (sync or async) until true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        await asyncio.sleep(interval)


def message(event_id: str, thread: str, text: str = "hello", platform: str = "facebook") -> InboundEvent:
    """A plain inbound text message in conversation ``thread``."""
    return InboundEvent(platform, "message", event_id, thread, "page-1", account_id="page-1",
                        thread_id=thread, text=text, timestamp=1, metadata={"public": False})
