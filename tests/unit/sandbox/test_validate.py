"""The sandbox refuses what the real Send API / X API v2 would refuse."""
from __future__ import annotations

import pytest

from sandbox.validate import graph_send_problem, oauth1_problem, x_dm_problem, x_post_problem


def _send(**message):
    return {"recipient": {"id": "61"}, "messaging_type": "RESPONSE", "message": message}


def test_valid_graph_bodies():
    assert graph_send_problem(_send(text="hello")) is None
    assert graph_send_problem({"recipient": {"id": "61"}, "sender_action": "typing_on"}) is None
    assert graph_send_problem({**_send(text="hi"), "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}) is None
    replies = [{"content_type": "text", "title": f"Option {i}", "payload": f"/p{i}"} for i in range(13)]
    assert graph_send_problem(_send(text="pick", quick_replies=replies)) is None


@pytest.mark.parametrize("body", [
    None,
    {"message": {"text": "x"}},
    _send(text=""),
    _send(text="x" * 2000),
    _send(text="x", attachment={"type": "template"}),
    {**_send(text="x"), "messaging_type": "PUSH"},
    {**_send(text="x"), "tag": "HUMAN_AGENT"},
    _send(text="pick", quick_replies=[{"content_type": "text", "title": "t" * 21, "payload": "p"}]),
    _send(text="pick", quick_replies=[{"content_type": "text", "title": "t", "payload": "p"}] * 14),
    {"recipient": {"id": "61"}, "sender_action": "wave"},
])
def test_invalid_graph_bodies(body):
    assert graph_send_problem(body)


def test_x_limits():
    assert x_dm_problem("1650000000000000042", {"text": "hi"}) is None
    assert x_dm_problem("165x", {"text": "hi"})
    assert x_dm_problem("1650000000000000042", {"text": "hi", "quick_reply": {}})  # v2 has none
    assert x_dm_problem("1650000000000000042", {"text": "x" * 10_001})
    assert x_post_problem({"text": "ok", "reply": {"in_reply_to_tweet_id": "1800000000000000201"}}) is None
    assert x_post_problem({"text": "x" * 281})
    assert x_post_problem({"text": "ok", "reply": {"in_reply_to_tweet_id": "abc"}})


def test_oauth1_matches_the_documented_example():
    # The classic example of X's "Creating a signature" page (also used for the test fake).
    header = ('OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", '
              'oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", '
              'oauth_signature="Ls93hJiZbQ3akF3HF3x1Bz8%2FzU4%3D", oauth_signature_method="HMAC-SHA1", '
              'oauth_timestamp="1318622958", '
              'oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0"')
    query = {"status": "Hello Ladies + Gentlemen, a signed OAuth request!", "include_entities": "true"}
    keys = dict(consumer_key="xvz1evFS4wEEPTGEFPHBog", consumer_secret="kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                access_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                token_secret="LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")
    url = "https://api.x.com/1.1/statuses/update.json"
    assert oauth1_problem(header, "POST", url, query, now=1318622958, **keys) is None
    assert oauth1_problem(header, "POST", url, {**query, "status": "tampered"}, now=1318622958, **keys)
    assert oauth1_problem(header, "POST", url, query, now=1318622958 + 3600, **keys)  # stale
    assert oauth1_problem(header, "POST", url, query, now=1318622958,
                          **{**keys, "consumer_key": "someone-else"})
    assert oauth1_problem("Bearer abc", "POST", url, query, **keys)
