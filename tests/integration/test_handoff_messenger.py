"""End to end on Messenger: real Rasa (with the Messenger channel and the handoff event
broker), action server and Redis; the recording fake Graph API plays Facebook.

A customer's diagnostic message becomes a ticket with its dossier; the agent's reply
reaches the customer through the Graph Send API; the customer's next message reaches the
ticket and not the bot; after resolve the CSAT question goes out, the score is stored and
the bot answers again.
"""
from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable

import aiohttp
import pytest

from connectors.facebook.client import MessengerClient
from handoff.rasa_api import RasaClient
from handoff.relay import Relay
from handoff.senders import MessengerSender
from handoff.store import TicketStore
from socialcare.console_plan import ConsolePlan
from socialcare.sandbox_plan import SandboxPlan
from socialcare.settings import Settings
from socialcare.supervisor import ServiceStack
from tests.conftest import free_port
from tests.helpers.fake_platforms import FakeGraphAPI
from tests.helpers.signing import sign_messenger

pytestmark = pytest.mark.integration

APP_SECRET, VERIFY, PAGE_TOKEN, PAGE_ID = "handoff-app-secret", "handoff-verify", "handoff-page-token", "108412345678901"


class GraphThread:
    """The fake Graph API on its own event loop thread (the stack fixture is synchronous)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.graph = FakeGraphAPI(page_token=PAGE_TOKEN)

    def __enter__(self) -> FakeGraphAPI:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.graph.start(), self.loop).result(10)
        return self.graph

    def __exit__(self, *exc: Any) -> None:
        asyncio.run_coroutine_threadsafe(self.graph.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def messenger_stack(fast_model: Path, tmp_path_factory):
    with GraphThread() as graph:
        env = {"FACEBOOK_APP_SECRET": APP_SECRET, "FACEBOOK_VERIFY_TOKEN": VERIFY,
               "FACEBOOK_PAGE_ACCESS_TOKEN": PAGE_TOKEN, "FACEBOOK_GRAPH_URL": graph.graph_url}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        settings = Settings.from_env({
            "SOCIALCARE_DATA_DIR": str(tmp_path_factory.mktemp("handoff-messenger")),
            "EMBEDDED_REDIS_PORT": str(free_port()), "RASA_PORT": str(free_port()),
            "ACTION_SERVER_PORT": str(free_port()), "RASA_TOKEN": "handoff-e2e-token",
        })
        service = ServiceStack(settings, fast_model, quiet=True, sandbox=SandboxPlan.off(), console=ConsolePlan.off())
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(service.start(timeout=240))
            yield service, graph
        finally:
            loop.run_until_complete(service.stop())
            loop.close()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def webhook(psid: str, text: str) -> bytes:
    now = int(time.time() * 1000)
    return json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": now, "messaging": [{
        "sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": now,
        "message": {"mid": f"m_{uuid.uuid4().hex}", "text": text}}]}]}).encode()


async def poll(check: Callable[[], Awaitable[Any]], timeout: float = 30.0) -> Any:
    """Bounded poll: the first truthy result of `check`, else fail."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


def texts_to(graph: FakeGraphAPI, psid: str):
    return [r.json["message"]["text"] for r in graph.successful("/me/messages")
            if r.json.get("recipient", {}).get("id") == psid and "message" in r.json]


def test_handoff_round_trip_on_messenger(messenger_stack):
    service, graph = messenger_stack
    port = service.settings.rasa_port
    psid = str(6012345678900000 + int(uuid.uuid4().hex[:6], 16))

    async def scenario():
        store = TicketStore.from_url(service.redis.url, service.settings.redis_key_prefix, timeout=5)
        relay = Relay(store, RasaClient(f"http://127.0.0.1:{port}", service.token),
                      {"messenger": MessengerSender(MessengerClient(PAGE_TOKEN, graph.graph_url))})
        await relay.start()

        async def customer(text: str) -> None:
            body = webhook(psid, text)
            async with http.post(f"http://127.0.0.1:{port}/webhooks/facebook/webhook", data=body,
                                 headers={"Content-Type": "application/json",
                                          "X-Hub-Signature-256": sign_messenger(APP_SECRET, body)}) as response:
                assert response.status == 200

        async def sent_since(count: int):
            return texts_to(graph, psid)[count:]

        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
                await customer("my bag never arrived in Dublin")
                ticket = await poll(lambda: store.active_ticket(psid))
                async def handoff_and_wait_sent():
                    sent = texts_to(graph, psid)
                    return sent if len(sent) >= 2 else None

                handoff_texts = await poll(handoff_and_wait_sent)
                assert any("person from our team" in t for t in handoff_texts)
                assert any("wait" in t or "offline" in t or "busy" in t for t in handoff_texts)
                assert ticket.channel == "messenger" and ticket.dossier["profile"]["user_id"] == psid
                assert ticket.dossier["thread"]["window"]["state"] == "standard"

                await store.claim(ticket.id, "ann")
                before = len(texts_to(graph, psid))
                await relay.send_agent_reply(ticket.id, "Hi, Ann from Aurora here. Checking your bag now.", "ann")
                assert texts_to(graph, psid)[before:] == ["Hi, Ann from Aurora here. Checking your bag now."]

                before = len(texts_to(graph, psid))
                await customer("thanks! file ref LGWAU12345")

                async def arrived():
                    return [t for _, t in await store.transcript(ticket.id) if "LGWAU12345" in t.text]

                [turn] = await poll(arrived)
                assert turn.speaker == "customer" and turn.channel == "messenger"
                assert texts_to(graph, psid)[before:] == []  # the bot stayed quiet

                await relay.resolve(ticket.id, "ann", resolution="bag traced", ask_csat=True)
                assert "1 (poor) to 5 (excellent)" in texts_to(graph, psid)[-1]
                before = len(texts_to(graph, psid))
                await customer("5")
                thanks = await poll(lambda: sent_since(before))
                assert any("Thank you for rating us" in t for t in thanks)

                async def rated():
                    return (await store.get(ticket.id)).csat == 5

                await poll(rated)
                before = len(texts_to(graph, psid))
                await customer("how big can my cabin bag be?")
                assert await poll(lambda: sent_since(before)), "the bot answers again"
        finally:
            await relay.close()
            await store.close()

    asyncio.run(scenario())
