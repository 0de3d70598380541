"""The outbox against a real redis-server and the fake platforms (issue 10, item 3):
replies recorded with the turn's ack, sent once each, rate limits waited out in order,
timeouts never resent. Every wait is a bounded poll."""
from __future__ import annotations

import asyncio
import time

import pytest
import pytest_asyncio

from connectors.facebook.client import MessengerClient
from connectors.facebook.output import MessengerOutput, messenger_delivery
from connectors.http import Metrics, RetryPolicy
from connectors.intake import scripts
from connectors.intake.consumer import StreamConsumer
from connectors.intake.deadletters import DeadLetters
from connectors.intake.keys import IntakeKeys
from connectors.intake.queue import IntakeQueue
from connectors.intake.runtime import IntakeRuntime
from connectors.intake.settings import IntakeSettings
from connectors.outbox.replies import CURRENT, Reply, TurnReplies, encode
from connectors.outbox.sender import OutboxSender
from connectors.outbox.settings import ReliabilitySettings
from connectors.outbox.store import OutboxStore
from connectors.twitter.client import XClient
from connectors.twitter.output import DM_INVITE_NOTICE, DM_SENT_NOTICE, MentionTarget, XOutput, x_delivery
from core.settings import RedisSettings, RedisTarget
from tests.helpers.fake_platforms import FakeGraphAPI, FakeXAPI
from tests.helpers.intake_helpers import RedisServer, message, wait_until

pytestmark = [pytest.mark.integration]

KEYS = IntakeKeys("scoutbox")
TOKEN = "EAAGoutboxPageToken"
FAST = RetryPolicy(max_attempts=3, base_wait=0.01, max_wait=0.2, max_total=5.0)
CK, CS, AT, AS = "ck-outbox", "cs-outbox-secret", "750362064426721281-at", "at-outbox-secret"


@pytest_asyncio.fixture
async def redis_server(tmp_path):
    async with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest_asyncio.fixture
async def graph():
    async with FakeGraphAPI(page_token=TOKEN) as fake:
        yield fake


def answers(graph: FakeGraphAPI) -> list[str]:
    return [r.json["message"]["text"] for r in graph.successful("/me/messages") if r.json and "message" in r.json]


def message_requests(graph: FakeGraphAPI) -> list:
    return [r for r in graph.requests if r.json and "message" in r.json]


def sender(server: RedisServer, platform: str = "facebook", **options) -> OutboxSender:
    redis = server.new_client()
    settings = {"poll_s": 0.05}
    settings.update(options)
    return OutboxSender(redis, KEYS, platform, dead_letters=DeadLetters(redis, KEYS), metrics=Metrics(),
                        **settings)


def consumer(server: RedisServer, handler, name: str, outbox: OutboxSender | None, **options) -> StreamConsumer:
    settings = {"block_ms": 50, "claim_idle_ms": 5_000, "retry_base_s": 0.01, "retry_max_s": 0.05,
                "defer_base_s": 0.005, "defer_max_s": 0.02}
    settings.update(options)
    return StreamConsumer(server.new_client(), KEYS, platform="facebook", handler=handler,
                          consumer_name=name, outbox=outbox, **settings)


def answering(client: MessengerClient, entered: asyncio.Event | None = None, hang: bool = False):
    async def handler(event) -> None:
        output = MessengerOutput(client, metrics=Metrics())
        await output.send_text_message(event.sender_id, f"answer to {event.text}")
        if entered is not None:
            entered.set()
        if hang:
            await asyncio.Event().wait()  # the process dies here, after the "send", before the ack
    return handler


async def record(server: RedisServer, thread: str, entry_id: str, texts: list[str], platform: str = "facebook",
                 op: str = "send_text", recipient: str = "psid-1") -> None:
    """Record replies in the outbox as a finished turn does (the consumer's ACK script)."""
    replies = [encode(Reply(f"{entry_id}:{i}", platform, thread, op, recipient, {"text": text}))
               for i, text in enumerate(texts)]
    ack = server.client.register_script(scripts.ACK)
    await ack(keys=["none:pending", "none:stream", "none:failures", "none:starts", KEYS.outbox(platform, thread),
                    KEYS.outbox_due(platform), KEYS.outbox_recorded(platform, entry_id)],
              args=["group", entry_id, int(time.time() * 1000), 3600, thread, *replies])


async def close(*items) -> None:
    """Stop consumers / senders and close their clients (a consumer's sender too)."""
    for item in items:
        await item.stop(5)
        if isinstance(item, StreamConsumer):
            await item.redis.close()
            item = item.outbox
        if item is not None:
            await item.store.redis.close()


# ---------------------------------------------------------------------- sent once


@pytest.mark.asyncio
async def test_reply_is_sent_once_when_the_turn_is_rerun_after_a_crash(redis_server, graph):
    """Before: the turn sent while it ran, so a consumer dying before its ack sent the
    answer twice (once per run). Now nothing leaves before the ack records it."""
    async with MessengerClient(TOKEN, graph.graph_url, retry=FAST, metrics=Metrics()) as client:
        entered = asyncio.Event()
        outbox_a = sender(redis_server, delivery=messenger_delivery(client))
        a = consumer(redis_server, answering(client, entered, hang=True), "A", outbox_a, claim_idle_ms=150)
        await a.start()
        await IntakeQueue(redis_server.client, KEYS).enqueue([message("m_once", "psid-1", "hi")])
        await asyncio.wait_for(entered.wait(), 5)
        await a.stop(0.05)  # crash: cancelled after the reply was produced, nothing acked
        await a.redis.close()
        assert message_requests(graph) == []

        outbox_b = sender(redis_server, delivery=messenger_delivery(client))
        b = consumer(redis_server, answering(client), "B", outbox_b, claim_idle_ms=150)
        await b.start()
        try:
            await wait_until(lambda: answers(graph) == ["answer to hi"], message="one answer after the rerun")

            async def drained() -> bool:
                return await outbox_b.store.waiting() == 0

            await wait_until(drained, message="outbox drained")
        finally:
            await close(b)
    assert answers(graph) == ["answer to hi"] and len(message_requests(graph)) == 1
    assert b.stats["handled"] == 1


@pytest.mark.asyncio
async def test_a_rerun_ack_does_not_record_the_replies_again(redis_server):
    await record(redis_server, "t1", "1-0", ["one", "two"])
    await record(redis_server, "t1", "1-0", ["one", "two"])  # the same entry's turn, finished again
    assert await redis_server.client.llen(KEYS.outbox("facebook", "t1")) == 2


@pytest.mark.asyncio
async def test_a_send_interrupted_by_a_crash_is_never_resent(redis_server, graph):
    """A sender that died during a send (state ``sending``) may have delivered it: the
    next sender dead-letters it as ``send_interrupted`` and goes on with the next one."""
    await record(redis_server, "t1", "2-0", ["maybe sent", "next"])
    claimed = await OutboxStore(redis_server.client, KEYS, "facebook").claim("2-0:0")
    assert claimed.may_send  # the dead sender had claimed it, then died
    async with MessengerClient(TOKEN, graph.graph_url, retry=FAST, metrics=Metrics()) as client:
        outbox = sender(redis_server, delivery=messenger_delivery(client))
        outbox.start()
        try:
            await wait_until(lambda: answers(graph) == ["next"], message="the next reply")
        finally:
            await close(outbox)
    assert len(message_requests(graph)) == 1
    [letter] = await DeadLetters(redis_server.client, KEYS).list(10)
    assert letter.reason == "send_interrupted" and letter.fields["reply_id"] == "2-0:0"
    assert outbox.metrics.get("facebook", "outbox_dead_lettered") == 1


# ---------------------------------------------------------------------- rate limits


@pytest.mark.asyncio
async def test_429_retry_after_60_keeps_the_replies_and_delivers_them_in_order(redis_server, graph):
    """Before: at most 10 s a wait, 30 s in all, then dropped. Now the conversation waits
    for the reset (60 s, scaled by 0.01 here) and nothing is lost or reordered."""
    graph.fail_next(1, 429, retry_after=60)
    await record(redis_server, "t1", "3-0", ["first", "second"])
    await record(redis_server, "t1", "4-0", ["third"])
    async with MessengerClient(TOKEN, graph.graph_url, retry=FAST, metrics=Metrics()) as client:
        outbox = sender(redis_server, delivery=messenger_delivery(client), wait_scale=0.01)
        started = time.monotonic()
        outbox.start()
        try:
            async def waiting() -> bool:
                return await outbox.store.state("3-0:0") == "waiting:0:0"

            await wait_until(waiting, message="the 429 scheduled")
            await asyncio.sleep(0.2)  # half the scaled reset: nothing may be sent meanwhile
            assert len(graph.requests) == 1
            assert await redis_server.client.llen(KEYS.outbox("facebook", "t1")) == 3
            await wait_until(lambda: answers(graph) == ["first", "second", "third"], message="all after the reset")
        finally:
            await close(outbox)
    first_ok = next(r for r in graph.requests if r.ok)
    assert first_ok.at - graph.requests[0].at >= 0.55
    assert time.monotonic() - started < 10
    assert [r.status for r in message_requests(graph)] == [429, 200, 200, 200]
    assert await redis_server.client.exists(KEYS.outbox("facebook", "t1"), KEYS.outbox_due("facebook")) == 0


@pytest.mark.asyncio
async def test_x_rate_limit_reset_two_minutes_away_is_waited_for(redis_server):
    async with FakeXAPI({CK: (CS, AT, AS)}) as xapi:
        xapi.fail_next(1, 429, rate_limit_reset=int(time.time()) + 120)
        await record(redis_server, "u1", "5-0", ["dm one", "dm two"], platform="twitter", op="send_dm",
                     recipient="750362064426721281")
        async with XClient(CK, CS, AT, AS, xapi.base_url, retry=FAST, metrics=Metrics()) as client:
            outbox = sender(redis_server, "twitter", delivery=x_delivery(client), wait_scale=0.005)
            outbox.start()
            try:
                async def waiting() -> bool:
                    return await outbox.store.state("5-0:0") == "waiting:0:0"

                await wait_until(waiting, message="the 429 scheduled")
                due = await outbox.store.next_due_ms()
                assert due is not None and due - time.time() * 1000 > 300  # ~0.6 s scaled, not 10 s capped
                await wait_until(lambda: len(xapi.successful("/dm_conversations/")) == 2, timeout=10,
                                 message="both DMs after the reset")
            finally:
                await close(outbox)
        texts = [r.json["text"] for r in xapi.successful("/dm_conversations/")]
    assert texts == ["dm one", "dm two"]


# ---------------------------------------------------------------------- timeouts


@pytest.mark.asyncio
async def test_a_timeout_after_the_platform_accepted_is_not_sent_again(redis_server, graph):
    """Before: a timed-out send was retried up to 3 times with no idempotency. Now it is
    marked unknown and dead-lettered for a person; the conversation goes on."""
    graph.stall_next(1, 1.0)  # the platform takes the request but answers too late
    await record(redis_server, "t1", "6-0", ["slow one", "after it"])
    async with MessengerClient(TOKEN, graph.graph_url, timeout=0.2, retry=FAST, metrics=Metrics()) as client:
        outbox = sender(redis_server, delivery=messenger_delivery(client))
        outbox.start()
        try:
            await wait_until(lambda: answers(graph) == ["after it"], message="the next reply")
            await asyncio.sleep(0.3)
        finally:
            await close(outbox)
    texts = [r.json["message"]["text"] for r in message_requests(graph)]
    assert texts == ["slow one", "after it"]  # the slow one reached the platform once, never again
    assert await outbox.store.state("6-0:0") == "unknown"
    [letter] = await DeadLetters(redis_server.client, KEYS).list(10)
    assert letter.reason == "send_outcome_unknown:timeout" and letter.fields["source"] == "outbox"
    assert outbox.metrics.get("facebook", "outbox_unknown") == 1


@pytest.mark.asyncio
async def test_replies_wait_without_a_delivery_and_go_out_once_bound(redis_server, graph):
    await record(redis_server, "t1", "7-0", ["kept"])
    outbox = sender(redis_server)
    outbox.start()
    try:
        await asyncio.sleep(0.2)
        assert await redis_server.client.llen(KEYS.outbox("facebook", "t1")) == 1
        async with MessengerClient(TOKEN, graph.graph_url, retry=FAST, metrics=Metrics()) as client:
            outbox.bind(messenger_delivery(client))
            await wait_until(lambda: answers(graph) == ["kept"], message="sent once bound")
    finally:
        await close(outbox)


# ---------------------------------------------------------------------- X mentions


async def run_mention_turn(redis_server: RedisServer, client: XClient, entry_id: str) -> None:
    """One public mention turn whose answer holds personal data: DM plus public notice."""
    replies = TurnReplies("twitter", "750362064426721281", entry_id)
    token = CURRENT.set(replies)
    try:
        output = XOutput(client, mention=MentionTarget("1800000000000000001", "750362064426721281"),
                         metrics=Metrics())
        await output.send_text_message("750362064426721281", "Your booking AB12CD is confirmed, ann@example.com")
        await output.finish()
    finally:
        CURRENT.reset(token)
    assert [r.op for r in replies.replies] == ["send_dm", "reply_to_tweet"]
    ack = redis_server.client.register_script(scripts.ACK)
    thread = replies.thread
    await ack(keys=["none:pending", "none:stream", "none:failures", "none:starts", KEYS.outbox("twitter", thread),
                    KEYS.outbox_due("twitter"), KEYS.outbox_recorded("twitter", entry_id)],
              args=["group", entry_id, int(time.time() * 1000), 3600, thread, *replies.encoded()])


@pytest.mark.asyncio
@pytest.mark.parametrize("dm_refused, notice", [(False, DM_SENT_NOTICE), (True, DM_INVITE_NOTICE)])
async def test_withheld_mention_notice_follows_the_dm_outcome(redis_server, dm_refused, notice):
    async with FakeXAPI({CK: (CS, AT, AS)}) as xapi:
        if dm_refused:
            xapi.fail_next(1, 403)
        async with XClient(CK, CS, AT, AS, xapi.base_url, retry=FAST, metrics=Metrics()) as client:
            await run_mention_turn(redis_server, client, "8-0")
            outbox = sender(redis_server, "twitter", delivery=x_delivery(client))
            outbox.start()
            try:
                await wait_until(lambda: xapi.successful("/2/tweets"), message="the public notice")
            finally:
                await close(outbox)
        [posted] = xapi.successful("/2/tweets")
        assert posted.json["text"] == notice
        assert len(xapi.successful("/dm_conversations/")) == (0 if dm_refused else 1)


@pytest.mark.asyncio
async def test_an_exception_after_the_reply_does_not_send_it_twice(redis_server, graph):
    """Before: the reply left during the turn, the turn failed after it and was retried,
    so the customer got it twice. Now the failed run's replies are discarded."""
    runs: list[str] = []

    async def fails_once(event) -> None:
        output = MessengerOutput(client, metrics=Metrics())
        await output.send_text_message(event.sender_id, f"answer to {event.text}")
        runs.append(event.platform_event_id)
        if len(runs) == 1:
            raise RuntimeError("backend call after the answer failed")

    async with MessengerClient(TOKEN, graph.graph_url, retry=FAST, metrics=Metrics()) as client:
        c = consumer(redis_server, fails_once, "C", sender(redis_server, delivery=messenger_delivery(client)))
        await c.start()
        try:
            await IntakeQueue(redis_server.client, KEYS).enqueue([message("m_exc", "psid-2", "hey")])
            await wait_until(lambda: answers(graph) == ["answer to hey"], message="the answer")
            await asyncio.sleep(0.2)
        finally:
            await close(c)
    assert runs == ["m_exc", "m_exc"] and len(message_requests(graph)) == 1


@pytest.mark.asyncio
async def test_runtime_delivers_replies_left_from_a_crash_before_any_new_turn(redis_server, graph):
    await record(redis_server, "t9", "9-0", ["left over"])
    runtime = IntakeRuntime("facebook", RedisSettings(RedisTarget("127.0.0.1", redis_server.port), "scoutbox",
                                                      embedded=False), IntakeSettings(block_ms=50),
                            reliability=ReliabilitySettings(outbox_poll_ms=50))
    async with MessengerClient(TOKEN, graph.graph_url, retry=FAST, metrics=Metrics()) as client:
        runtime.bind_delivery(messenger_delivery(client))

        async def never(event) -> None:
            raise AssertionError("no turn in this test")

        await runtime.start_consumer(never)
        try:
            await wait_until(lambda: answers(graph) == ["left over"], message="the left-over reply")
        finally:
            await runtime.close(5)
