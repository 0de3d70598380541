"""An agent's public reply on X through the console API: personal data is refused with a
422 the console shows as a warning (send by DM or edit), the same text goes out by DM
when the agent chooses it. Real Redis, the real Relay, a fake X API and a fake Rasa."""
from __future__ import annotations

import time

import pytest
import pytest_asyncio

from connectors.twitter.client import XClient
from console import appkeys
from handoff.rasa_api import RasaClient
from handoff.relay import Relay
from handoff.senders import XSender
from tests.helpers.console_harness import (
    FakeRasaAPI,
    add_user,
    console_server,
    console_settings,
    login,
    make_ticket,
    new_client,
)
from tests.helpers.fake_platforms import FakeXAPI
from tests.helpers.handoff_support import run_redis

AUTHOR = "9001"


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("console-privacy-redis"))


@pytest_asyncio.fixture
async def world(redis_port, tmp_path):
    x = FakeXAPI({"ck": ("cs", "at", "as")})
    await x.start()
    async with FakeRasaAPI() as rasa:

        async def factory(settings, store):
            client = XClient("ck", "cs", "at", "as", x.base_url)
            relay = Relay(store, RasaClient(rasa.base_url, rasa.token),
                          {"twitter_dm": XSender(client, "twitter_dm"),
                           "twitter_mention": XSender(client, "twitter_mention")})
            await relay.start()
            return relay

        try:
            async with console_server(console_settings(redis_port, tmp_path), factory) as server:
                await add_user(server, "ann", "agent")
                client = new_client(server)
                await client.start_server()
                try:
                    status, token = await login(client, "ann")
                    assert status == 200
                    yield server, client, token, x
                finally:
                    await client.close()
        finally:
            await x.close()


@pytest.mark.asyncio
async def test_public_reply_with_an_email_is_a_422_warning_and_goes_by_dm_on_request(world):
    server, client, token, x = world
    now = time.time()
    dossier = {"profile": {"platform": "twitter", "user_id": AUTHOR, "handle": "loudtraveller"},
               "thread": {"last_post_id": "1850000000000000001", "last_customer_at": now - 60, "public": True},
               "transcript": [], "summary": {"headline": "complaint", "lines": [], "text": "complaint"}}
    ticket, _ = await server.app[appkeys.STORE].create(make_ticket(sender=AUTHOR, channel="twitter_mention",
                                                                   dossier=dossier))
    headers = {"X-CSRF-Token": token}
    assert (await client.post(f"/api/tickets/{ticket.id}/claim", headers=headers)).status == 200
    text = "We've sent the refund form to traveller@example.com"
    response = await client.post(f"/api/tickets/{ticket.id}/reply", json={"text": text}, headers=headers)
    body = await response.json()
    assert response.status == 422 and body["kind"] == "PersonalDataInPublic"
    assert body["alternatives"] == ["twitter_dm"] and body["choices"] == ["send_by_dm", "edit"]
    assert "personal data" in body["error"] and "traveller@example.com" not in body["redacted"]
    assert x.successful("/2/tweets") == []
    response = await client.post(f"/api/tickets/{ticket.id}/reply", json={"text": text, "via": "twitter_dm"},
                                 headers=headers)
    assert response.status == 200 and (await response.json())["turn"]["channel"] == "twitter_dm"
    [dm] = x.successful(f"/dm_conversations/with/{AUTHOR}/messages")
    assert dm.json["text"] == text and x.successful("/2/tweets") == []
    response = await client.post(f"/api/tickets/{ticket.id}/reply", json={"text": text, "via": "messenger"},
                                 headers=headers)
    assert response.status == 409  # not an alternative of a mention
