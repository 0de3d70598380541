"""Messenger and X clients against recording fake platforms on 127.0.0.1."""
from __future__ import annotations

import logging
import time

import pytest
import pytest_asyncio
from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature as oauth_signature

from connectors.facebook.client import MessengerClient
from connectors.http import (
    Metrics,
    OutsideMessagingWindow,
    PermissionDenied,
    PlatformConnectionError,
    PlatformError,
    RateLimited,
    RetryPolicy,
    ThreadControlledByOtherApp,
)
from connectors.twitter.client import XClient
from connectors.twitter.outbound import match_option
from tests.conftest import free_port
from tests.helpers.fake_platforms import (
    FakeGraphAPI,
    FakeXAPI,
    graph_error_body,
    oauth1_signature,
    parse_oauth_header,
)

TOKEN = "EAAGpagetokenNeverLogged123"
PSID = "1254477777772919"
CONSUMER_KEY, CONSUMER_SECRET = "ck-test-key", "cs-test-secret-never-logged"
ACCESS_TOKEN, ACCESS_SECRET = "750362064426721281-at", "at-secret-never-logged"
PARTICIPANT = "750362064426721281"
FAST = RetryPolicy(max_attempts=3, base_wait=0.01, max_wait=0.2, max_total=5.0)


@pytest_asyncio.fixture
async def graph():
    async with FakeGraphAPI(page_token=TOKEN) as fake:
        yield fake


@pytest_asyncio.fixture
async def messenger(graph):
    client = MessengerClient(TOKEN, graph.graph_url, retry=FAST, metrics=Metrics())
    await client.start()
    yield client
    await client.close()


@pytest_asyncio.fixture
async def xapi():
    async with FakeXAPI({CONSUMER_KEY: (CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_SECRET)}) as fake:
        yield fake


@pytest_asyncio.fixture
async def xclient(xapi):
    client = XClient(CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_SECRET, xapi.base_url,
                     retry=FAST, metrics=Metrics())
    async with client:
        yield client


def _gap(requests, index):
    return requests[index].at - requests[index - 1].at


# --------------------------------------------------------------------------- Messenger


@pytest.mark.asyncio
async def test_long_text_is_split_into_ordered_chunks(graph, messenger):
    text = " ".join(f"Sentence {i} about your booking." for i in range(400))  # about 12,000 chars
    replies = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    ids = await messenger.send_text(PSID, text, quick_replies=replies)
    sent = graph.successful()
    assert len(sent) == len(ids) >= 6
    assert ids == [f"m_fake_{n}" for n in range(1, len(ids) + 1)]
    chunks = [r.json["message"]["text"] for r in sent]
    assert " ".join(chunks).split() == text.split()
    assert all(len(c) < 2000 for c in chunks)
    assert all(r.json["messaging_type"] == "RESPONSE" and r.json["recipient"] == {"id": PSID} for r in sent)
    assert all("quick_replies" not in r.json["message"] for r in sent[:-1])
    assert [q["payload"] for q in sent[-1].json["message"]["quick_replies"]] == ["/affirm", "/deny"]
    assert all(r.query == {"access_token": TOKEN} for r in sent)
    assert messenger.metrics.get("facebook", "sent") == len(ids)


@pytest.mark.asyncio
async def test_429_then_success_delivers_once_after_retry_after(graph, messenger):
    graph.fail_next(1, 429, retry_after=5)
    ids = await messenger.send_text(PSID, "Your booking is confirmed.")
    assert len(ids) == 1
    assert len(graph.requests) == 2 and len(graph.successful()) == 1
    assert _gap(graph.requests, 1) >= 0.18  # Retry-After 5 s, capped by max_wait 0.2 s
    assert messenger.metrics.snapshot()["facebook"] == {"retried": 1, "rate_limited": 1, "sent": 1}


@pytest.mark.asyncio
async def test_graph_rate_limit_code_is_retried(graph, messenger):
    graph.fail_next(1, 400, body=graph_error_body(613, "Calls to this api have exceeded the rate limit."))
    assert len(await messenger.send_text(PSID, "hello")) == 1
    assert len(graph.requests) == 2 and len(graph.successful()) == 1


@pytest.mark.asyncio
async def test_500_three_times_gives_up_after_max_attempts(graph, messenger):
    graph.fail_next(3, 500)
    with pytest.raises(PlatformError) as caught:
        await messenger.send_text(PSID, "hello")
    assert caught.value.status == 500 and caught.value.retryable and caught.value.attempts == 3
    assert len(graph.requests) == 3 and graph.successful() == []
    assert messenger.metrics.snapshot()["facebook"] == {"retried": 2, "failed": 1}


@pytest.mark.asyncio
async def test_outside_window_is_raised_without_retry(graph, messenger):
    graph.close_window(PSID)
    with pytest.raises(OutsideMessagingWindow) as caught:
        await messenger.send_text(PSID, "Are you still there?")
    assert caught.value.code == 10 and caught.value.subcode == 2018278 and not caught.value.retryable
    assert len(graph.requests) == 1


@pytest.mark.asyncio
async def test_human_agent_tag_body_reaches_closed_window(graph, messenger):
    graph.close_window(PSID)
    ids = await messenger.send_text(PSID, "Hi, this is Ana from customer care.", tag="HUMAN_AGENT")
    assert len(ids) == 1
    [request] = graph.successful()
    assert request.json == {
        "recipient": {"id": PSID},
        "messaging_type": "MESSAGE_TAG",
        "tag": "HUMAN_AGENT",
        "message": {"text": "Hi, this is Ana from customer care."},
    }


@pytest.mark.asyncio
async def test_thread_owned_by_other_app(graph, messenger):
    graph.give_thread_to_other_app(PSID)
    with pytest.raises(ThreadControlledByOtherApp):
        await messenger.send_text(PSID, "hello")
    assert len(graph.requests) == 1


@pytest.mark.asyncio
async def test_typing_indicator_and_mark_seen_bodies(graph, messenger):
    await messenger.send_typing(PSID)
    await messenger.send_typing(PSID, on=False)
    await messenger.mark_seen(PSID)
    assert [r.json for r in graph.successful()] == [
        {"recipient": {"id": PSID}, "sender_action": "typing_on"},
        {"recipient": {"id": PSID}, "sender_action": "typing_off"},
        {"recipient": {"id": PSID}, "sender_action": "mark_seen"},
    ]
    assert messenger.metrics.get("facebook", "sent") == 0


@pytest.mark.asyncio
async def test_buttons_template_and_quick_reply_fallback(graph, messenger):
    await messenger.send_buttons(PSID, "What would you like to do?",
                                 [{"title": "Check in", "payload": "/check_in"},
                                  {"title": "Baggage rules", "url": "https://example.com/bags"}])
    buttons = [{"title": f"Option {i}", "payload": f"/o{i}"} for i in range(5)]
    await messenger.send_buttons(PSID, "Pick one", buttons)
    template, fallback = graph.successful()
    assert template.json["message"]["attachment"]["payload"]["template_type"] == "button"
    assert len(fallback.json["message"]["quick_replies"]) == 5


@pytest.mark.asyncio
async def test_partial_delivery_reports_delivered_ids(graph, messenger):
    graph.pass_next(1)
    graph.fail_next(1, 400, body=graph_error_body(100, "(#100) Invalid parameter"))
    with pytest.raises(PlatformError) as caught:
        await messenger.send_text(PSID, "A" * 1500 + "\n\n" + "B" * 1500)
    assert caught.value.delivered == ["m_fake_1"] and not caught.value.retryable
    assert len(graph.requests) == 2


@pytest.mark.asyncio
async def test_messenger_send_timeout_is_not_retried_blindly(graph):
    # issue 10: the platform may have accepted a send that timed out; retrying it could
    # deliver it twice (before: 3 attempts). Typing indicators may still be retried.
    graph.stall_next(5, 3.0)
    client = MessengerClient(TOKEN, graph.graph_url, timeout=0.1, retry=FAST, metrics=Metrics())
    started = time.monotonic()
    async with client:
        with pytest.raises(PlatformConnectionError) as caught:
            await client.send_text(PSID, "hello")
        assert caught.value.code == "timeout" and caught.value.attempts == 1 and not caught.value.retryable
        assert len(graph.requests) == 1
        with pytest.raises(PlatformConnectionError) as typing:
            await client.send_typing(PSID, True)
    assert typing.value.attempts == 3 and len(graph.requests) == 4
    assert time.monotonic() - started < 2.0 and graph.successful() == []


@pytest.mark.asyncio
async def test_connection_refused_is_retried_then_raised():
    client = MessengerClient(TOKEN, f"http://127.0.0.1:{free_port()}/v21.0", retry=FAST, metrics=Metrics())
    async with client:
        with pytest.raises(PlatformConnectionError) as caught:
            await client.send_text(PSID, "hello")
    assert caught.value.code == "connection" and caught.value.attempts == 3
    assert TOKEN not in str(caught.value) and caught.value.__cause__ is None


@pytest.mark.asyncio
async def test_total_time_bound_stops_before_attempts_run_out(graph):
    graph.fail_next(10, 429, retry_after=30)
    policy = RetryPolicy(max_attempts=10, base_wait=0.01, max_wait=0.3, max_total=0.5)
    async with MessengerClient(TOKEN, graph.graph_url, retry=policy, metrics=Metrics()) as client:
        with pytest.raises(RateLimited) as caught:
            await client.send_text(PSID, "hello")
    assert caught.value.attempts == 2 and len(graph.requests) == 2


@pytest.mark.asyncio
async def test_logs_hold_ids_not_text_or_token(graph, messenger, caplog):
    caplog.set_level(logging.DEBUG)
    secret_text = "my passport number is X1234567"
    graph.fail_next(1, 500)
    await messenger.send_text(PSID, secret_text)
    graph.close_window(PSID)
    with pytest.raises(OutsideMessagingWindow) as caught:
        await messenger.send_text(PSID, secret_text)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("connectors"))
    assert "platform.retry" in ours and "platform.sent" in ours and "platform.failed" in ours
    assert PSID in ours
    for leaked in (TOKEN, secret_text):
        assert leaked not in caplog.text and leaked not in str(caught.value) and leaked not in repr(messenger)


# --------------------------------------------------------------------------- X


def test_fake_oauth_helper_matches_docs_vector():
    params = {
        "status": "Hello Ladies + Gentlemen, a signed OAuth request!",
        "include_entities": "true",
        "oauth_consumer_key": "xvz1evFS4wEEPTGEFPHBog",
        "oauth_nonce": "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "1318622958",
        "oauth_token": "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "oauth_version": "1.0",
    }
    assert oauth1_signature("POST", "https://api.x.com/1.1/statuses/update.json", params,
                            "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                            "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE") == "Ls93hJiZbQ3akF3HF3x1Bz8/zU4="


@pytest.mark.asyncio
async def test_send_dm_body_and_oauth_header(xapi, xclient):
    event_id = await xclient.send_dm(PARTICIPANT, "Your bag has been located.")
    [request] = xapi.successful()
    assert request.path == f"/2/dm_conversations/with/{PARTICIPANT}/messages"
    assert request.json == {"text": "Your bag has been located."}
    assert request.headers["Content-Type"].startswith("application/json")
    header = request.headers["Authorization"]
    assert header.startswith("OAuth ") and "oauth_signature=" in header and "oauth_consumer_key=" in header
    assert event_id.isdigit()
    assert xclient.metrics.get("twitter", "sent") == 1


@pytest.mark.asyncio
async def test_oauth_signature_verifies_with_oauthlib_server_helpers(xapi, xclient):
    await xclient.reply_to_tweet("1456012973835788293", "Thanks, we are looking into it.")
    [request] = xapi.successful()
    oauth = parse_oauth_header(request.headers["Authorization"])
    assert oauth["oauth_consumer_key"] == CONSUMER_KEY and oauth["oauth_token"] == ACCESS_TOKEN
    url = xapi.base_url + request.path
    server_request = OAuthRequest(url, "POST", headers={"Authorization": request.headers["Authorization"]})
    server_request.params = oauth_signature.collect_parameters(
        headers={"Authorization": request.headers["Authorization"]}, exclude_oauth_signature=True
    )
    server_request.signature = oauth["oauth_signature"]
    assert oauth_signature.verify_hmac_sha1(server_request, CONSUMER_SECRET, ACCESS_SECRET)
    assert not oauth_signature.verify_hmac_sha1(server_request, CONSUMER_SECRET, "other-secret")
    base = oauth_signature.signature_base_string(
        "POST", oauth_signature.base_string_uri(url), oauth_signature.normalize_parameters(server_request.params)
    )
    # The JSON body is not part of the base string.
    assert "Thanks" not in base


@pytest.mark.asyncio
async def test_dm_options_rendered_and_matched_back(xapi, xclient):
    options = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    await xclient.send_dm(PARTICIPANT, "Did that help?", options=options)
    [request] = xapi.successful()
    assert request.json["text"] == "Did that help?\n\n1. Yes\n2. No"
    assert match_option("2.", options) == "/deny"


@pytest.mark.asyncio
async def test_long_dm_is_split_in_order(xapi, xclient):
    text = "Details about your refund. " * 600  # about 16,200 characters
    last_id = await xclient.send_dm(PARTICIPANT, text)
    sent = xapi.successful()
    assert len(sent) == 2 and all(len(r.json["text"]) <= 10_000 for r in sent)
    assert " ".join(r.json["text"] for r in sent).split() == text.split()
    assert last_id == str(1585800613253812228 + 2)


@pytest.mark.asyncio
async def test_reply_to_tweet_body_is_fitted_not_threaded(xapi, xclient):
    text = "We are very sorry about the cancellation of your flight this morning. " * 8
    post_id = await xclient.reply_to_tweet("1234567890", text)
    [request] = xapi.requests
    assert request.path == "/2/tweets" and request.status == 201
    assert request.json["reply"] == {"in_reply_to_tweet_id": "1234567890"}
    assert len(request.json["text"]) <= 280 and request.json["text"].endswith("\u2026")
    assert post_id.isdigit()


@pytest.mark.asyncio
async def test_x_429_honours_rate_limit_reset_and_resigns(xapi, xclient):
    xapi.fail_next(1, 429, rate_limit_reset=int(time.time()) + 60)
    await xclient.send_dm(PARTICIPANT, "hello")
    assert len(xapi.requests) == 2 and len(xapi.successful()) == 1
    assert _gap(xapi.requests, 1) >= 0.18
    nonces = [parse_oauth_header(r.headers["Authorization"])["oauth_nonce"] for r in xapi.requests]
    assert nonces[0] != nonces[1]
    assert xclient.metrics.get("twitter", "retried") == 1


@pytest.mark.asyncio
async def test_x_500_three_times_then_platform_error(xapi, xclient):
    xapi.fail_next(3, 503)
    with pytest.raises(PlatformError) as caught:
        await xclient.reply_to_tweet("1234567890", "hello")
    assert caught.value.status == 503 and caught.value.attempts == 3
    assert len(xapi.requests) == 3 and xapi.successful() == []


@pytest.mark.asyncio
async def test_x_403_and_bad_credentials_are_not_retried(xapi):
    xapi.fail_next(1, 403, body={"detail": "You are not permitted to send a DM to this user.", "title": "Forbidden"})
    async with XClient(CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_SECRET, xapi.base_url,
                       retry=FAST, metrics=Metrics()) as good:
        with pytest.raises(PermissionDenied):
            await good.send_dm(PARTICIPANT, "hello")
    async with XClient(CONSUMER_KEY, "wrong-secret", ACCESS_TOKEN, ACCESS_SECRET, xapi.base_url,
                       retry=FAST, metrics=Metrics()) as bad:
        with pytest.raises(PlatformError) as caught:
            await bad.send_dm(PARTICIPANT, "hello")
    assert caught.value.status == 401 and "wrong-secret" not in repr(bad)
    assert len(xapi.requests) == 2


@pytest.mark.asyncio
async def test_x_send_timeout_is_not_retried_blindly(xapi):
    # issue 10: X DMs have no idempotency key; a timed-out send is not repeated (before: 3).
    xapi.stall_next(5, 3.0)
    started = time.monotonic()
    async with XClient(CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_SECRET, xapi.base_url,
                       timeout=0.1, retry=FAST, metrics=Metrics()) as client:
        with pytest.raises(PlatformConnectionError) as caught:
            await client.send_dm(PARTICIPANT, "hello")
    assert caught.value.code == "timeout" and caught.value.attempts == 1
    assert time.monotonic() - started < 2.0 and len(xapi.requests) == 1
