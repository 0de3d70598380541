"""The console's JSON API and websocket against a real Redis, the real TicketStore and
Relay, a recording fake Graph API (the customer's channel) and a fake Rasa HTTP API."""
from __future__ import annotations

import asyncio
import time

import pytest
import pytest_asyncio

from console import appkeys
from tests.helpers.console_harness import (
    FakeRasaAPI,
    add_user,
    console_server,
    console_settings,
    login,
    make_ticket,
    messenger_dossier,
    messenger_relay,
    new_client,
)
from tests.helpers.fake_platforms import FakeGraphAPI
from tests.helpers.handoff_support import run_redis

PSID = "2400000000000001"


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("console-api-redis"))


@pytest_asyncio.fixture
async def fakes():
    async with FakeGraphAPI(page_token="page-token") as graph, FakeRasaAPI() as rasa:
        yield graph, rasa


@pytest_asyncio.fixture
async def server(redis_port, tmp_path, fakes):
    graph, rasa = fakes
    async with console_server(console_settings(redis_port, tmp_path), messenger_relay(graph.graph_url, rasa)) as srv:
        for name, role in (("ann", "agent"), ("bob", "agent"), ("sam", "supervisor"), ("tia", "trainer")):
            await add_user(srv, name, role)
        yield srv


class Agent:
    """A logged-in API client: get/post with the session's CSRF token."""

    def __init__(self, client, token):
        self.client, self.token = client, token

    async def get(self, path):
        response = await self.client.get(path)
        return response.status, await response.json()

    async def post(self, path, body=None):
        response = await self.client.post(path, json=body, headers={"X-CSRF-Token": self.token})
        return response.status, await response.json()


@pytest_asyncio.fixture
async def agents(server):
    clients = {}
    try:
        for name in ("ann", "bob", "sam", "tia"):
            client = new_client(server)
            await client.start_server()
            status, token = await login(client, name)
            assert status == 200
            clients[name] = Agent(client, token)
        yield clients
    finally:
        for agent in clients.values():
            await agent.client.close()


async def seed_messenger(server, *, last_customer_at=None, priority=2):
    when = last_customer_at if last_customer_at is not None else time.time() - 60
    ticket = make_ticket(sender=PSID + str(int(when * 1000) % 100000), channel="messenger", priority=priority,
                         dossier=messenger_dossier(PSID, when))
    created, _ = await server.app[appkeys.STORE].create(ticket)
    return created


@pytest.mark.asyncio
async def test_list_and_get_a_ticket_with_its_dossier(server, agents):
    urgent = await seed_messenger(server, priority=1)
    normal, _ = await server.app[appkeys.STORE].create(make_ticket(priority=3))
    status, body = await agents["ann"].get("/api/tickets")
    assert status == 200
    ids = [t["id"] for t in body["tickets"]]
    assert ids.index(urgent.id) < ids.index(normal.id)
    row = next(t for t in body["tickets"] if t["id"] == urgent.id)
    assert row["customer"] == "Dana Kim" and row["priority"] == 1 and row["status"] == "open"
    assert 0 < row["sla"]["remaining_s"] <= 900 and not row["sla"]["breached"]
    assert row["reasons"][0]["code"] == "route" and row["reasons"][0]["score"] == pytest.approx(0.97)
    status, body = await agents["ann"].get(f"/api/tickets/{urgent.id}")
    assert status == 200
    ticket = body["ticket"]
    assert ticket["dossier"]["profile"]["user_id"] == PSID
    assert ticket["suggestions"] == [{"id": "baggage_delayed", "title": "baggage_delayed",
                                      "text": "Report it at the desk.", "score": 0.8}]
    assert ticket["window"]["open"] is True and ticket["window"]["state"] == "standard"
    assert (await agents["ann"].get("/api/tickets/t-doesnotexist"))[0] == 404


@pytest.mark.asyncio
async def test_claim_is_exclusive(server, agents):
    ticket = await seed_messenger(server)
    results = await asyncio.gather(*(agents[n].post(f"/api/tickets/{ticket.id}/claim") for n in ("ann", "bob", "sam")))
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409, 409]
    owner = (await server.app[appkeys.STORE].get(ticket.id)).owner
    assert all(body.get("owner") == owner for status, body in results if status == 409)
    assert (await agents["tia"].post(f"/api/tickets/{ticket.id}/claim"))[0] == 403


@pytest.mark.asyncio
async def test_reply_goes_through_the_customers_channel_and_shows_live(server, agents, fakes):
    graph, rasa = fakes
    ticket = await seed_messenger(server)
    ann, bob = agents["ann"], agents["bob"]
    assert (await ann.post(f"/api/tickets/{ticket.id}/reply", {"text": "hello"}))[0] == 403  # not claimed
    assert (await ann.post(f"/api/tickets/{ticket.id}/claim"))[0] == 200
    async with ann.client.session.ws_connect(ann.client.make_url(f"/api/tickets/{ticket.id}/live?last_id=0")) as ws:
        assert (await bob.post(f"/api/tickets/{ticket.id}/reply", {"text": "hi"}))[0] == 403  # not the owner
        assert (await ann.post(f"/api/tickets/{ticket.id}/reply", {"text": "  "}))[0] == 400
        status, body = await ann.post(f"/api/tickets/{ticket.id}/reply", {"text": "Hi Dana, I'm on it."})
        assert status == 200 and body["turn"]["speaker"] == "agent" and body["turn"]["agent"] == "ann"
        turn = None
        deadline = time.monotonic() + 10
        while turn is None and time.monotonic() < deadline:
            event = await ws.receive_json(timeout=max(0.1, deadline - time.monotonic()))
            if event["kind"] == "turn":
                turn = event["data"]
        assert turn is not None and turn["text"] == "Hi Dana, I'm on it." and turn["speaker"] == "agent"
    sent = graph.successful("/me/messages")
    assert [r.json["message"]["text"] for r in sent] == ["Hi Dana, I'm on it."]
    assert sent[0].json["recipient"]["id"] == PSID and sent[0].json["messaging_type"] == "RESPONSE"
    events = rasa.events_of(ticket.sender_id)
    assert events[0]["event"] == "bot" and events[0]["metadata"]["handoff_agent"] == "ann"
    _, detail = await ann.get(f"/api/tickets/{ticket.id}")
    assert [t["text"] for t in detail["ticket"]["transcript"] if t["speaker"] == "agent"] == ["Hi Dana, I'm on it."]


@pytest.mark.asyncio
async def test_closed_messenger_window_is_refused_with_alternatives(server, agents, fakes):
    graph, _ = fakes
    ticket = await seed_messenger(server, last_customer_at=time.time() - 8 * 86400)
    ann = agents["ann"]
    await ann.post(f"/api/tickets/{ticket.id}/claim")
    status, body = await ann.post(f"/api/tickets/{ticket.id}/reply", {"text": "Sorry for the wait"})
    assert status == 409 and body["kind"] == "WindowClosed"
    assert body["alternatives"] == ["twitter_dm"]
    assert graph.successful("/me/messages") == []


@pytest.mark.asyncio
async def test_release_and_transfer(server, agents):
    ticket = await seed_messenger(server)
    ann, bob, sam = agents["ann"], agents["bob"], agents["sam"]
    await ann.post(f"/api/tickets/{ticket.id}/claim")
    assert (await bob.post(f"/api/tickets/{ticket.id}/release"))[0] == 403
    assert (await ann.post(f"/api/tickets/{ticket.id}/transfer", {"to": "tia"}))[0] == 400  # trainer
    assert (await ann.post(f"/api/tickets/{ticket.id}/transfer", {"to": "nobody"}))[0] == 400
    status, body = await ann.post(f"/api/tickets/{ticket.id}/transfer", {"to": "bob"})
    assert status == 200 and body["ticket"]["owner"] == "bob"
    status, body = await bob.post(f"/api/tickets/{ticket.id}/release")
    assert status == 200 and body["ticket"]["status"] == "open" and body["ticket"]["owner"] is None
    # A supervisor can move a ticket that someone else holds.
    await ann.post(f"/api/tickets/{ticket.id}/claim")
    status, body = await sam.post(f"/api/tickets/{ticket.id}/transfer", {"to": "bob"})
    assert status == 200 and body["ticket"]["owner"] == "bob"
    status, body = await ann.get("/api/tickets?status=mine")
    assert ticket.id not in [t["id"] for t in body["tickets"]]


@pytest.mark.asyncio
async def test_resolve_resumes_the_bot_and_keeps_the_ticket_searchable(server, agents, fakes):
    graph, rasa = fakes
    ticket = await seed_messenger(server)
    ann = agents["ann"]
    await ann.post(f"/api/tickets/{ticket.id}/claim")
    rasa.fail_next(1, 500)
    status, body = await ann.post(f"/api/tickets/{ticket.id}/resolve", {"resolution": "traced the bag"})
    assert status == 502 and body["kind"] == "DeliveryFailed"
    assert (await server.app[appkeys.STORE].get(ticket.id)).status == "claimed"
    status, body = await ann.post(f"/api/tickets/{ticket.id}/resolve", {"resolution": "traced the bag"})
    assert status == 200 and body["ticket"]["status"] == "resolved"
    assert [e["event"] for e in rasa.events_of(ticket.sender_id)][:1] == ["resume"]
    assert graph.successful("/me/messages")[-1].json["recipient"]["id"] == PSID  # the CSAT question
    status, body = await ann.get("/api/tickets?status=resolved")
    assert ticket.id in [t["id"] for t in body["tickets"]]
    status, body = await ann.get("/api/tickets?q=Dana%20traced")
    assert [t["id"] for t in body["tickets"]] == [ticket.id]
    assert (await ann.post(f"/api/tickets/{ticket.id}/reply", {"text": "one more"}))[0] == 409


@pytest.mark.asyncio
async def test_only_the_owner_or_a_supervisor_resolves(server, agents, fakes):
    ticket = await seed_messenger(server)
    await agents["ann"].post(f"/api/tickets/{ticket.id}/claim")
    status, body = await agents["bob"].post(f"/api/tickets/{ticket.id}/resolve", {})
    assert status == 403 and body["kind"] == "NotOwner"
    status, body = await agents["sam"].post(f"/api/tickets/{ticket.id}/resolve", {"ask_csat": False})
    assert status == 200 and body["ticket"]["status"] == "resolved"


@pytest.mark.asyncio
async def test_supervisor_and_trainer_views(server, agents):
    await seed_messenger(server, priority=1)
    late, _ = await server.app[appkeys.STORE].create(make_ticket(sla_in=-30))
    _, body = await agents["ann"].get("/api/canned")
    assert any(c["id"] == "greeting" for c in body["responses"])
    status, body = await agents["sam"].get("/api/supervisor/overview")
    assert status == 200
    online = {a["name"] for a in body["agents"] if a["online"]}
    assert {"ann", "bob", "sam"} <= online and "tia" not in {a["name"] for a in body["agents"]}
    assert body["queue"]["open"] >= 2 and body["queue"]["sla_breached"] >= 1
    status, body = await agents["tia"].get("/api/trainer/recent?below=0.6")
    assert status == 200
    assert any(m["ticket_id"] == late.id and m["confidence"] == 0.41 for m in body["messages"])
    assert (await agents["tia"].get("/api/trainer/recent?below=x"))[0] == 400


@pytest.mark.asyncio
async def test_queue_feed_websocket_reports_changes(server, agents):
    ticket = await seed_messenger(server)
    ann = agents["ann"]
    async with ann.client.session.ws_connect(ann.client.make_url("/api/live")) as ws:
        await ann.post(f"/api/tickets/{ticket.id}/claim")
        deadline = time.monotonic() + 10
        seen = []
        while not any(e["data"].get("action") == "claimed" for e in seen) and time.monotonic() < deadline:
            seen.append(await ws.receive_json(timeout=max(0.1, deadline - time.monotonic())))
        claimed = next(e for e in seen if e["data"].get("action") == "claimed")
        assert claimed["ticket_id"] == ticket.id and claimed["data"]["owner"] == "ann"
        assert "text" not in claimed["data"]
    response = await ann.client.get("/api/tickets/t-nope/live")
    assert response.status == 404
