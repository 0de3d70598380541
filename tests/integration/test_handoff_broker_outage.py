"""The event broker across a real Redis outage: the server is stopped while customers
write during a handoff and started again on the same port; every message reaches the
ticket, in order, once. Plus the pure retry classification."""
from __future__ import annotations

import asyncio
import itertools
import subprocess
import time

import pytest
import redis

from core.embedded_redis import redis_command
from handoff.broker import HandoffEventBroker
from handoff.store import TicketStore
from handoff.tickets import Ticket
from tests.helpers.handoff_support import RedisProcess

OUTAGE_S = 3.0  # measured once with 30.0 as well (see the issue 10 report)
_prefix = itertools.count()


def restart_on(port: int, data_dir) -> subprocess.Popen:
    """redis-server again on `port` with the same data dir; waits (bounded) for PING."""
    proc = subprocess.Popen(redis_command(port, data_dir, persist=True),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1, socket_connect_timeout=1)
    deadline = time.monotonic() + 15
    try:
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return proc
            except redis.RedisError:
                time.sleep(0.05)
        proc.kill()
        raise RuntimeError("redis-server did not restart")
    finally:
        client.close()


def user_event(sender: str, text: str, at: float) -> dict:
    return {"sender_id": sender, "event": "user", "text": text, "timestamp": at, "input_channel": "rest",
            "metadata": {}, "parse_data": {"intent": {"name": "inform", "confidence": 0.9}, "entities": []}}


async def poll(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


@pytest.mark.asyncio
async def test_no_customer_message_is_lost_across_a_redis_restart(tmp_path):
    server = RedisProcess(tmp_path / "redis")
    port = server.start()
    proc = None
    store = TicketStore.from_url(f"redis://127.0.0.1:{port}/0", prefix=f"b{next(_prefix)}", timeout=1)
    broker = HandoffEventBroker(store)
    try:
        now = time.time()
        ticket, _ = await store.create(Ticket(id="t-outage", sender_id="cust-1", channel="rest", created_at=now - 10))
        broker.publish(user_event("cust-1", "before", now))
        await broker.drain()
        server.stop()  # SIGTERM: the append-only file has the ticket
        for i in range(5):
            broker.publish(user_event("cust-1", f"during {i}", now + 1 + i))
        await poll(lambda: broker.counts["retries"] >= 1)
        await asyncio.sleep(OUTAGE_S)  # the outage itself: Redis stays down this long
        assert broker.counts["handled"] == 1  # nothing written, nothing dropped meanwhile
        proc = restart_on(port, server.data_dir)
        broker.publish(user_event("cust-1", "after", now + 10))
        await broker.drain(timeout=30)
        texts = [t.text for _, t in await store.transcript(ticket.id)]
        assert texts == ["before"] + [f"during {i}" for i in range(5)] + ["after"]
        assert broker.counts["dropped"] == 0 and broker.counts["skipped"] == 0
        assert broker.counts["handled"] == 7 and broker.counts["retries"] >= 1
    finally:
        await broker.stop(timeout=1)
        await store.close()
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        server.stop()


@pytest.mark.asyncio
async def test_a_poison_event_is_skipped_and_the_worker_goes_on(tmp_path):
    server = RedisProcess(tmp_path / "redis")
    port = server.start()
    store = TicketStore.from_url(f"redis://127.0.0.1:{port}/0", prefix=f"b{next(_prefix)}", timeout=1)
    broker = HandoffEventBroker(store)
    try:
        now = time.time()
        await store.create(Ticket(id="t-poison", sender_id="cust-2", channel="rest", created_at=now - 10))
        broker.publish({**user_event("cust-2", "bad", now), "timestamp": "not a time"})
        broker.publish(user_event("cust-2", "good", now + 1))
        await broker.drain()
        assert [t.text for _, t in await store.transcript("t-poison")] == ["good"]
        assert broker.counts["skipped"] == 1 and broker.counts["retries"] == 0
    finally:
        await broker.stop(timeout=1)
        await store.close()
        server.stop()


@pytest.mark.asyncio
async def test_a_write_that_landed_is_not_added_twice_on_retry(tmp_path):
    from handoff.broker import route_event

    server = RedisProcess(tmp_path / "redis")
    port = server.start()
    store = TicketStore.from_url(f"redis://127.0.0.1:{port}/0", prefix=f"b{next(_prefix)}", timeout=1)
    try:
        now = time.time()
        await store.create(Ticket(id="t-twice", sender_id="cust-3", channel="rest", created_at=now - 10))
        event = user_event("cust-3", "hello", now)
        assert await route_event(store, event) == "turn"
        assert await route_event(store, event, retried=True) == "turn"  # its reply was lost: seen, not re-added
        assert [t.text for _, t in await store.transcript("t-twice")] == ["hello"]
    finally:
        await store.close()
        server.stop()
