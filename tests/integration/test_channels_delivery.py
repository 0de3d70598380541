"""Delivery guarantees of the channels, seen from the fake platforms (issue 3, section 9):
a retried webhook gets one reply, a batched Messenger POST gets its answers in order, an
outbound 429 followed by a success delivers once, and a channel process killed mid-turn
still gets the message answered exactly once after a restart."""
from __future__ import annotations

import asyncio
import os
import threading
import time
import urllib.request

import aiohttp
import pytest
import pytest_asyncio

from tests.conftest import PROJECT_ROOT, free_port
from tests.helpers.channel_process import start_channel_process
from tests.helpers.channel_stack import (
    APP_SECRET,
    CUSTOMER,
    PAGE_ID,
    PAGE_TOKEN,
    PSID,
    VERIFY_TOKEN,
    messenger_body,
    open_stack,
)
from tests.helpers.fake_platforms import FakeGraphAPI
from tests.helpers.fixtures import fixture_bytes
from tests.helpers.intake_helpers import RedisServer, wait_until
from tests.helpers.signing import sign_messenger

pytestmark = [pytest.mark.integration]


async def echo_bot(message) -> None:
    await message.output_channel.send_text_message(message.sender_id, f"answer to {message.text}")


@pytest_asyncio.fixture
async def stack(tmp_path):
    async with open_stack(tmp_path) as result:
        result.rasa.bot = echo_bot
        yield result


def graph_answers(graph, psid: str = PSID) -> list[str]:
    """Texts the fake Graph API accepted for ``psid`` (typing indicators left out)."""
    return [r.json["message"]["text"] for r in graph.successful("/me/messages")
            if r.json.get("recipient", {}).get("id") == psid and "message" in r.json]


@pytest.mark.asyncio
async def test_retried_messenger_delivery_gets_one_reply(stack):
    body = fixture_bytes("messenger", "text")
    # The platform retries: twice at the same time, then once more after the answer.
    first, second = await asyncio.gather(stack.post("facebook", body), stack.post("facebook", body))
    assert (first.status, second.status) == (200, 200)
    await wait_until(lambda: len(graph_answers(stack.graph)) >= 1, message="the answer")
    assert (await stack.post("facebook", body)).status == 200
    await wait_until(stack.drained, message="stream drained")
    assert len(graph_answers(stack.graph)) == 1
    assert len(stack.rasa.messages) == 1


@pytest.mark.asyncio
async def test_retried_x_dm_delivery_gets_one_reply(stack):
    body = fixture_bytes("twitter", "dm")
    responses = await asyncio.gather(*(stack.post("twitter", body) for _ in range(3)))
    assert [r.status for r in responses] == [200, 200, 200]
    await wait_until(lambda: stack.x.successful("/dm_conversations/"), message="the DM answer")
    await wait_until(stack.drained, message="stream drained")
    dms = stack.x.successful("/dm_conversations/")
    assert len(dms) == 1 and dms[0].path == f"/2/dm_conversations/with/{CUSTOMER}/messages"


@pytest.mark.asyncio
async def test_batched_messenger_post_gets_three_answers_in_order(stack):
    response = await stack.post("facebook", messenger_body("first", "second", "third", prefix="m_b3"))
    assert response.status == 200
    await wait_until(lambda: len(graph_answers(stack.graph)) == 3, message="three answers")
    assert graph_answers(stack.graph) == ["answer to first", "answer to second", "answer to third"]
    await wait_until(stack.drained, message="stream drained")
    assert len(graph_answers(stack.graph)) == 3


@pytest.mark.asyncio
async def test_outbound_429_then_success_delivers_once(stack):
    stack.graph.pass_next(1)  # typing_on goes through
    stack.graph.fail_next(1, 429, retry_after=1)
    stack.x.fail_next(1, 429, rate_limit_reset=int(time.time()) + 1)
    assert (await stack.post("facebook", fixture_bytes("messenger", "text"))).status == 200
    assert (await stack.post("twitter", fixture_bytes("twitter", "dm"))).status == 200
    await wait_until(lambda: graph_answers(stack.graph) and stack.x.successful("/dm_conversations/"),
                     timeout=20, message="both answers after the 429")
    await wait_until(stack.drained, message="stream drained")
    assert [r.status for r in stack.graph.requests if r.json and "message" in r.json] == [429, 200]
    assert len(graph_answers(stack.graph)) == 1
    assert [r.status for r in stack.x.requests] == [429, 201]


# ---------------------------------------------------------------------- crash mid-turn


@pytest.mark.asyncio
async def test_process_killed_mid_turn_answers_once_after_restart(tmp_path):
    hang, entered = tmp_path / "hang", tmp_path / "entered"
    async with RedisServer(tmp_path / "redis") as redis, FakeGraphAPI(page_token=PAGE_TOKEN) as graph:
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "FACEBOOK_APP_SECRET": APP_SECRET,
               "FACEBOOK_VERIFY_TOKEN": VERIFY_TOKEN, "FACEBOOK_PAGE_ACCESS_TOKEN": PAGE_TOKEN,
               "FACEBOOK_PAGE_ID": PAGE_ID, "FACEBOOK_GRAPH_URL": graph.graph_url,
               "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis.port), "REDIS_KEY_PREFIX": "sccrash",
               "INTAKE_CLAIM_IDLE_MS": "600", "INTAKE_BLOCK_MS": "50",
               "HANG_FILE": str(hang), "ENTERED_FILE": str(entered)}
        hang.touch()
        first_port, second_port = free_port(), free_port()
        first = await start_channel_process(env, first_port, tmp_path / "first.log")
        try:
            body = fixture_bytes("messenger", "text")
            async with aiohttp.ClientSession() as http:
                async with http.post(f"http://127.0.0.1:{first_port}/webhooks/facebook/webhook", data=body,
                                     headers={"Content-Type": "application/json",
                                              "X-Hub-Signature-256": sign_messenger(APP_SECRET, body)}) as response:
                    assert response.status == 200
            await wait_until(entered.exists, timeout=30, message="turn started in the first process")
        finally:
            first.kill()
            await first.wait()
        assert graph_answers(graph) == []
        hang.unlink()
        second = await start_channel_process(env, second_port, tmp_path / "second.log")
        try:
            await wait_until(lambda: graph_answers(graph), timeout=30, message="answer after restart")
            stream = "sccrash:intake:facebook"

            async def settled() -> bool:
                summary = await redis.client.xpending(stream, "sccrash:intake:workers")
                return await redis.client.xlen(stream) == 0 and int(summary["pending"]) == 0

            await wait_until(settled, message="entry acked")
        finally:
            second.terminate()
            await second.wait()
        assert entered.read_text() == "m_sc-text-0001"  # the first process had started this turn
        assert graph_answers(graph) == ["answer to Bonjour! My flight SK204 was annul\u00e9 \u2014 can I rebook?"]


@pytest.mark.asyncio
async def test_webhook_ack_does_not_wait_for_a_busy_model(stack):
    """A turn that blocks its event loop (as Rasa's synchronous model work does) must not
    delay the acknowledgement of other webhooks. The second webhook is posted from
    another thread, so the measurement does not depend on the test's own loop."""
    started = threading.Event()

    async def busy_bot(message) -> None:
        started.set()
        time.sleep(1.5)  # blocks whatever loop the turn runs on
        await echo_bot(message)

    def post_while_busy() -> tuple[int, float]:
        assert started.wait(10), "the slow turn never started"
        body = messenger_body("next", sender="6099999999999999", prefix="m_next")
        request = urllib.request.Request(
            f"{stack.server.url}/webhooks/facebook/webhook", data=body, method="POST",
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign_messenger(APP_SECRET, body)})
        began = time.monotonic()
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, time.monotonic() - began

    stack.rasa.bot = busy_bot
    assert (await stack.post("facebook", messenger_body("slow", prefix="m_busy"))).status == 200
    status, elapsed = await asyncio.get_running_loop().run_in_executor(None, post_while_busy)
    assert status == 200
    assert elapsed < 0.5, f"ack took {elapsed:.2f}s while a turn was busy"
    await wait_until(lambda: len(graph_answers(stack.graph)) >= 1, message="the slow answer")
