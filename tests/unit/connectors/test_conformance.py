"""Replay the documented platform samples in ../shared/reference/payloads through the parsers.

The folder lives outside the project (it is reference material, not a fixture); these
tests skip when it is absent. Webhook bodies must parse into the expected kinds; a file
not listed here must at worst raise a typed ``ConnectorError``, never crash.
"""
import json

import pytest

from connectors import facebook, twitter
from connectors.events import IgnoredEvent, InboundEvent, RejectedEvent, StandbyEvent
from connectors.facebook.channel import only_our_page
from connectors.intake.queue import encode_event
from connectors.intake.webhook import decode_json
from connectors.security import ConnectorError
from tests.helpers.fixtures import REFERENCE_PAYLOADS

pytestmark = pytest.mark.skipif(not REFERENCE_PAYLOADS.is_dir(), reason="shared reference payloads not present")


def _kinds(events):
    result = []
    for event in events:
        if isinstance(event, InboundEvent):
            result.append(("inbound", event.kind))
        elif isinstance(event, StandbyEvent):
            result.append(("standby", event.kind))
        else:
            assert isinstance(event, IgnoredEvent)
            result.append(("ignored", event.reason))
    return result


def _page(entries):
    return {"object": "page", "entry": entries}


MESSENGER = {
    "messenger_text_message.json": (None, [("inbound", "message")]),
    "messenger_quick_reply.json": (None, [("inbound", "quick_reply")]),
    "messenger_postback.json": (None, [("inbound", "postback")]),
    "messenger_echo.json": (None, [("ignored", "echo")]),
    "messenger_echo_standby_docs.json": (None, [("standby", "echo")]),
    "messenger_read.json": (None, [("ignored", "read")]),
    "messenger_batched.json": (None, [("inbound", "message"), ("inbound", "postback"),
                                      ("ignored", "delivery"), ("ignored", "read")]),
    "messenger_standby_and_messaging.json": (None, [("inbound", "message"), ("standby", "unknown"),
                                                    ("standby", "unknown")]),
    "messenger_handover_pass_thread_control.json": (None, [("ignored", "handover")]),
    "messenger_handover_take_thread_control.json": (None, [("ignored", "handover")]),
    "messenger_handover_request_thread_control.json": (None, [("ignored", "handover")]),
    "messenger_page_feed_comment.json": (None, [("ignored", "unsupported")]),
    # Documentation fragments: an entry or a single messaging item, wrapped here.
    "messenger_attachment_entry_docs.json": (lambda d: _page([d]), [("inbound", "message")]),
    "messenger_messages_text_item_docs.json": (
        lambda d: _page([{"id": "1", "time": 1, "messaging": [d]}]), [("inbound", "quick_reply")]),
    "messenger_delivery_item_docs.json": (
        lambda d: _page([{"id": "1", "time": 1, "messaging": [d]}]), [("ignored", "delivery")]),
}


def _tweet_wrap(tweet):
    return {"for_user_id": "1615654896", "tweet_create_events": [tweet]}


TWITTER = {
    "twitter_dm_event.json": (None, [("inbound", "message")]),
    "twitter_dm_quick_reply_response_event.json": (None, [("inbound", "quick_reply")]),
    "twitter_dm_event_sent_by_subscribed_user.json": (None, [("ignored", "own_dm")]),
    "twitter_dm_indicate_typing_event.json": (None, [("ignored", "typing")]),
    "twitter_dm_mark_read_event.json": (None, [("ignored", "read")]),
    "twitter_favorite_event_skeleton.json": (None, [("ignored", "unsupported")]),
    "twitter_follow_event_skeleton.json": (None, [("ignored", "unsupported")]),
    "twitter_unfollow_event_skeleton.json": (None, [("ignored", "unsupported")]),
    "twitter_tweet_delete_event.json": (None, [("ignored", "unsupported")]),
    "twitter_user_event_revoke.json": (None, [("ignored", "revoke")]),  # erasure request (issue 10)
    "twitter_tweet_create_mention.json": (None, [("inbound", "mention")]),
    "twitter_tweet_create_own_tweet.json": (None, [("ignored", "own_tweet")]),
    "twitter_tweet_object_reply_v1.json": (_tweet_wrap, [("inbound", "mention")]),
    "twitter_xaa_dm_received.json": (None, [("inbound", "message")]),
    "twitter_xaa_post_mention_create.json": (None, [("inbound", "mention")]),
}


def _brand(body):
    if "for_user_id" in body:
        return body["for_user_id"]
    data = body.get("data")
    if isinstance(data, dict) and isinstance(data.get("filter"), dict):
        return data["filter"].get("user_id", "0")
    return "0"


def _load(name):
    return json.loads((REFERENCE_PAYLOADS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(MESSENGER))
def test_messenger_samples(name):
    wrap, expected = MESSENGER[name]
    body = _load(name)
    assert _kinds(facebook.parse_webhook(wrap(body) if wrap else body)) == expected


@pytest.mark.parametrize("name", sorted(TWITTER))
def test_twitter_samples(name):
    wrap, expected = TWITTER[name]
    body = _load(name)
    body = wrap(body) if wrap else body
    assert _kinds(twitter.parse_webhook(body, _brand(body))) == expected


def test_documented_sample_details():
    [text] = facebook.parse_webhook(_load("messenger_text_message.json"))
    assert text.text == "Test \u00e4\u00eb\u00ef" and text.sender_id == "982337261802700"
    [attachment] = facebook.parse_webhook(_page([_load("messenger_attachment_entry_docs.json")]))
    assert attachment.text is None and attachment.attachments[0]["url"] == "<ATTACHMENT_URL>"
    [quick] = twitter.parse_webhook(_load("twitter_dm_quick_reply_response_event.json"), "4337869213")
    assert (quick.text, quick.payload) == ("Blue Bird", "external_id_2")
    [mention] = twitter.parse_webhook(_load("twitter_tweet_create_mention.json"), "1615654896")
    assert mention.metadata["author_handle"] == "XDevelopers"
    assert mention.metadata["author_followers"] == 512292
    assert mention.text.startswith("See how @PennMedCDH")  # not a leading handle: kept
    [xaa] = twitter.parse_webhook(_load("twitter_xaa_post_mention_create.json"), "1111111111111111111")
    assert (xaa.text, xaa.metadata["author_handle"]) == ("hey @ExampleUser", "OtherUser")


def test_signature_vector_body_file():
    raw = (REFERENCE_PAYLOADS / "twitter_signature_testvector_body.json").read_bytes()
    twitter.verify_signature("test", raw, "sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI=")


def test_crc_response_shape_matches_documented_sample():
    sample = _load("twitter_crc_response.json")
    ours = twitter.crc_response("secret", "foo")
    assert set(ours) == set(sample) == {"response_token"}
    assert ours["response_token"].startswith("sha256=") and sample["response_token"].startswith("sha256=")


def test_unlisted_samples_never_crash():
    for path in sorted(REFERENCE_PAYLOADS.glob("*.json")):
        if path.name in MESSENGER or path.name in TWITTER:
            continue
        body = json.loads(path.read_text(encoding="utf-8"))
        parser = facebook.parse_webhook if path.name.startswith("messenger") else (
            lambda b: twitter.parse_webhook(b, _brand(b) if isinstance(b, dict) else "0"))
        try:
            parser(body)
        except ConnectorError:
            pass  # send-API requests/responses are not webhooks: a typed refusal is right


# ---------------------------------------------------------------------- peer payloads
# ../shared/reference/peer-payloads: 99 webhook bodies from other projects, with
# INDEX.json saying what a correct receiver does with each (answer / silent / either /
# tolerate). Every one must be accepted (decoded and parsed without a refusal).
PEER_PAYLOADS = REFERENCE_PAYLOADS.parent / "peer-payloads"
_PEER_INDEX = json.loads((PEER_PAYLOADS / "INDEX.json").read_text(encoding="utf-8")) if (
    PEER_PAYLOADS / "INDEX.json").is_file() else {"payloads": [], "constants": {}}
PEERS = {item["file"]: item for item in _PEER_INDEX["payloads"]}


def _peer_events(spec):
    raw = (PEER_PAYLOADS / spec["file"]).read_bytes()
    body = decode_json(raw)  # the webhook's own decoding (depth, surrogates)
    constants = _PEER_INDEX["constants"]
    if spec["platform"] == "facebook":
        return only_our_page(facebook.parse_webhook(body), constants["FB_PAGE"])
    return twitter.parse_webhook(body, constants["X_BRAND_ID"])


def test_every_peer_payload_is_listed():
    if not PEER_PAYLOADS.is_dir():
        pytest.skip("peer payloads not present")
    files = {p.name for p in PEER_PAYLOADS.glob("*.json")} - {"INDEX.json"}
    assert files == set(PEERS) and len(PEERS) == 99


@pytest.mark.parametrize("name", sorted(PEERS))
def test_peer_payload_is_accepted_as_the_index_says(name):
    spec = PEERS[name]
    events = _peer_events(spec)  # raising here would be a 4xx refusal of the whole delivery
    inbound = [e for e in events if isinstance(e, InboundEvent)]
    rejected = [e for e in events if isinstance(e, RejectedEvent)]
    for event in inbound:
        encode_event(event).encode("utf-8")  # storable in the Redis stream
    # The same item twice in one delivery (same id) is answered once: the intake dedups on it.
    answered = {e.platform_event_id for e in inbound}
    expect = spec["expect"]
    if expect != "tolerate":
        assert rejected == [], [e.reason for e in rejected]
    if "items" in spec:
        assert len(events) == len(spec["items"])
        for event, item in zip(events, spec["items"]):
            if item == "answer":
                assert isinstance(event, InboundEvent)
            elif item == "silent":
                assert not isinstance(event, InboundEvent)
    elif expect == "answer":
        assert answered, _kinds([e for e in events if not isinstance(e, RejectedEvent)])
    elif expect == "silent":
        assert answered == set()
