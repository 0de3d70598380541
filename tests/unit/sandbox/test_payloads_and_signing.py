"""The sandbox's webhook bodies parse as the platforms' own, and its signatures match the
documented test vectors and the connectors' verification."""
from __future__ import annotations

import json

from connectors.events import InboundEvent
from connectors.facebook import events as fb_events
from connectors.twitter import events as x_events
from sandbox import payloads
from sandbox.signing import crc_response_token, messenger_headers, twitter_headers

BRAND = "1000000000000000001"
PAGE = "100000000000001"


def test_customers_get_stable_distinct_ids():
    alice, again, bob = payloads.customer("alice"), payloads.customer(" alice "), payloads.customer("bob")
    assert alice == again
    assert alice.psid != bob.psid and alice.x_user_id != bob.x_user_id
    assert alice.psid.isdigit() and len(alice.x_user_id) == 19 and alice.x_user_id.isdigit()
    assert payloads.customer("Ann-Marie O'Neil!").x_handle == "AnnMarieONeil"


def test_messenger_bodies_parse_as_inbound_events():
    alice = payloads.customer("alice")
    [message] = fb_events.parse_webhook(payloads.messenger_message(PAGE, alice.psid, "m_1", "hi there", 1700000000000))
    assert isinstance(message, InboundEvent)
    assert (message.kind, message.platform_event_id, message.sender_id, message.text) == \
        ("message", "m_1", alice.psid, "hi there")
    [answer] = fb_events.parse_webhook(
        payloads.messenger_message(PAGE, alice.psid, "m_2", "Yes", 1700000000001, quick_reply_payload="/affirm"))
    assert (answer.kind, answer.payload) == ("quick_reply", "/affirm")
    [press] = fb_events.parse_webhook(payloads.messenger_postback(PAGE, alice.psid, "m_3", "Menu", "/greet", 1))
    assert (press.kind, press.payload) == ("postback", "/greet")


def test_x_bodies_parse_as_dm_and_mention():
    bob = payloads.customer("bob")
    [dm] = x_events.parse_webhook(payloads.x_dm(BRAND, "AuroraAir", bob, "1790000000000000009", "hello", 1), BRAND)
    assert (dm.kind, dm.sender_id, dm.text, dm.is_public) == ("message", bob.x_user_id, "hello", False)
    body = payloads.x_mention(BRAND, "AuroraAir", bob, "1790000000000000010", "where is my bag?", 1700000000000)
    [mention] = x_events.parse_webhook(json.loads(json.dumps(body)), BRAND)
    assert mention.kind == "mention" and mention.is_public
    assert mention.text == "where is my bag?"
    assert mention.metadata["tweet_id"] == "1790000000000000010"
    assert mention.metadata["author_handle"] == bob.x_handle


def test_signatures_match_the_documented_vectors():
    body = b'{"test_number":1,"test_string":"two"}'  # platforms.md A.3 (autohook test)
    assert twitter_headers("test", body) == \
        {"x-twitter-webhooks-signature": "sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI="}
    # platforms.md A.2 CRC vector
    assert crc_response_token("z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu",
                              "9b4507b3-9040-4669-9ca3-6b94edb50553") == \
        "sha256=Cytd4Sq+NvEcV3MMrXxWJGJx5A+y/lXzzU2Maartkx8="


def test_messenger_signature_is_accepted_by_the_channel_check():
    body = json.dumps(payloads.messenger_message(PAGE, "6123", "m_9", "x", 1)).encode()
    headers = messenger_headers("app-secret", body)
    fb_events.verify_signature("app-secret", body, headers["X-Hub-Signature-256"])
    assert headers["X-Hub-Signature"].startswith("sha1=") and len(headers["X-Hub-Signature"]) == 45
