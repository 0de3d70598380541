"""The agent-reply rules of the relay (pure): where a reply may go, the public-reply check."""
from __future__ import annotations

import pytest

from handoff.errors import InvalidTransition, PersonalDataInPublic
from handoff.relay import check_public_reply, reply_channel
from handoff.tickets import Ticket


def ticket(channel, slots=None):
    return Ticket(id="t-1", sender_id="9001", channel=channel, dossier={"slots": slots or {}})


def test_only_a_mention_may_be_answered_by_dm_instead():
    assert reply_channel(ticket("twitter_mention"), None) == "twitter_mention"
    assert reply_channel(ticket("twitter_mention"), "twitter_dm") == "twitter_dm"
    assert reply_channel(ticket("messenger"), "messenger") == "messenger"
    for channel, via in (("twitter_dm", "messenger"), ("messenger", "twitter_dm"), ("twitter_mention", "messenger")):
        with pytest.raises(InvalidTransition):
            reply_channel(ticket(channel), via)


@pytest.mark.parametrize("text", ["Write to us at help@example.com", "Call +44 20 7946 0958",
                                  "Your booking ABC123 is fine", "Thanks Mrs Okonkwo"])
def test_personal_data_in_a_public_reply_is_refused(text):
    with pytest.raises(PersonalDataInPublic) as caught:
        check_public_reply(ticket("twitter_mention", {"last_name": "Okonkwo"}), "twitter_mention", text)
    assert caught.value.alternatives == ("twitter_dm",) and "***" in caught.value.redacted


def test_clean_public_replies_and_private_channels_pass():
    check_public_reply(ticket("twitter_mention"), "twitter_mention", "Sorry about the delay on AU123, we're on it.")
    check_public_reply(ticket("twitter_mention"), "twitter_dm", "Your booking ABC123 is fine")
    check_public_reply(ticket("messenger"), "messenger", "Write to us at help@example.com")
