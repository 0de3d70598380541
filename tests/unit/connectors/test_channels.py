"""The channel vocabulary: one derivation of the kind, typed turn metadata both ways."""
from __future__ import annotations

from connectors.channels import ChannelKind, TurnMetadata, channel_kind
from connectors.events import InboundEvent
from connectors.intake.turns import build_turn, turn_metadata


def mention(**meta):
    return InboundEvent("twitter", "mention", "p1", "u1", "b1", account_id="b1", thread_id="c1", text="hi",
                        timestamp=7, metadata={"public": True, "tweet_id": "p1", "author_handle": "ann",
                                               "author_followers": 15000, **meta})


def test_the_intake_writes_the_kind_everyone_reads():
    turn = build_turn(mention())
    assert turn.metadata["channel"] == ChannelKind.TWITTER_MENTION
    assert channel_kind("twitter", turn.metadata) == ChannelKind.TWITTER_MENTION
    assert channel_kind("rest", turn.metadata) == ChannelKind.TWITTER_MENTION  # explicit wins
    assert channel_kind("rest", {"channel": "fax"}) == ChannelKind.REST
    assert set(ChannelKind.ALL) == {"twitter_dm", "twitter_mention", "messenger", "rest"}


def test_turn_metadata_round_trip_keeps_platform_details():
    typed = turn_metadata(mention(in_reply_to="p0"), option_payload=None)
    assert (typed.author_handle, typed.author_followers, typed.thread_id) == ("ann", 15000, "c1")
    data = typed.as_metadata()
    assert data["author_followers"] == 15000 and data["in_reply_to"] == "p0" and data["tweet_id"] == "p1"
    assert "payload" not in data and "option_payload" not in data
    assert TurnMetadata.from_metadata(data, "twitter") == typed


def test_metadata_of_other_channels_reads_defensively():
    rest = TurnMetadata.from_metadata(None, "rest")
    assert (rest.channel, rest.platform, rest.public, rest.author_followers) == ("rest", "rest", False, None)
    sandbox = TurnMetadata.from_metadata({"channel": "messenger", "author_followers": "many"}, "rest")
    assert sandbox.channel == ChannelKind.MESSENGER and sandbox.author_followers is None
