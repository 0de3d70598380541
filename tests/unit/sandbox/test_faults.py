"""The sandbox's fault injection for `make chaos`: fault windows, X's reset header apart
from Retry-After, accept-then-answer-late, and replies in someone else's X thread."""
from __future__ import annotations

import time

import pytest
from aiohttp.test_utils import TestClient, TestServer

from sandbox.app import STATE, create_app
from sandbox.payloads import customer, in_thread, x_mention
from sandbox.settings import SandboxSettings
from sandbox.state import SandboxState

SETTINGS = SandboxSettings(app_secret="s", verify_token="v", page_access_token="tok", consumer_key="ck",
                           consumer_secret="cs", access_token="at", access_token_secret="ats")


def test_a_window_answers_every_call_until_it_closes():
    state = SandboxState()
    state.inject("twitter", 429, retry_after=60, reset_in=120, for_s=10)
    now = time.monotonic()
    assert state.take_fault("twitter", now).status == 429
    assert state.take_fault("twitter", now + 1).reset_in == 120  # not used up by a call
    assert state.take_fault("facebook", now) is None
    assert state.take_fault("twitter", now + 11) is None
    assert "twitter" not in state.windows


def test_queued_faults_go_before_the_window_and_reset_forgets_both():
    state = SandboxState()
    state.inject("facebook", 429, for_s=60)
    state.inject("facebook", 503)
    assert state.take_fault("facebook").status == 503
    assert state.take_fault("facebook").status == 429
    state.reset()
    assert state.take_fault("facebook") is None


def test_a_reply_in_someone_elses_thread():
    alice, bob = customer("alice"), customer("bob")
    mention = in_thread(x_mention("1", "Brand", bob, "222", "me too", 0), "111", alice)
    tweet = mention["tweet_create_events"][0]
    assert tweet["in_reply_to_status_id_str"] == "111" and tweet["in_reply_to_user_id_str"] == alice.x_user_id
    assert tweet["user"]["id_str"] == bob.x_user_id


@pytest.mark.asyncio
async def test_x_storm_headers_and_a_late_accepted_graph_send():
    app = create_app(SETTINGS)
    async with TestClient(TestServer(app)) as client:
        bad = await client.post("/sandbox/api/faults", json={"platform": "facebook", "status": 200})
        assert bad.status == 400  # an accepted-late fault needs its delay
        answer = await client.post("/sandbox/api/faults", json={
            "platform": "twitter", "status": 429, "retry_after": 60, "reset_in": 120, "for_s": 30})
        assert (await answer.json())["window"] is True
        for _ in range(2):  # every call in the window, not just the first
            response = await client.post("/2/dm_conversations/with/1/messages", json={"text": "hi"})
            assert response.status == 429 and response.headers["Retry-After"] == "60"
            reset = int(response.headers["x-rate-limit-reset"]) - time.time()
            assert 115 <= reset <= 121
        person = app[STATE].customer("carol")
        await client.post("/sandbox/api/faults", json={"platform": "facebook", "status": 200, "delay_s": 0.6})
        began = time.monotonic()
        response = await client.post("/v21.0/me/messages?access_token=tok", json={
            "recipient": {"id": person.psid}, "messaging_type": "RESPONSE", "message": {"text": "hello"}})
        assert response.status == 200 and time.monotonic() - began >= 0.6
        sends = [o for o in app[STATE].outbound if o.operation == "send_message"]
        assert [(o.customer, o.text, o.status) for o in sends] == [("carol", "hello", 200)]  # accepted
        began = time.monotonic()
        await client.post("/v21.0/me/messages?access_token=tok", json={
            "recipient": {"id": person.psid}, "messaging_type": "RESPONSE", "message": {"text": "again"}})
        assert time.monotonic() - began < 0.5  # the fault was used up


@pytest.mark.asyncio
async def test_load_tools_register_their_own_posts_and_thread_replies_are_checked():
    app = create_app(SETTINGS)
    async with TestClient(TestServer(app)) as client:
        answer = await client.post("/sandbox/api/customers", json={"customer": "dave", "post_id": "777"})
        assert answer.status == 200 and app[STATE].tweets["777"] == "dave"
        assert (await client.post("/sandbox/api/customers", json={"customer": "dave", "post_id": "x"})).status == 400
        wrong = await client.post("/sandbox/api/messages", json={
            "channel": "x_dm", "customer": "erin", "text": "hi", "in_reply_to": "777"})
        assert wrong.status == 400  # a thread reply is a public post
