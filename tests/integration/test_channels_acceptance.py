"""Per-item acceptance and one tracker per X author, over real HTTP on 127.0.0.1 (issue
10): a delivery with unusable items is answered 200, its good items are taken and the bad
ones kept in the dead letters with their reason (no message text in the logs); a lone
surrogate escape is taken safely; two authors in one X thread are two conversations; the
99 peer payloads of ../shared/reference/peer-payloads are all accepted."""
from __future__ import annotations

import copy
import json

import aiohttp
import pytest
import pytest_asyncio

from connectors.facebook.channel import MessengerInput
from connectors.facebook.settings import MessengerSettings
from connectors.intake.deadletters import DeadLetters
from connectors.intake.settings import IntakeSettings
from connectors.twitter.channel import XInput
from connectors.twitter.settings import XSettings
from core.settings import RedisSettings, RedisTarget
from tests.helpers.channel_harness import ChannelServer, FakeRasa
from tests.helpers.channel_stack import (
    APP_SECRET,
    CONSUMER_SECRET,
    CUSTOMER,
    KEYS,
    PAGE_ID,
    PAGE_TOKEN,
    PREFIX,
    VERIFY_TOKEN,
    messenger_body,
    open_stack,
    x_dm_body,
)
from tests.helpers.fixtures import REFERENCE_PAYLOADS, fixture_bytes
from tests.helpers.intake_helpers import RedisServer, wait_until
from tests.helpers.signing import sign_messenger, sign_twitter

pytestmark = [pytest.mark.integration]


@pytest_asyncio.fixture
async def stack(tmp_path):
    async with open_stack(tmp_path) as result:
        yield result


# ---------------------------------------------------------------------- per-item acceptance


def _messenger_mixed() -> bytes:
    good = json.loads(messenger_body("still answered", prefix="m_mix"))["entry"][0]["messaging"][0]
    items = [
        {"recipient": {"id": PAGE_ID}, "timestamp": 1, "message": {"mid": "m_nosender", "text": "PII-TEXT-1"}},
        {"recipient": {"id": PAGE_ID}, "timestamp": 2, "app_roles": {"123": ["primary_receiver"]}},
        {"recipient": {"id": PAGE_ID}, "timestamp": 3, "policy-enforcement": {"action": "block", "reason": "r"}},
        {"recipient": {"id": PAGE_ID}, "timestamp": 4, "optin": {"ref": "r", "user_ref": "ur-1"}},
        good,
    ]
    return json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": 5, "messaging": items},
                                                   "not-an-entry"]}).encode()


@pytest.mark.asyncio
async def test_mixed_batches_take_the_good_items_and_dead_letter_the_rest(stack, caplog):
    caplog.set_level("DEBUG")
    response = await stack.post("facebook", _messenger_mixed())
    assert response.status == 200
    assert await response.json() == {"status": "ok", "accepted": 1, "duplicates": 0, "ignored": 3,
                                     "standby": 0, "rejected": 2}
    x_body = json.loads(x_dm_body("1800000000000000555", "x still answered"))
    bad_dm = copy.deepcopy(x_body["direct_message_events"][0])
    bad_dm["id"] = "1800000000000000556"
    bad_dm["message_create"].pop("sender_id")
    bad_dm["message_create"]["message_data"]["text"] = "PII-TEXT-2"
    media_list = copy.deepcopy(x_body["direct_message_events"][0])
    media_list["id"] = "1800000000000000557"
    media_list["message_create"]["message_data"]["attachment"] = {"media": [{"media_url_https": "https://m/1.jpg"}]}
    x_body["direct_message_events"] = [bad_dm, x_body["direct_message_events"][0], media_list]
    x_body["tweet_create_events"] = [{"id_str": "1800000000000000558", "text": "PII-TEXT-3", "user": {"id": 5}}]
    response = await stack.post("twitter", json.dumps(x_body).encode())
    assert response.status == 200
    assert (await response.json())["accepted"] == 2 and (await response.json())["rejected"] == 2
    await wait_until(lambda: {"still answered", "x still answered"} <= set(stack.rasa.texts()),
                     message="the good items of both batches")
    letters = await DeadLetters(stack.redis.client, KEYS).list(10, newest_first=False)
    assert [(d.platform, d.reason) for d in letters] == [
        ("facebook", "malformed:entry[0].messaging[0].sender: expected an object"),
        ("facebook", "malformed:entry[1]: expected an object"),
        ("twitter", "malformed:direct_message_events[0].message_create.sender_id: expected a non-empty id"),
        ("twitter", "malformed:tweet_create_events[0].user.id_str: expected a non-empty id"),
    ]
    assert json.loads(letters[0].data)["message"]["text"] == "PII-TEXT-1"
    assert json.loads(letters[2].data)["message_create"]["message_data"]["text"] == "PII-TEXT-2"
    assert "PII-TEXT" not in caplog.text and "webhook.item_rejected" in caplog.text
    assert "webhook.policy_enforcement" in caplog.text


@pytest.mark.asyncio
async def test_lone_surrogate_escape_is_taken_safely(stack):
    body = messenger_body("placeholder", prefix="m_sur").replace(b"placeholder", b"hi \\ud800 there \\udc00")
    assert b"\\ud800" in body
    response = await stack.post("facebook", body)
    assert response.status == 200, response.status
    await wait_until(lambda: stack.rasa.messages, message="the message")
    assert stack.rasa.messages[0].text == "hi \ufffd there \ufffd"
    pair = messenger_body("placeholder", prefix="m_pair").replace(b"placeholder", b"ok \\ud83d\\ude00")
    assert (await stack.post("facebook", pair)).status == 200
    await wait_until(lambda: len(stack.rasa.messages) == 2, message="the emoji message")
    assert stack.rasa.messages[1].text == "ok \U0001f600"


@pytest.mark.asyncio
async def test_two_authors_in_one_x_thread_get_two_trackers(stack):
    thread = "1800000000000000900"
    for post_id, author in (("1800000000000000901", CUSTOMER), ("1800000000000000902", "1660000000000000077")):
        body = json.loads(fixture_bytes("twitter", "xaa_post_mention_create"))
        body["data"]["event_uuid"] = post_id
        body["data"]["payload"].update(id=post_id, author_id=author, conversation_id=thread)
        assert (await stack.post("twitter", json.dumps(body).encode())).status == 200
    await wait_until(lambda: len(stack.rasa.messages) == 2, message="two mentions")
    senders = sorted(m.sender_id for m in stack.rasa.messages)
    assert senders == sorted([CUSTOMER, "1660000000000000077"])
    assert all(m.metadata["thread_id"] == thread for m in stack.rasa.messages)
    assert {m.metadata["tweet_id"] for m in stack.rasa.messages} == {"1800000000000000901", "1800000000000000902"}
    await wait_until(lambda: len(stack.x.successful("/2/tweets")) == 2, message="two public replies")
    replied = {r.json["reply"]["in_reply_to_tweet_id"] for r in stack.x.successful("/2/tweets")}
    assert replied == {"1800000000000000901", "1800000000000000902"}


# ---------------------------------------------------------------------- peer payloads over HTTP

PEER_PAYLOADS = REFERENCE_PAYLOADS.parent / "peer-payloads"


@pytest.mark.asyncio
@pytest.mark.skipif(not (PEER_PAYLOADS / "INDEX.json").is_file(), reason="peer payloads not present")
async def test_every_peer_payload_is_accepted_over_http(tmp_path):
    """The 99 peer bodies, signed and posted to channels configured for the INDEX's page and
    brand: every one gets a 2xx; `answer` items land in the stream, `silent` ones never."""
    index = json.loads((PEER_PAYLOADS / "INDEX.json").read_text(encoding="utf-8"))
    page, brand = index["constants"]["FB_PAGE"], index["constants"]["X_BRAND_ID"]
    intake = IntakeSettings(block_ms=50, claim_idle_ms=2_000, max_failures=3, concurrency=2, role="receive")
    seen: dict[str, tuple[int, dict]] = {}
    async with RedisServer(tmp_path / "redis") as redis, aiohttp.ClientSession() as http:
        settings = RedisSettings(RedisTarget("127.0.0.1", redis.port), PREFIX, embedded=False)
        fb = MessengerInput(MessengerSettings(APP_SECRET, VERIFY_TOKEN, PAGE_TOKEN, page, "http://127.0.0.1:9"),
                            [], settings, intake)
        tw = XInput(XSettings("k", CONSUMER_SECRET, "t", "s", brand, "http://127.0.0.1:9"), [], settings, intake)
        async with ChannelServer([fb, tw], FakeRasa()) as server:
            for spec in index["payloads"]:
                raw = (PEER_PAYLOADS / spec["file"]).read_bytes()
                if spec["platform"] == "facebook":
                    headers = {"X-Hub-Signature-256": sign_messenger(APP_SECRET, raw)}
                else:
                    headers = {"x-twitter-webhooks-signature": sign_twitter(CONSUMER_SECRET, raw)}
                async with http.post(f"{server.url}/webhooks/{spec['platform']}/webhook", data=raw,
                                     headers={"Content-Type": "application/json", **headers}) as response:
                    seen[spec["file"]] = (response.status, await response.json())
                for key in await redis.client.keys(f"{PREFIX}:dedup:*"):  # peers reuse ids
                    await redis.client.delete(key)
    wrong = []
    for spec in index["payloads"]:
        status, body = seen[spec["file"]]
        accepted, rejected = body.get("accepted", 0), body.get("rejected", 0)
        ok = status == 200 and (rejected == 0 or spec["expect"] == "tolerate")
        if spec["expect"] == "answer":
            ok = ok and accepted >= 1
        elif spec["expect"] == "silent":
            ok = ok and accepted == 0
        if not ok:
            wrong.append((spec["file"], spec["expect"], status, body))
    assert len(seen) == 99 and wrong == []
