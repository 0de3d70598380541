"""The receive / consume split (``INTAKE_ROLE``): a receive-only process acknowledges and
enqueues a signed Messenger webhook but never answers it; a consume-only process started
beside it answers it exactly once, also when the platform redelivers the webhook."""
from __future__ import annotations

import asyncio
import os

import aiohttp
import pytest

from tests.conftest import PROJECT_ROOT, free_port
from tests.helpers.channel_process import start_channel_process
from tests.helpers.channel_stack import APP_SECRET, PAGE_ID, PAGE_TOKEN, PSID, VERIFY_TOKEN
from tests.helpers.fake_platforms import FakeGraphAPI
from tests.helpers.fixtures import fixture_bytes
from tests.helpers.intake_helpers import RedisServer, wait_until
from tests.helpers.signing import sign_messenger

pytestmark = [pytest.mark.integration]

PREFIX = "scsplit"
STREAM = f"{PREFIX}:intake:facebook"
GROUP = f"{PREFIX}:intake:workers"
ANSWER = "answer to Bonjour! My flight SK204 was annul\u00e9 \u2014 can I rebook?"


def answers(graph) -> list[str]:
    """Texts the fake Graph API accepted for the fixture's customer (no typing indicators)."""
    return [r.json["message"]["text"] for r in graph.successful("/me/messages")
            if r.json.get("recipient", {}).get("id") == PSID and "message" in r.json]


async def post_signed(port: int, body: bytes) -> int:
    """POST ``body`` to the Messenger webhook on ``port``, signed like Meta; the status."""
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign_messenger(APP_SECRET, body)}
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as http, \
            http.post(f"http://127.0.0.1:{port}/webhooks/facebook/webhook", data=body, headers=headers) as response:
        await response.read()
        return response.status


async def stop(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM, then SIGKILL after 15 s."""
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()


@pytest.mark.asyncio
async def test_receive_only_and_consume_only_processes_answer_exactly_once(tmp_path):
    async with RedisServer(tmp_path / "redis") as redis, FakeGraphAPI(page_token=PAGE_TOKEN) as graph:
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "FACEBOOK_APP_SECRET": APP_SECRET,
               "FACEBOOK_VERIFY_TOKEN": VERIFY_TOKEN, "FACEBOOK_PAGE_ACCESS_TOKEN": PAGE_TOKEN,
               "FACEBOOK_PAGE_ID": PAGE_ID, "FACEBOOK_GRAPH_URL": graph.graph_url,
               "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis.port), "REDIS_KEY_PREFIX": PREFIX,
               "INTAKE_BLOCK_MS": "50", "INTAKE_CLAIM_IDLE_MS": "600"}
        env.pop("HANG_FILE", None)
        receive_port, consume_port = free_port(), free_port()
        body = fixture_bytes("messenger", "text")
        receiver = await start_channel_process({**env, "INTAKE_ROLE": "receive"}, receive_port,
                                               tmp_path / "receive.log")
        try:
            assert await post_signed(receive_port, body) == 200
            await asyncio.sleep(1.5)  # a consumer polling every 50 ms would have answered by now
            assert answers(graph) == []
            assert await redis.client.xlen(STREAM) == 1  # accepted and queued, not consumed
            assert await redis.client.xinfo_groups(STREAM) == []  # no consumer group joined

            consumer = await start_channel_process({**env, "INTAKE_ROLE": "consume"}, consume_port,
                                                   tmp_path / "consume.log")
            try:
                await wait_until(lambda: answers(graph), timeout=30, message="answer from the consumer")

                async def settled() -> bool:
                    summary = await redis.client.xpending(STREAM, GROUP)
                    return await redis.client.xlen(STREAM) == 0 and int(summary["pending"]) == 0

                await wait_until(settled, timeout=30, message="entry acked")
                assert await post_signed(receive_port, body) == 200  # Meta redelivers
                await asyncio.sleep(1.5)
            finally:
                await stop(consumer)
        finally:
            await stop(receiver)
        assert answers(graph) == [ANSWER]
        assert await redis.client.xlen(STREAM) == 0
