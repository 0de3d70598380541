"""Per-process intake plumbing of one channel: Redis clients, queue and stream consumer.

Framework-free. The queue (webhook side) and the consumer (turn side) each get their own
Redis client, because they may run on different event loops (see ``worker``)::

    runtime = IntakeRuntime("facebook", RedisSettings.from_env(env), IntakeSettings.from_env(env))
    await runtime.open()                  # webhook side, before the server accepts webhooks
    await runtime.start_consumer(handler) # turn side (on the worker loop), once Rasa is loaded
    ...
    await runtime.stop_consumer()         # turn side: the current turn finishes
    await runtime.close()                 # webhook side

The consumer's turns record their replies; the runtime's ``OutboxSender`` (same loop,
same client) delivers them. Its platform delivery comes with the first recorded turn, or
earlier from ``bind_delivery`` (a channel calls it when its platform client opens, so
replies left over from a crash go out before the first new turn).
"""
from __future__ import annotations

import logging
from typing import Any, Callable

import redis.asyncio as aioredis

from connectors.intake.consumer import Handler, StreamConsumer
from connectors.intake.deadletters import DeadLetters
from connectors.intake.keys import IntakeKeys
from connectors.intake.queue import IntakeQueue
from connectors.intake.settings import IntakeSettings
from connectors.outbox.replies import Delivery
from connectors.outbox.sender import OutboxSender
from connectors.outbox.settings import ReliabilitySettings
from core.settings import RedisSettings

__all__ = ["IntakeRuntime", "connect_redis"]

logger = logging.getLogger(__name__)


def connect_redis(settings: RedisSettings) -> Any:
    """An asyncio Redis client (connections open lazily) with timeouts on every call."""
    target = settings.target
    return aioredis.Redis(
        host=target.host,
        port=target.port,
        db=target.db,
        password=target.password or None,
        decode_responses=True,
        socket_timeout=10,
        socket_connect_timeout=5,
        health_check_interval=30,
    )


async def _close_client(redis: Any, platform: str) -> None:
    try:
        await redis.close()
        await redis.connection_pool.disconnect()
    except Exception as error:  # closing must not break shutdown
        logger.warning("intake.redis_close_failed platform=%s error=%s", platform, type(error).__name__)


class IntakeRuntime:
    """``IntakeQueue`` (webhook side) and ``StreamConsumer`` (turn side) of one platform."""

    def __init__(
        self,
        platform: str,
        redis_settings: RedisSettings,
        intake: IntakeSettings,
        *,
        redis_factory: Callable[[RedisSettings], Any] = connect_redis,
        reliability: ReliabilitySettings | None = None,
        dead_letters: Callable[[Any], DeadLetters] | None = None,
    ) -> None:
        self.platform = platform
        self.reliability = reliability or ReliabilitySettings()
        self._dead_letters = dead_letters or (lambda redis: DeadLetters(redis, self.keys))
        self._delivery: Delivery | None = None
        self.outbox: OutboxSender | None = None
        self.redis_settings = redis_settings
        self.intake = intake
        self.keys = IntakeKeys(redis_settings.key_prefix)
        self._redis_factory = redis_factory
        self.redis: Any = None
        self.queue: IntakeQueue | None = None
        self.worker_redis: Any = None
        self.consumer: StreamConsumer | None = None

    async def open(self) -> None:
        """Create the webhook side's client and queue (idempotent; no round trip yet)."""
        if self.redis is None:
            self.redis = self._redis_factory(self.redis_settings)
            self.queue = IntakeQueue(self.redis, self.keys, dedup_ttl_s=self.intake.dedup_ttl_s)

    async def open_worker(self) -> Any:
        """Create the turn side's client on the calling loop (idempotent); returns it."""
        if self.worker_redis is None:
            self.worker_redis = self._redis_factory(self.redis_settings)
        return self.worker_redis

    async def start_consumer(self, handler: Handler, **options: Any) -> StreamConsumer:
        """Start this process's consumer of the platform stream on the calling loop."""
        redis = await self.open_worker()
        if self.consumer is None:
            limits = self.reliability
            self.outbox = OutboxSender(redis, self.keys, self.platform, delivery=self._delivery,
                                       dead_letters=self._dead_letters(redis),
                                       max_attempts=limits.outbox_max_attempts,
                                       poll_s=limits.outbox_poll_ms / 1000)
            settings: dict[str, Any] = {
                "block_ms": self.intake.block_ms,
                "claim_idle_ms": self.intake.claim_idle_ms,
                "max_failures": self.intake.max_failures,
                "concurrency": self.intake.concurrency,
                "turn_timeout_s": limits.turn_timeout_s,
                "max_deliveries": limits.max_deliveries,
                "outbox": self.outbox,
            }
            settings.update(options)
            self.consumer = StreamConsumer(redis, self.keys, platform=self.platform, handler=handler, **settings)
        await self.consumer.start()
        return self.consumer

    def bind_delivery(self, delivery: Delivery) -> None:
        """The platform delivery of this process's outbox sender (see the module docstring)."""
        self._delivery = delivery
        if self.outbox is not None:
            self.outbox.bind(delivery)

    async def stop_consumer(self, timeout: float = 30.0) -> None:
        """Stop the consumer (the current turn finishes, bounded by ``timeout``) and close
        the turn side's client. Call it on the loop the consumer runs on."""
        consumer, self.consumer, self.outbox = self.consumer, None, None
        if consumer is not None:
            await consumer.stop(timeout)
        redis, self.worker_redis = self.worker_redis, None
        if redis is not None:
            await _close_client(redis, self.platform)

    async def close(self, timeout: float = 30.0) -> None:
        """Close the webhook side (and the turn side too when it shares this loop)."""
        if self.consumer is not None or self.worker_redis is not None:
            await self.stop_consumer(timeout)
        redis, self.redis, self.queue = self.redis, None, None
        if redis is not None:
            await _close_client(redis, self.platform)
