"""Poison handling of the stream consumer against a real redis-server (issue 10, item 5):
an entry that kills its process is counted by its starts and dead-lettered after
``max_deliveries``; a turn over ``turn_timeout_s`` is cancelled and counted as a failure."""
from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio

from connectors.http import METRICS
from connectors.intake.consumer import StreamConsumer
from connectors.intake.keys import IntakeKeys
from connectors.intake.queue import IntakeQueue
from tests.helpers.intake_helpers import RedisServer, message, wait_until

pytestmark = [pytest.mark.integration]

KEYS = IntakeKeys("scpoison")
STREAM = KEYS.stream("facebook")


@pytest_asyncio.fixture
async def redis_server(tmp_path):
    async with RedisServer(tmp_path / "redis") as server:
        yield server


def consumer(server: RedisServer, handler, name: str, **options) -> StreamConsumer:
    settings = {"block_ms": 50, "claim_idle_ms": 150, "retry_base_s": 0.01, "retry_max_s": 0.05,
                "defer_base_s": 0.005, "defer_max_s": 0.02}
    settings.update(options)
    return StreamConsumer(server.new_client(), KEYS, platform="facebook", handler=handler,
                          consumer_name=name, **settings)


async def nothing_pending(client) -> bool:
    return int((await client.xpending(STREAM, KEYS.group()))["pending"]) == 0


@pytest.mark.asyncio
async def test_an_entry_that_kills_the_process_is_dead_lettered_after_max_deliveries(redis_server):
    """Before: a crash was never counted (only handler exceptions were), so an entry that
    killed every consumer that took it was reclaimed and run forever."""
    starts: list[str] = []
    handled: list[str] = []

    async def deadly(event):
        if event.platform_event_id == "m_kill":
            starts.append(event.platform_event_id)
            await asyncio.Event().wait()  # the process dies in this turn
        handled.append(event.platform_event_id)

    counted = METRICS.get("facebook", "dead_lettered")
    await IntakeQueue(redis_server.client, KEYS).enqueue([message("m_kill", "tk"), message("m_next", "tk")])
    for crash in range(2):  # two processes take it and die (cancelled mid-turn, nothing acked)
        doomed = consumer(redis_server, deadly, f"dies-{crash}", max_deliveries=2)
        await doomed.start()
        await wait_until(lambda: len(starts) == crash + 1, message=f"start {crash + 1}")
        await doomed.stop(0.05)
        await doomed.redis.close()
    survivor = consumer(redis_server, deadly, "survivor", max_deliveries=2)
    await survivor.start()
    try:
        await wait_until(lambda: handled == ["m_next"], message="the next entry after the poison")
        await wait_until(lambda: nothing_pending(redis_server.client), message="all acked")
    finally:
        await survivor.stop(5)
        await survivor.redis.close()
    assert starts == ["m_kill", "m_kill"]  # never started a third time
    [(_, fields)] = await redis_server.client.xrange(KEYS.dead_letter())
    assert fields["event_id"] == "m_kill" and fields["reason"] == "max_deliveries"
    assert await redis_server.client.exists(KEYS.starts("facebook", fields["entry_id"])) == 0
    assert survivor.stats["dead"] == 1 and METRICS.get("facebook", "dead_lettered") == counted + 1


@pytest.mark.asyncio
async def test_failures_the_consumer_sees_do_not_count_as_crashes(redis_server):
    attempts: list[str] = []

    async def flaky(event):
        attempts.append(event.platform_event_id)
        if len(attempts) < 3:
            raise ConnectionError("backend down")

    c = consumer(redis_server, flaky, "C", max_deliveries=1, max_failures=5)
    await c.start()
    try:
        await IntakeQueue(redis_server.client, KEYS).enqueue([message("m_flaky", "tf")])
        await wait_until(lambda: c.stats["handled"] == 1, message="handled after two failures")
    finally:
        await c.stop(5)
        await c.redis.close()
    assert attempts == ["m_flaky"] * 3 and await redis_server.client.xlen(KEYS.dead_letter()) == 0


@pytest.mark.asyncio
async def test_a_turn_over_the_time_limit_is_cancelled_and_counted_as_a_failure(redis_server):
    """Before: turns had no time limit; one hung turn held its conversation forever."""
    cancelled: list[str] = []

    async def slow(event):
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(event.platform_event_id)
            raise

    c = consumer(redis_server, slow, "C", turn_timeout_s=0.1, max_failures=2)
    await c.start()
    try:
        await IntakeQueue(redis_server.client, KEYS).enqueue([message("m_slow", "ts")])
        await wait_until(lambda: c.stats["dead"] == 1, timeout=5, message="dead-lettered after two timeouts")
    finally:
        await c.stop(5)
        await c.redis.close()
    assert cancelled == ["m_slow", "m_slow"] and c.stats["failed"] == 2
    [(_, fields)] = await redis_server.client.xrange(KEYS.dead_letter())
    assert fields["reason"] == "handler_failed:TurnTimeout"
