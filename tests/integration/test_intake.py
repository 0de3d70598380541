"""Durable intake against a real redis-server: dedup, TTLs, per-conversation order across
consumers, reclaim after a crash, retries and dead letters. No sleep-and-hope: every wait
is a bounded poll."""
from __future__ import annotations

import asyncio
import json
import random

import pytest
import pytest_asyncio

from connectors.intake.consumer import RetryLater, StreamConsumer
from connectors.intake.entries import stream_entries
from connectors.intake.keys import IntakeKeys
from connectors.intake.queue import IntakeQueue
from tests.helpers.intake_helpers import RedisServer, message, wait_until

pytestmark = [pytest.mark.integration]

KEYS = IntakeKeys("sctest")
STREAM = KEYS.stream("facebook")


@pytest_asyncio.fixture
async def redis_server(tmp_path):
    async with RedisServer(tmp_path / "redis") as server:
        yield server


def consumer(server: RedisServer, handler, name: str, **options) -> StreamConsumer:
    settings = {"block_ms": 50, "claim_idle_ms": 5_000, "retry_base_s": 0.01, "retry_max_s": 0.05,
                "defer_base_s": 0.005, "defer_max_s": 0.02}
    settings.update(options)
    return StreamConsumer(server.new_client(), KEYS, platform="facebook", handler=handler,
                          consumer_name=name, **settings)


async def stop_all(*consumers: StreamConsumer, timeout: float = 5.0) -> None:
    for item in consumers:
        await item.stop(timeout)
        await item.redis.close()


async def pending_count(client) -> int:
    summary = await client.xpending(STREAM, KEYS.group())
    return int(summary["pending"])


async def nothing_pending(client) -> bool:
    return await pending_count(client) == 0


@pytest.mark.asyncio
async def test_enqueue_dedups_and_sets_ttls(redis_server):
    client = redis_server.client
    queue = IntakeQueue(client, KEYS, dedup_ttl_s=3600)
    first = message("m_1", "user-a", "first")
    result = await queue.enqueue([first, message("m_1", "user-a", "again"), message("m_2", "user-a")])
    assert result.accepted == ["m_1", "m_2"]
    assert result.duplicates == ["m_1"]
    retried = await queue.enqueue([first])  # the platform redelivers the same body
    assert retried.accepted == [] and retried.duplicates == ["m_1"]

    assert await client.xlen(STREAM) == 2
    ttl = await client.ttl(KEYS.dedup("facebook", "m_1"))
    assert 0 < ttl <= 3600
    pending = KEYS.pending("facebook", "user-a")
    assert await client.lrange(pending, 0, -1) == result.entry_ids
    assert await client.ttl(pending) > 0

    entries = await client.xrange(STREAM)
    document = json.loads(entries[0][1]["data"])
    assert document["v"] == 1
    assert document["event"]["platform_event_id"] == "m_1"
    assert document["event"]["text"] == "first"
    assert entries[0][1]["thread"] == "user-a"


@pytest.mark.asyncio
async def test_key_names_are_built_in_one_place():
    assert KEYS.stream("twitter") == "sctest:intake:twitter"
    assert KEYS.dead_letter() == "sctest:intake:dead"
    assert KEYS.dedup("facebook", "m_1") == "sctest:dedup:facebook:m_1"
    assert KEYS.pending("twitter", "42") == "sctest:conv:twitter:42:pending"
    assert KEYS.pending("twitter", "a:b").startswith("sctest:conv:twitter:h-")
    with pytest.raises(ValueError):
        IntakeKeys("a:b")
    with pytest.raises(ValueError):
        KEYS.stream("dead")


@pytest.mark.asyncio
async def test_per_conversation_order_across_two_consumers(redis_server):
    threads = ["t1", "t2", "t3"]
    events = [message(f"m_{t}_{i}", t, f"{t}-{i}") for i in range(8) for t in threads]
    handled: list[tuple[str, str]] = []
    running: set[str] = set()
    overlaps: list[str] = []
    rng = random.Random(7)

    def handler_for(name: str):
        async def handler(event):
            if event.thread_id in running:
                overlaps.append(event.platform_event_id)
            running.add(event.thread_id)
            try:
                await asyncio.sleep(rng.random() * 0.01)
                handled.append((name, event.platform_event_id))
            finally:
                running.discard(event.thread_id)
        return handler

    a = consumer(redis_server, handler_for("A"), "A", batch=3, concurrency=2)
    b = consumer(redis_server, handler_for("B"), "B", batch=2, concurrency=2)
    await a.start()
    await b.start()
    try:
        queue = IntakeQueue(redis_server.client, KEYS)
        for start in range(0, len(events), 5):  # arrive in several webhook batches
            await queue.enqueue(events[start:start + 5])
        await wait_until(lambda: len(handled) >= len(events), message="all events handled")
    finally:
        await stop_all(a, b)

    ids = [event_id for _, event_id in handled]
    assert sorted(ids) == sorted(e.platform_event_id for e in events)  # each exactly once
    for thread in threads:
        order = [i for i in ids if i.startswith(f"m_{thread}_")]
        assert order == [f"m_{thread}_{i}" for i in range(8)]
    assert overlaps == []
    assert {name for name, _ in handled} == {"A", "B"}  # both consumers took part
    assert await redis_server.client.xlen(STREAM) == 0
    assert await pending_count(redis_server.client) == 0
    assert await redis_server.client.exists(*(KEYS.pending("facebook", t) for t in threads)) == 0


@pytest.mark.asyncio
async def test_crashed_consumer_is_reclaimed_and_handled_exactly_once(redis_server):
    entered_a = asyncio.Event()
    finished_a: list[str] = []
    handled_b: list[str] = []

    async def stuck(event):
        entered_a.set()
        await asyncio.Event().wait()  # never returns: the process "hangs"
        finished_a.append(event.platform_event_id)

    async def healthy(event):
        handled_b.append(event.platform_event_id)

    a = consumer(redis_server, stuck, "A", claim_idle_ms=150)
    await a.start()
    queue = IntakeQueue(redis_server.client, KEYS)
    await queue.enqueue([message("m_x1", "tx"), message("m_x2", "tx")])
    await asyncio.wait_for(entered_a.wait(), 5)
    await wait_until(lambda: pending_count(redis_server.client), message="A holds the entries")
    await stop_all(a, timeout=0.05)  # crash: cancelled mid-turn, nothing acked
    # A holds m_x1 (stuck in its turn) and, depending on timing, m_x2 too; none is acked.
    held = await pending_count(redis_server.client)
    assert held in (1, 2)
    assert await redis_server.client.xlen(STREAM) == 2

    b = consumer(redis_server, healthy, "B", claim_idle_ms=150)
    await b.start()
    try:
        await wait_until(lambda: len(handled_b) == 2, message="B handled the reclaimed entries")
        await wait_until(lambda: nothing_pending(redis_server.client), message="all acked")
    finally:
        await stop_all(b)
    assert handled_b == ["m_x1", "m_x2"]
    assert finished_a == []
    assert b.stats["reclaimed"] >= held
    assert await pending_count(redis_server.client) == 0
    assert await redis_server.client.xlen(STREAM) == 0


@pytest.mark.asyncio
async def test_slow_consumer_keeps_its_entry(redis_server):
    """A live consumer's long turn is not stolen: its heartbeat keeps the entry fresh."""
    release = asyncio.Event()
    calls: list[str] = []

    async def slow(event):
        calls.append("A:" + event.platform_event_id)
        await release.wait()

    async def other(event):
        calls.append("B:" + event.platform_event_id)

    a = consumer(redis_server, slow, "A", claim_idle_ms=60)
    b = consumer(redis_server, other, "B", claim_idle_ms=60)
    await a.start()
    await IntakeQueue(redis_server.client, KEYS).enqueue([message("m_s1", "ts")])
    await wait_until(lambda: calls == ["A:m_s1"], message="A started")
    await b.start()
    try:
        for _ in range(30):  # ~5 claim periods of B polling
            await asyncio.sleep(0.01)
        assert calls == ["A:m_s1"]
        release.set()
        await wait_until(lambda: nothing_pending(redis_server.client), message="acked")
        await wait_until(lambda: a.stats["handled"] == 1, message="A finished")
    finally:
        await stop_all(a, b)
    assert calls == ["A:m_s1"]


@pytest.mark.asyncio
async def test_failing_handler_is_retried_then_dead_lettered(redis_server):
    attempts: dict[str, int] = {}
    handled: list[str] = []

    async def handler(event):
        attempts[event.platform_event_id] = attempts.get(event.platform_event_id, 0) + 1
        if event.platform_event_id == "m_bad":
            raise RuntimeError("backend down")
        handled.append(event.platform_event_id)

    c = consumer(redis_server, handler, "C", max_failures=3)
    await c.start()
    try:
        await IntakeQueue(redis_server.client, KEYS).enqueue(
            [message("m_bad", "tb"), message("m_after", "tb"), message("m_other", "tc")])
        await wait_until(lambda: set(handled) == {"m_after", "m_other"}, message="the rest handled")
    finally:
        await stop_all(c)

    assert attempts["m_bad"] == 3
    assert attempts["m_after"] == 1  # waited for m_bad to leave the conversation, then ran once
    dead = await redis_server.client.xrange(KEYS.dead_letter())
    assert len(dead) == 1
    fields = dead[0][1]
    assert fields["event_id"] == "m_bad" and fields["failures"] == "3"
    assert fields["reason"] == "handler_failed:RuntimeError"
    assert json.loads(fields["data"])["event"]["platform_event_id"] == "m_bad"  # nothing lost
    assert await pending_count(redis_server.client) == 0
    assert await redis_server.client.xlen(STREAM) == 0
    assert await redis_server.client.exists(KEYS.failures("facebook", fields["entry_id"])) == 0
    assert c.stats["dead"] == 1 and c.stats["failed"] == 3


@pytest.mark.asyncio
async def test_transient_failure_is_retried_until_it_succeeds(redis_server):
    attempts: list[str] = []

    async def flaky(event):
        attempts.append(event.platform_event_id)
        if len(attempts) < 3:
            raise ConnectionError("try again")

    c = consumer(redis_server, flaky, "C", max_failures=5)
    await c.start()
    try:
        await IntakeQueue(redis_server.client, KEYS).enqueue([message("m_flaky", "tf")])
        await wait_until(lambda: c.stats["handled"] == 1, message="handled after retries")
    finally:
        await stop_all(c)
    assert attempts == ["m_flaky"] * 3
    assert await redis_server.client.xlen(KEYS.dead_letter()) == 0


@pytest.mark.asyncio
async def test_poison_entry_goes_to_dead_letter(redis_server):
    client = redis_server.client
    await client.xadd(STREAM, {"v": "9", "platform": "facebook", "thread": "tp", "event_id": "m_p",
                               "data": "{not json"})
    seen: list[str] = []

    async def handler(event):
        seen.append(event.platform_event_id)

    c = consumer(redis_server, handler, "C")
    await c.start()
    try:
        await wait_until(lambda: client.xlen(KEYS.dead_letter()), message="poison dead-lettered")
    finally:
        await stop_all(c)
    assert seen == []
    dead = await client.xrange(KEYS.dead_letter())
    assert dead[0][1]["reason"] == "entry data is not JSON"
    assert await pending_count(client) == 0


@pytest.mark.asyncio
async def test_stop_lets_the_current_turn_finish(redis_server):
    entered = asyncio.Event()
    done: list[str] = []

    async def handler(event):
        entered.set()
        await asyncio.sleep(0.2)
        done.append(event.platform_event_id)

    c = consumer(redis_server, handler, "C")
    await c.start()
    await IntakeQueue(redis_server.client, KEYS).enqueue([message("m_g", "tg")])
    await asyncio.wait_for(entered.wait(), 5)
    await stop_all(c, timeout=5)
    assert done == ["m_g"]
    assert await pending_count(redis_server.client) == 0


@pytest.mark.asyncio
async def test_retry_later_keeps_the_entry_without_counting_failures(redis_server):
    ready = {"value": False}
    tries: list[str] = []

    async def handler(event):
        tries.append(event.platform_event_id)
        if not ready["value"]:
            raise RetryLater("agent_not_ready")

    c = consumer(redis_server, handler, "C", max_failures=2)
    await c.start()
    try:
        await IntakeQueue(redis_server.client, KEYS).enqueue([message("m_wait", "tw")])
        await wait_until(lambda: len(tries) >= 4, message="several early tries")
        assert c.stats["failed"] == 0 and c.stats["dead"] == 0
        ready["value"] = True
        await wait_until(lambda: c.stats["handled"] == 1, message="handled once ready")
    finally:
        await stop_all(c)
    assert await redis_server.client.xlen(KEYS.dead_letter()) == 0


@pytest.mark.asyncio
async def test_a_slow_turn_does_not_hold_back_other_conversations(redis_server):
    release = asyncio.Event()
    handled: list[str] = []

    async def handler(event):
        if event.platform_event_id == "m_slow":
            await release.wait()
        handled.append(event.platform_event_id)

    c = consumer(redis_server, handler, "C", concurrency=4)
    await c.start()
    queue = IntakeQueue(redis_server.client, KEYS)
    try:
        await queue.enqueue([message("m_slow", "t_slow"), message("m_other_1", "t_other")])
        await wait_until(lambda: "m_other_1" in handled, message="the other conversation in the same batch")
        await queue.enqueue([message("m_other_2", "t_other"), message("m_slow_next", "t_slow")])
        await wait_until(lambda: "m_other_2" in handled, message="a later message of the other conversation")
        assert "m_slow" not in handled and "m_slow_next" not in handled  # its conversation waits, in order
        release.set()
        await wait_until(lambda: len(handled) == 4, message="everything")
    finally:
        release.set()
        await stop_all(c)
    assert handled.index("m_slow") < handled.index("m_slow_next")
    assert await pending_count(redis_server.client) == 0


@pytest.mark.asyncio
async def test_stale_pending_read_does_not_run_a_finished_entry_again(redis_server):
    """The race `make bench` found: the loop reads its own pending entries while a turn is
    finishing; once that turn has acked, the stale copy must not start a second turn."""
    handled: list[str] = []
    release = asyncio.Event()

    async def slow(event):
        handled.append(event.platform_event_id)
        await release.wait()

    c = consumer(redis_server, slow, "A")
    await c.start()
    try:
        await IntakeQueue(redis_server.client, KEYS).enqueue([message("m_s1", "ts")])
        await wait_until(lambda: handled == ["m_s1"], message="the turn started")
        stale = stream_entries(await redis_server.client.xreadgroup(KEYS.group(), c.name, {STREAM: "0"}))
        assert [fields["event_id"] for _, fields in stale] == ["m_s1"]
        release.set()
        await wait_until(lambda: nothing_pending(redis_server.client), message="acked")
        await wait_until(lambda: not c._running, message="the turn's task done")
        await c._process(stale, source="pending")  # what the loop does with such a read
        await wait_until(lambda: not c._running, message="the stale copy settled")
    finally:
        await stop_all(c)
    assert handled == ["m_s1"]
    assert c.stats["handled"] == 1 and c.stats["ack_lost"] == 0
