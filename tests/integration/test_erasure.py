"""Erasure of one customer against a real Redis: after `socialcare forget` no key of theirs
is left (every key and every value scanned), and the other customer's data is intact."""
from __future__ import annotations

import asyncio
import json

import pytest
import redis
import redis.asyncio as aioredis

from connectors.events import InboundEvent, StandbyEvent
from connectors.intake.erasures import ErasureRequests
from connectors.intake.keys import IntakeKeys
from connectors.intake.queue import IntakeQueue, conversation_of
from handoff.erasure import ErasureTarget
from handoff.erasure_run import erase_customer, process_requests
from handoff.keys import HandoffKeys
from handoff.reasons import reasons_from_slot
from handoff.store import TicketStore, new_ticket_id
from handoff.tickets import Ticket, TranscriptTurn
from socialcare.cli import main as socialcare_main
from tests.helpers.handoff_support import run_redis

ALICE, BOB = "psid7000111222333", "psid7000999888777"  # Messenger customers
XANA, XAVI = "1500000000000000001", "1500000000000000002"  # two X authors in one thread


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("erasure-redis"))


def client(port: int) -> aioredis.Redis:
    return aioredis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=5)


def fb_message(mid: str, psid: str, text: str) -> InboundEvent:
    return InboundEvent("facebook", "message", mid, psid, "page-1", account_id="page-1", thread_id=psid, text=text,
                        timestamp=1, metadata={"public": False})


def x_mention(post_id: str, author: str, thread: str) -> InboundEvent:
    return InboundEvent("twitter", "mention", post_id, author, "brand-1", account_id="brand-1", thread_id=thread,
                        text="@brand where is my bag", timestamp=1, metadata={"public": True, "tweet_id": post_id})


def tracker_json(sender: str, platform: str, users: list) -> str:
    events = [{"event": "user", "text": "my email is a@b.c", "timestamp": 1.0,
               "metadata": {"platform": platform, "user_id": user, "thread_id": sender}} for user in users]
    return json.dumps({"name": sender, "events": events})


def ticket(sender: str, channel: str = "messenger") -> Ticket:
    return Ticket(id=new_ticket_id(), sender_id=sender, channel=channel, priority=2, sla_deadline=100.0,
                  reasons=reasons_from_slot(["route:diagnostic:report_lost_bag@0.97"]),
                  dossier={"summary": "lost bag", "profile": {"user_id": sender}})


async def seed(r: aioredis.Redis, prefix: str) -> dict:
    ikeys, hkeys = IntakeKeys(prefix), HandoffKeys(prefix)
    queue = IntakeQueue(r, ikeys)
    await queue.enqueue([fb_message("m.a1", ALICE, "hi I am Alice"), fb_message("m.b1", BOB, "hi I am Bob"),
                         fb_message("m.a2", ALICE, "bag AB123")])
    await queue.enqueue([x_mention("p.1", XANA, "conv-9"), x_mention("p.2", XAVI, "conv-9")])
    await queue.record_standby([StandbyEvent("facebook", "message", ALICE, "page-1", platform_event_id="m.s1",
                                             text="to the agent")])
    for platform in ("facebook", "twitter"):  # entries read by a consumer: in the group's pending list
        stream = ikeys.stream(platform)
        await r.xgroup_create(stream, ikeys.group(), id="0")
        await r.xreadgroup(ikeys.group(), "c1", {stream: ">"}, count=100)
    await r.rpush(ikeys.outbox("facebook", ALICE), json.dumps({"recipient": ALICE, "text": "your bag"}))
    await r.zadd(ikeys.outbox_due("facebook"), {ALICE: 1, BOB: 1})
    await r.xadd(ikeys.dead_letter(), {"platform": "facebook", "thread": ALICE, "reason": "handler_failed",
                                       "data": json.dumps({"v": 1, "event": {"sender_id": ALICE}})})
    await r.xadd(ikeys.dead_letter(), {"platform": "facebook", "thread": "unknown", "reason": "unusable_item",
                                       "data": json.dumps({"sender": {"id": ALICE}, "optin": {}})})
    await r.xadd(ikeys.dead_letter(), {"platform": "facebook", "thread": BOB, "reason": "handler_failed",
                                       "data": json.dumps({"v": 1, "event": {"sender_id": BOB}})})
    await r.set(ikeys.tracker(ALICE), tracker_json(ALICE, "facebook", [ALICE]))
    await r.set(ikeys.tracker(BOB), tracker_json(BOB, "facebook", [BOB]))
    await r.set(ikeys.tracker("conv-9"), tracker_json("conv-9", "twitter", [XANA, XAVI]))  # old shared thread
    await r.set(ikeys.tracker(XAVI), tracker_json(XAVI, "twitter", [XAVI]))
    await r.zadd(hkeys.paused, {ALICE: 1, BOB: 1})
    store = TicketStore(r, hkeys)
    alice_old, _ = await store.create(ticket(ALICE))
    await store.append_turn(alice_old.id, TranscriptTurn("customer", "Alice here", 2.0))
    await store.claim(alice_old.id, "ann")
    await store.resolve(alice_old.id, "ann", ask_csat=True)
    alice_open, _ = await store.create(ticket(ALICE))
    bob_open, _ = await store.create(ticket(BOB))
    await store.append_turn(bob_open.id, TranscriptTurn("customer", "Bob here", 2.0))
    return {"alice": {alice_old.id, alice_open.id}, "bob": bob_open.id}


async def dump(r: aioredis.Redis, prefix: str) -> dict:
    """Every key under `prefix` with its whole content as text."""
    contents = {}
    async for key in r.scan_iter(match=prefix + ":*", count=1000):
        kind = await r.type(key)
        if kind == "string":
            value = await r.get(key)
        elif kind == "list":
            value = await r.lrange(key, 0, -1)
        elif kind == "zset":
            value = await r.zrange(key, 0, -1)
        elif kind == "hash":
            value = await r.hgetall(key)
        elif kind == "stream":
            value = await r.xrange(key)
            groups = await r.xinfo_groups(key)
            pending = [await r.xpending_range(key, g["name"], "-", "+", 1000) for g in groups]
            value = [value, [[p["message_id"] for p in group] for group in pending]]
        else:
            value = await r.smembers(key)
        contents[key] = json.dumps(value, default=str)
    return contents


def leftovers(contents: dict, needles) -> list:
    return [key for key, value in contents.items() if any(n in key or n in value for n in needles)]


@pytest.mark.asyncio
async def test_forget_one_messenger_customer_leaves_no_key_of_theirs(redis_port):
    r = client(redis_port)
    try:
        ids = await seed(r, "er1")
        before = await dump(r, "er1")
        assert leftovers(before, [ALICE] + sorted(ids["alice"]))  # the test would see their data
        counts = await erase_customer(r, "er1", ErasureTarget("facebook", ALICE))
        after = await dump(r, "er1")
        assert leftovers(after, [ALICE] + sorted(ids["alice"])) == []
        assert counts["tickets"] == 2 and counts["trackers"] == 1 and counts["stream_entries"] == 2
        assert counts["dead_letters"] == 2 and counts["conversation_keys"] >= 3
        # Bob is intact: tracker, ticket and its transcript, stream entry, dead letter, schedule
        ikeys, hkeys = IntakeKeys("er1"), HandoffKeys("er1")
        assert BOB in after[ikeys.tracker(BOB)]
        assert await TicketStore(r, hkeys).active_ticket(BOB) is not None
        assert [t.text for _, t in await TicketStore(r, hkeys).transcript(ids["bob"])] == ["Bob here"]
        assert BOB in after[ikeys.stream("facebook")] and await r.llen(ikeys.pending("facebook", BOB)) == 1
        assert BOB in after[ikeys.dead_letter()] and await r.zrange(ikeys.outbox_due("facebook"), 0, -1) == [BOB]
        assert await r.zrange(hkeys.paused, 0, -1) == [BOB]
        # nothing else changed: every key that did not mention Alice is still there, unchanged
        untouched = {k: v for k, v in before.items() if not leftovers({k: v}, [ALICE] + sorted(ids["alice"]))}
        assert all(after.get(k) == v for k, v in untouched.items() if "handoff:feed" not in k)
    finally:
        await r.close()


@pytest.mark.asyncio
async def test_forget_one_x_author_in_a_shared_thread_keeps_the_other(redis_port):
    r = client(redis_port)
    try:
        await seed(r, "er2")
        counts = await erase_customer(r, "er2", ErasureTarget("twitter", XANA))
        after = await dump(r, "er2")
        assert leftovers(after, [XANA]) == []
        ikeys = IntakeKeys("er2")
        assert counts["trackers"] == 1 and counts["stream_entries"] == 1  # the old thread tracker named her
        assert XAVI in after[ikeys.stream("twitter")] and await r.llen(ikeys.pending("twitter", conversation_of(x_mention("p.2", XAVI, "conv-9")))) == 1
        assert ikeys.tracker(XAVI) in after and ALICE in after[ikeys.tracker(ALICE)]
    finally:
        await r.close()


@pytest.mark.asyncio
async def test_recorded_request_is_carried_out_and_leaves_only_a_status(redis_port):
    r = client(redis_port)
    try:
        await seed(r, "er3")
        requests = ErasureRequests(r, IntakeKeys("er3"))
        code = await requests.request("facebook", ALICE, "meta_callback")
        assert (await requests.status(code))["status"] == "pending"
        assert await process_requests(r, "er3") == 1
        status = await requests.status(code)
        assert status["status"] == "done" and status["removed"]["tickets"] == 2
        assert leftovers(await dump(r, "er3"), [ALICE]) == []
        assert await requests.pending() == []
    finally:
        await r.close()


def test_socialcare_forget_command_prints_counts_only(redis_port, monkeypatch, capsys):
    r = client(redis_port)
    asyncio.run(seed(r, "er4"))
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{redis_port}/0")
    monkeypatch.setenv("REDIS_KEY_PREFIX", "er4")
    assert socialcare_main(["forget", "--platform", "facebook", "--user", BOB]) == 0
    out = capsys.readouterr().out
    assert "tickets" in out and "trackers" in out and BOB not in out
    sync = redis.Redis(host="127.0.0.1", port=redis_port, decode_responses=True)
    try:
        assert sync.get("er4:tracker:" + BOB) is None and sync.get("er4:tracker:" + ALICE) is not None
    finally:
        sync.close()
    assert socialcare_main(["forget", "--platform", "facebook"]) == 2
