"""The platform sandbox against the real channels (fake bot, real Redis) on 127.0.0.1:
signed webhooks in, validated outbound calls recorded, faults and retries on both sides."""
from __future__ import annotations

import asyncio

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from connectors.facebook.channel import MessengerInput
from connectors.facebook.settings import MessengerSettings
from connectors.intake.settings import IntakeSettings
from connectors.twitter.channel import XInput
from connectors.twitter.settings import XSettings
from core.settings import RedisSettings, RedisTarget
from sandbox.app import create_app
from sandbox.payloads import customer
from sandbox.settings import SandboxSettings
from socialcare.sandbox_plan import SandboxPlan
from tests.conftest import free_port
from tests.helpers.channel_harness import ChannelServer, FakeRasa
from tests.helpers.intake_helpers import RedisServer, wait_until

pytestmark = [pytest.mark.integration]


async def bot(message) -> None:
    out = message.output_channel
    if message.text == "options please":
        await out.send_text_with_buttons(message.sender_id, "Pick one",
                                         [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}])
    elif message.text == "my booking":
        await out.send_text_message(message.sender_id, "Booking K7P2QX is confirmed for Smith.")
    else:
        await out.send_text_message(message.sender_id, f"answer to {message.text}")


class Sandbox:
    def __init__(self, url: str, http: aiohttp.ClientSession, rasa: FakeRasa, page_token: str) -> None:
        self.url, self.http, self.rasa, self.page_token = url, http, rasa, page_token

    async def call(self, method: str, path: str, body=None):
        async with self.http.request(method, self.url + path, json=body) as response:
            return response.status, await response.json()

    async def outbound(self, **match):
        _, items = await self.call("GET", "/sandbox/api/outbound")
        return [i for i in items if all(i.get(k) == v for k, v in match.items())]


async def _serve(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


@pytest_asyncio.fixture
async def sandbox(tmp_path):
    rasa_port, sandbox_port = free_port(), free_port()
    env = SandboxPlan.on(sandbox_port, rasa_port).environment()
    settings = SandboxSettings.from_env({**env, "SANDBOX_WEBHOOK_TIMEOUT_S": "5"})
    async with RedisServer(tmp_path / "redis") as redis:
        redis_settings = RedisSettings(RedisTarget("127.0.0.1", redis.port), "scsbx", embedded=False)
        intake = IntakeSettings(block_ms=50)
        fb = MessengerInput(MessengerSettings.from_env(env), [], redis_settings, intake)
        tw = XInput(XSettings.from_env(env), [], redis_settings, intake)
        rasa = FakeRasa(bot)
        runner = await _serve(create_app(settings, retry_base_s=0.05), sandbox_port)
        try:
            async with ChannelServer([fb, tw], rasa, port=rasa_port), aiohttp.ClientSession() as http:
                yield Sandbox(settings.url, http, rasa, settings.page_access_token)
        finally:
            await runner.cleanup()


@pytest.mark.asyncio
async def test_messenger_round_trip_with_typing_and_quick_replies(sandbox):
    status, item = await sandbox.call("POST", "/sandbox/api/messages",
                                      {"channel": "messenger", "customer": "alice", "text": "options please"})
    assert status == 200 and item["status"] == "delivered"
    assert [a["status"] for a in item["attempts"]] == [200]
    await wait_until(lambda: sandbox.outbound(operation="send_message"), message="the reply")
    [reply] = await sandbox.outbound(operation="send_message")
    assert reply["customer"] == "alice" and reply["channel"] == "messenger" and reply["status"] == 200
    assert reply["text"] == "Pick one" and [o["title"] for o in reply["options"]] == ["Yes", "No"]
    assert await sandbox.outbound(operation="sender_action", customer="alice")
    _, transcript = await sandbox.call("GET", "/sandbox/api/transcript/alice")
    assert [(m["direction"], m["text"]) for m in transcript["messages"]] == [("in", "options please"),
                                                                            ("out", "Pick one")]
    _, inbound = await sandbox.call("GET", "/sandbox/api/inbound")
    assert inbound[0]["replies"] and inbound[0]["replies"][0] >= inbound[0]["posted_at"]


@pytest.mark.asyncio
async def test_x_dm_and_public_mention_are_oauth_signed_and_private_data_goes_to_dm(sandbox):
    await sandbox.call("POST", "/sandbox/api/messages", {"channel": "x_dm", "customer": "bob", "text": "options please"})
    await wait_until(lambda: sandbox.outbound(operation="send_dm"), message="DM reply")
    [dm] = await sandbox.outbound(operation="send_dm")
    assert dm["status"] == 201 and dm["text"] == "Pick one\n\n1. Yes\n2. No"  # OAuth 1.0a checked
    await sandbox.call("POST", "/sandbox/api/messages", {"channel": "x_dm", "customer": "bob", "text": "2"})
    await wait_until(lambda: len(sandbox.rasa.messages) == 2, message="numbered answer")
    assert sandbox.rasa.messages[1].text == "/deny"

    await sandbox.call("POST", "/sandbox/api/messages", {"channel": "x_mention", "customer": "bob", "text": "my booking"})
    await wait_until(lambda: sandbox.outbound(operation="post_reply"), message="public reply")
    [public] = await sandbox.outbound(operation="post_reply")
    assert public["status"] == 201 and public["channel"] == "x_mention"
    assert "K7P2QX" not in public["text"] and "Smith" not in public["text"] and "DM" in public["text"]
    private = await sandbox.outbound(operation="send_dm", status=201)
    assert any("K7P2QX" in item["text"] for item in private)


@pytest.mark.asyncio
async def test_injected_429_is_retried_and_delivered_once(sandbox):
    status, _ = await sandbox.call("POST", "/sandbox/api/faults", {"platform": "twitter", "status": 429,
                                                                   "count": 1, "retry_after": 1})
    assert status == 200
    await sandbox.call("POST", "/sandbox/api/messages", {"channel": "x_dm", "customer": "carol", "text": "hello"})
    await wait_until(lambda: sandbox.outbound(operation="send_dm", status=201), timeout=15, message="DM after 429")
    calls = await sandbox.outbound()
    assert [c["status"] for c in calls] == [429, 201]
    assert (await sandbox.call("POST", "/sandbox/api/faults", {"platform": "x", "status": 200}))[0] == 400


@pytest.mark.asyncio
async def test_subscription_checks_pass_against_the_channels(sandbox):
    status, result = await sandbox.call("POST", "/sandbox/api/check")
    assert status == 200
    assert result["facebook"]["ok"] and result["twitter"]["ok"]


@pytest.mark.asyncio
async def test_bad_customer_requests_are_refused(sandbox):
    for body in ({"channel": "sms", "text": "x"}, {"channel": "messenger", "text": ""},
                 {"channel": "x_dm", "text": "x", "payload": "/affirm"}):
        status, answer = await sandbox.call("POST", "/sandbox/api/messages", body)
        assert status == 400 and answer["error"]
    assert sandbox.rasa.messages == []


@pytest.mark.asyncio
async def test_webhook_delivery_is_retried_until_200():
    answers = [503, 500, 200]
    seen: list[tuple[str, str | None]] = []

    async def receive(request: web.Request) -> web.Response:
        seen.append((request.path, request.headers.get("X-Hub-Signature-256")))
        return web.json_response({}, status=answers[len(seen) - 1])

    app = web.Application()
    app.router.add_post("/webhooks/facebook/webhook", receive)
    rasa_port, sandbox_port = free_port(), free_port()
    env = SandboxPlan.on(sandbox_port, rasa_port).environment()
    receiver = await _serve(app, rasa_port)
    runner = await _serve(create_app(SandboxSettings.from_env(env), retry_base_s=0.01), sandbox_port)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(f"http://127.0.0.1:{sandbox_port}/sandbox/api/messages",
                                 json={"channel": "messenger", "customer": "dan", "text": "hi"}) as response:
                item = await response.json()
    finally:
        await runner.cleanup()
        await receiver.cleanup()
    assert [a["status"] for a in item["attempts"]] == [503, 500, 200]
    assert item["status"] == "delivered"
    assert len({signature for _, signature in seen}) == 1 and seen[0][1].startswith("sha256=")


@pytest.mark.asyncio
async def test_graph_endpoint_validates_and_applies_latency(sandbox):
    await sandbox.call("POST", "/sandbox/api/messages", {"channel": "messenger", "customer": "erin", "text": "hi"})
    await wait_until(lambda: sandbox.outbound(operation="send_message"), message="first reply")
    psid = customer("erin").psid
    assert (await sandbox.outbound())[0]["status"] == 200  # the channel's own calls pass
    url = f"{sandbox.url}/v21.0/me/messages"
    body = {"recipient": {"id": psid}, "messaging_type": "RESPONSE", "message": {"text": "hello"}}
    async with sandbox.http.post(url, params={"access_token": "wrong"}, json=body) as response:
        assert response.status == 400 and (await response.json())["error"]["code"] == 190
    status, _ = await sandbox.call("POST", "/sandbox/api/latency", {"platform": "facebook", "ms": 300})
    assert status == 200
    settings_token = sandbox.page_token
    began = asyncio.get_running_loop().time()
    async with sandbox.http.post(url, params={"access_token": settings_token}, json=body) as response:
        assert response.status == 200
    assert asyncio.get_running_loop().time() - began >= 0.3
    bad = {**body, "message": {"text": "x" * 2000}}
    async with sandbox.http.post(url, params={"access_token": settings_token}, json=bad) as response:
        assert response.status == 400 and (await response.json())["error"]["code"] == 100
    stranger = {**body, "recipient": {"id": "6000000000000000"}}
    async with sandbox.http.post(url, params={"access_token": settings_token}, json=stranger) as response:
        assert response.status == 400


@pytest.mark.asyncio
async def test_customers_can_be_registered_for_direct_webhooks(sandbox):
    status, person = await sandbox.call("POST", "/sandbox/api/customers", {"customer": "fay"})
    assert status == 200 and person == {"customer": "fay", "psid": customer("fay").psid,
                                        "x_user_id": customer("fay").x_user_id, "x_handle": "fay"}
    assert (await sandbox.call("POST", "/sandbox/api/customers", {"customer": ""}))[0] == 400
