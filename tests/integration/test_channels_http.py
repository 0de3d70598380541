"""The Messenger and X Rasa channels over real HTTP on 127.0.0.1: signed webhooks in, a
real Redis intake and stream consumer, a recording fake ``on_new_message`` playing the
bot, and the recording fake Graph / X APIs receiving what the output channels send."""
from __future__ import annotations

import json
import time

import aiohttp
import pytest
import pytest_asyncio

from connectors.facebook.channel import MessengerInput
from connectors.http import METRICS
from connectors.twitter.channel import XInput
from connectors.twitter.output import DM_SENT_NOTICE
from tests.helpers.channel_harness import ChannelServer, FakeRasa
from tests.helpers.channel_stack import (
    APP_SECRET,
    BRAND_ID,
    CONSUMER_SECRET,
    CUSTOMER,
    KEYS,
    PAGE_ID,
    PAGE_TOKEN,
    PREFIX,
    PSID,
    VERIFY_TOKEN,
    messenger_body,
    open_stack,
    x_dm_body,
)
from tests.helpers.fixtures import fixture_bytes
from tests.helpers.intake_helpers import wait_until
from tests.helpers.signing import sign_messenger, sign_twitter

pytestmark = [pytest.mark.integration]


@pytest_asyncio.fixture
async def stack(tmp_path):
    async with open_stack(tmp_path) as result:
        yield result


# ---------------------------------------------------------------------- GET checks


@pytest.mark.asyncio
async def test_messenger_verify_echoes_challenge_or_refuses(stack):
    url = f"{stack.server.url}/webhooks/facebook/webhook"
    ok = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    async with stack.http.get(url, params=ok) as response:
        assert response.status == 200
        assert await response.text() == "1158201444"
    for bad in ({**ok, "hub.verify_token": "wrong"}, {**ok, "hub.mode": "unsubscribe"},
                {k: v for k, v in ok.items() if k != "hub.verify_token"}):
        async with stack.http.get(url, params=bad) as response:
            assert response.status == 403
            assert "1158201444" not in await response.text()


@pytest.mark.asyncio
async def test_x_crc_matches_the_vector_and_answers_fast(stack):
    url = f"{stack.server.url}/webhooks/twitter/webhook"
    started = time.monotonic()
    async with stack.http.get(url, params={"crc_token": "9b4507b3-9040-4669-9ca3-6b94edb50553"}) as response:
        elapsed = time.monotonic() - started
        assert response.status == 200
        assert await response.json() == {"response_token": "sha256=Cytd4Sq+NvEcV3MMrXxWJGJx5A+y/lXzzU2Maartkx8="}
    assert elapsed < 0.5
    # Not a signing oracle: a JSON body offered as crc_token is refused.
    forged = json.dumps({"for_user_id": BRAND_ID, "direct_message_events": []})
    async with stack.http.get(url, params={"crc_token": forged}) as response:
        assert response.status == 400
    async with stack.http.get(url) as response:
        assert response.status == 400
    # A signed CRC GET must carry a valid signature over the query string.
    async with stack.http.get(url, params={"crc_token": "abc", "nonce": "n1"},
                              headers={"x-twitter-webhooks-signature": "sha256=" + "A" * 43 + "="}) as response:
        assert response.status == 401
    query = "crc_token=abc&nonce=n1"
    async with stack.http.get(f"{url}?{query}",
                              headers={"x-twitter-webhooks-signature": sign_twitter(CONSUMER_SECRET, query.encode())}) as response:
        assert response.status == 200


# ---------------------------------------------------------------------- bad requests


@pytest.mark.asyncio
async def test_bad_posts_are_refused_and_nothing_is_enqueued(stack):
    good_fb = fixture_bytes("messenger", "text")
    good_x = fixture_bytes("twitter", "dm")
    big = b'{"object":"page","entry":[],"pad":"' + b"x" * (1024 * 1024 + 10) + b'"}'
    cases = [
        ("facebook", good_fb, None, 401),                                   # missing signature
        ("facebook", good_fb, sign_messenger("other-secret", good_fb), 401),  # wrong secret
        ("facebook", good_fb, "sha1=" + "0" * 40, 401),                   # legacy algorithm
        ("facebook", good_fb + b" ", sign_messenger(APP_SECRET, good_fb), 401),  # body changed
        ("facebook", b'{"object": "page", "entry": [', "sign", 400),        # malformed JSON
        ("facebook", b'{"object": "instagram", "entry": []}', "sign", 400),  # unknown object
        ("facebook", b'{"object": "page", "entry": {}}', "sign", 400),      # no entry array
        ("facebook", b"[" * 100_000 + b"]" * 100_000, "sign", 400),        # RecursionError in json
        # Too deep: cut at the limit, the unusable item goes to the dead letters, nothing is enqueued.
        ("facebook", b'{"object": "page", "entry": ' + b"[" * 70 + b"]" * 70 + b"}", "sign", 200),
        ("facebook", big, "sign", 413),                                     # oversized
        ("twitter", good_x, None, 401),
        ("twitter", good_x, sign_twitter("other-secret", good_x), 401),
        ("twitter", b"{not json", "sign", 400),
        ("twitter", b'{"data": "x"}', "sign", 400),
        ("twitter", b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "sign", 200),
        ("twitter", b"[]", "sign", 400),
        ("twitter", big, "sign", 413),
    ]
    for platform, body, signature, expected in cases:
        response = await stack.post(platform, body, signature=signature)
        assert response.status == expected, (platform, expected, response.status)
    # Oversized without a Content-Length (chunked) is cut off too.
    async def chunks():
        for _ in range(20):
            yield b"x" * 65536
    async with stack.http.post(f"{stack.server.url}/webhooks/facebook/webhook", data=chunks(),
                               headers={"X-Hub-Signature-256": "sha256=" + "0" * 64}) as response:
        assert response.status == 413
    assert await stack.stream_len("facebook") == 0
    assert await stack.stream_len("twitter") == 0
    assert await stack.redis.client.keys(f"{PREFIX}:dedup:*") == []
    assert stack.rasa.messages == []


# ---------------------------------------------------------------------- Messenger


@pytest.mark.asyncio
async def test_batched_messenger_post_gives_user_messages_in_order(stack):
    response = await stack.post("facebook", messenger_body("first", "second", "third"))
    assert response.status == 200
    await wait_until(lambda: len(stack.rasa.messages) == 3, message="three user messages")
    assert stack.rasa.texts() == ["first", "second", "third"]
    message = stack.rasa.messages[0]
    assert message.sender_id == PSID and message.input_channel == "facebook"
    assert message.message_id == "m_t-0"
    assert message.metadata["channel"] == "messenger" and message.metadata["public"] is False
    await wait_until(stack.drained, message="stream drained")


@pytest.mark.asyncio
async def test_messenger_fixture_batch_handles_every_item(stack):
    response = await stack.post("facebook", fixture_bytes("messenger", "batched"))
    assert response.status == 200
    assert await response.json() == {"status": "ok", "accepted": 5, "duplicates": 0, "ignored": 1, "standby": 0,
                                     "rejected": 0}
    await wait_until(lambda: len(stack.rasa.messages) == 4, message="four user messages")
    # Postback/quick-reply payloads that are not Rasa intents give the title / text.
    assert stack.rasa.texts(PSID) == ["First question", "Baggage", "Yes"]
    from_psid = [m for m in stack.rasa.messages if m.sender_id == PSID]
    assert from_psid[2].metadata["payload"] == "CONFIRM_YES"
    assert from_psid[1].metadata["payload"] == "MENU_BAGGAGE" and from_psid[1].metadata["kind"] == "postback"
    assert stack.rasa.texts("6098765432109876") == ["Second user, second line"]
    # The attachment-only message got the fixed answer, not a Rasa turn.
    await wait_until(lambda: any(r.json.get("recipient", {}).get("id") == "6098765432109876"
                                 and "attachments" in r.json.get("message", {}).get("text", "")
                                 for r in stack.graph.successful()), message="attachment answer")


@pytest.mark.asyncio
async def test_retried_delivery_is_handled_once(stack):
    body = fixture_bytes("messenger", "text")
    first = await stack.post("facebook", body)
    assert first.status == 200
    await wait_until(lambda: len(stack.rasa.messages) == 1, message="first delivery handled")
    second = await stack.post("facebook", body)
    assert second.status == 200
    await wait_until(stack.drained, message="stream drained")
    assert len(stack.rasa.messages) == 1
    assert await stack.redis.client.ttl(KEYS.dedup("facebook", "m_sc-text-0001")) > 0


@pytest.mark.asyncio
async def test_own_echo_dm_and_tweet_start_no_turn(stack):
    for platform, name in (("facebook", "echo"), ("twitter", "dm_own"), ("twitter", "own_tweet")):
        response = await stack.post(platform, fixture_bytes(platform if platform == "twitter" else "messenger", name))
        assert response.status == 200
    assert await stack.stream_len("facebook") == 0 and await stack.stream_len("twitter") == 0
    assert stack.rasa.messages == []


@pytest.mark.asyncio
async def test_standby_events_are_recorded_for_the_handover(stack):
    response = await stack.post("facebook", fixture_bytes("messenger", "standby"))
    assert response.status == 200
    assert (await response.json())["standby"] >= 2
    stored = await stack.redis.client.lrange(KEYS.standby("facebook", PSID), 0, -1)
    assert stored and all(json.loads(item)["v"] == 1 for item in stored)
    assert await stack.redis.client.ttl(KEYS.standby("facebook", PSID)) > 0
    assert await stack.stream_len("facebook") == 0
    assert stack.rasa.messages == []


@pytest.mark.asyncio
async def test_messenger_output_types_then_sends_quick_replies(stack):
    async def bot(message):
        await message.output_channel.send_text_with_buttons(
            message.sender_id, "Shall I add a bag?",
            [{"title": "Yes please", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}])

    stack.rasa.bot = bot
    assert (await stack.post("facebook", fixture_bytes("messenger", "text"))).status == 200
    await wait_until(lambda: len(stack.graph.successful()) >= 2, message="typing and answer sent")
    typing, answer = stack.graph.successful()[:2]
    assert typing.json == {"recipient": {"id": PSID}, "sender_action": "typing_on"}
    assert typing.query["access_token"] == PAGE_TOKEN
    assert answer.json["messaging_type"] == "RESPONSE"
    assert answer.json["message"]["text"] == "Shall I add a bag?"
    assert answer.json["message"]["quick_replies"] == [
        {"content_type": "text", "title": "Yes please", "payload": "/affirm"},
        {"content_type": "text", "title": "No", "payload": "/deny"}]


@pytest.mark.asyncio
async def test_quick_reply_with_intent_payload_is_sent_as_payload(stack):
    body = json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": 1, "messaging": [
        {"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": 2,
         "message": {"mid": "m_qr-1", "text": "Yes please", "quick_reply": {"payload": "/affirm"}}},
        {"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": 3,
         "postback": {"mid": "m_pb-1", "title": "Talk to a person", "payload": "/request_human"}}]}]}).encode()
    assert (await stack.post("facebook", body)).status == 200
    await wait_until(lambda: len(stack.rasa.messages) == 2, message="two turns")
    assert stack.rasa.texts() == ["/affirm", "/request_human"]


@pytest.mark.asyncio
async def test_closed_messaging_window_is_counted_not_crashed(stack):
    stack.graph.close_window(PSID)
    before = METRICS.get("facebook", "outside_window")
    assert (await stack.post("facebook", fixture_bytes("messenger", "text"))).status == 200
    await wait_until(lambda: METRICS.get("facebook", "outside_window") > before, message="refusal counted")
    await wait_until(stack.drained, message="entry acked, not retried")
    assert len(stack.rasa.messages) == 1


# ---------------------------------------------------------------------- X


@pytest.mark.asyncio
async def test_x_dm_options_are_numbered_and_mapped_back(stack):
    async def bot(message):
        if message.text == "/affirm":
            await message.output_channel.send_text_message(message.sender_id, "Done, one bag added.")
        else:
            await message.output_channel.send_text_with_buttons(
                message.sender_id, "Add a checked bag?",
                [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}])

    stack.rasa.bot = bot
    assert (await stack.post("twitter", fixture_bytes("twitter", "dm"))).status == 200
    await wait_until(lambda: len(stack.x.successful("/dm_conversations/")) == 1, message="first DM")
    first = stack.x.successful("/dm_conversations/")[0]
    assert first.path == f"/2/dm_conversations/with/{CUSTOMER}/messages"
    assert first.json == {"text": "Add a checked bag?\n\n1. Yes\n2. No"}
    assert await stack.redis.client.ttl(KEYS.options("twitter", CUSTOMER)) > 0

    assert (await stack.post("twitter", x_dm_body("1800000000000000901", "1"))).status == 200
    await wait_until(lambda: len(stack.rasa.messages) == 2, message="answer handled")
    answer = stack.rasa.messages[1]
    assert answer.text == "/affirm" and answer.metadata["option_payload"] == "/affirm"
    assert answer.sender_id == CUSTOMER and answer.metadata["channel"] == "twitter_dm"
    await wait_until(lambda: len(stack.x.successful("/dm_conversations/")) == 2, message="second DM")

    async def options_cleared() -> bool:  # the turn's end clears options not offered again
        return await stack.redis.client.exists(KEYS.options("twitter", CUSTOMER)) == 0

    await wait_until(options_cleared, message="options cleared at the end of the turn")


@pytest.mark.asyncio
async def test_public_mention_with_booking_reference_goes_to_dm(stack):
    async def bot(message):
        await message.output_channel.send_text_message(
            message.sender_id, "Found it: booking QX7P2L, your bag is on its way to you.")

    stack.rasa.bot = bot
    assert (await stack.post("twitter", fixture_bytes("twitter", "mention"))).status == 200
    await wait_until(lambda: stack.x.successful("/2/tweets"), message="public reply")
    message = stack.rasa.messages[0]
    assert message.metadata["public"] is True and message.metadata["channel"] == "twitter_mention"
    assert message.metadata["tweet_id"] == "1800000000000000201"
    assert message.text.startswith("my bag didn't arrive")
    [public] = stack.x.successful("/2/tweets")
    assert public.json["reply"] == {"in_reply_to_tweet_id": "1800000000000000201"}
    assert "QX7P2L" not in public.json["text"]
    assert public.json["text"] == DM_SENT_NOTICE
    [dm] = stack.x.successful("/dm_conversations/")
    assert dm.path == f"/2/dm_conversations/with/{CUSTOMER}/messages"
    assert "QX7P2L" in dm.json["text"]


@pytest.mark.asyncio
async def test_public_mention_with_safe_answer_is_replied_publicly(stack):
    assert (await stack.post("twitter", fixture_bytes("twitter", "xaa_post_mention_create"))).status == 200
    await wait_until(lambda: stack.x.successful("/2/tweets"), message="public reply")
    [public] = stack.x.successful("/2/tweets")
    assert public.json == {"text": "Thanks, we're looking into it.",
                           "reply": {"in_reply_to_tweet_id": "1800000000000000401"}}
    assert stack.x.successful("/dm_conversations/") == []


@pytest.mark.asyncio
async def test_public_mention_never_shows_a_personal_slot_value(stack):
    async def personal_values(sender_id):
        return ["Okafor"]

    async def bot(message):
        await message.output_channel.send_text_message(message.sender_id, "Sorry about that, Mr Okafor!")

    stack.tw.personal_values = personal_values
    stack.rasa.bot = bot
    assert (await stack.post("twitter", fixture_bytes("twitter", "reply_to_brand"))).status == 200
    await wait_until(lambda: stack.x.successful("/2/tweets"), message="public reply")
    [public] = stack.x.successful("/2/tweets")
    assert "Okafor" not in public.json["text"]


@pytest.mark.asyncio
async def test_x_delivery_retry_is_handled_once(stack):
    body = fixture_bytes("twitter", "dm")
    assert (await stack.post("twitter", body)).status == 200
    assert (await stack.post("twitter", body)).status == 200
    await wait_until(lambda: len(stack.rasa.messages) == 1, message="handled")
    await wait_until(stack.drained, message="drained")
    assert len(stack.rasa.messages) == 1


# ---------------------------------------------------------------------- off channels


@pytest.mark.asyncio
async def test_channels_without_settings_answer_503(monkeypatch):
    for name in ("FACEBOOK_APP_SECRET", "FACEBOOK_VERIFY_TOKEN", "FACEBOOK_PAGE_ACCESS_TOKEN",
                 "TWITTER_CONSUMER_KEY", "TWITTER_CONSUMER_SECRET", "TWITTER_ACCESS_TOKEN",
                 "TWITTER_ACCESS_TOKEN_SECRET", "TWITTER_USER_ID"):
        monkeypatch.delenv(name, raising=False)
    fb, tw = MessengerInput.from_credentials(None), XInput.from_credentials({})
    assert not fb.configured and not tw.configured
    async with ChannelServer([fb, tw], FakeRasa()) as server, aiohttp.ClientSession() as http:
        for platform in ("facebook", "twitter"):
            url = f"{server.url}/webhooks/{platform}/webhook"
            async with http.post(url, data=b"{}") as response:
                assert response.status == 503
                body = await response.json()
                assert body["error"] == "channel_not_configured" and body["missing"]
            async with http.get(url, params={"crc_token": "abc"}) as response:
                assert response.status == 503
            async with http.get(f"{server.url}/webhooks/{platform}/") as response:
                assert (await response.json()) == {"status": "off"}


def test_settings_come_from_the_environment_and_hide_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("FACEBOOK_APP_SECRET", "s3cret-app")
    monkeypatch.setenv("FACEBOOK_VERIFY_TOKEN", "s3cret-verify")
    monkeypatch.setenv("FACEBOOK_PAGE_ACCESS_TOKEN", "s3cret-page")
    monkeypatch.setenv("REDIS_PORT", "6399")
    monkeypatch.setenv("REDIS_KEY_PREFIX", "abc")
    for name in ("TWITTER_CONSUMER_KEY", "TWITTER_CONSUMER_SECRET", "TWITTER_ACCESS_TOKEN",
                 "TWITTER_ACCESS_TOKEN_SECRET", "TWITTER_USER_ID"):
        monkeypatch.delenv(name, raising=False)
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("rest:\nconnectors.facebook.channel.MessengerInput:\n"
                           "connectors.twitter.channel.XInput:\n")
    from rasa.core.run import create_http_input_channels

    channels = {c.name(): c for c in create_http_input_channels(None, str(credentials))}
    assert set(channels) == {"rest", "facebook", "twitter"}
    fb, tw = channels["facebook"], channels["twitter"]
    assert fb.configured and fb.settings.graph_url == "https://graph.facebook.com/v21.0"
    assert fb.redis_settings.target.port == 6399 and fb.runtime.keys.stream("facebook") == "abc:intake:facebook"
    assert "s3cret" not in repr(fb.settings) and "s3cret" not in repr(fb.client)
    assert not tw.configured and "TWITTER_USER_ID" in tw.missing


class _Agent:
    def __init__(self) -> None:
        self.ready = False

    def is_ready(self) -> bool:
        return self.ready


@pytest.mark.asyncio
async def test_messages_wait_while_no_model_is_loaded(stack):
    agent = _Agent()
    stack.server.app.ctx.agent = agent  # Rasa would drop the message silently
    assert (await stack.post("facebook", fixture_bytes("messenger", "text"))).status == 200
    await wait_until(lambda: stack.fb.runtime.consumer.stats["deferred"] >= 1, message="deferred")
    assert stack.rasa.messages == [] and await stack.stream_len("facebook") == 1
    agent.ready = True
    await wait_until(lambda: len(stack.rasa.messages) == 1, timeout=15, message="handled once ready")
    await wait_until(stack.drained, message="drained")
