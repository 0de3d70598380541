"""Handoff triggers added for the handoff work: reach, VIP tier, configurable clarifications."""
from pathlib import Path

import pytest
import yaml

from handoff.triggers import HandoffPolicy, decide, parse_handoff_policy, parse_route_table

TABLE = parse_route_table({"intents": {
    "ask_pets": {"route": "informational"},
    "complain": {"route": "feedback", "handoff": True},
    "praise": {"route": "feedback"},
    "greet": {"route": "chitchat"},
    "flight_status": {"route": "transactional"},
}})
POLICY = HandoffPolicy()


def parse(intent, confidence=0.9, compound=0.0, followers=None):
    data = {"intent": {"name": intent, "confidence": confidence}, "sentiment": {"compound": compound}}
    if followers is not None:
        data["metadata"] = {"author_followers": followers, "channel": "twitter_mention"}
    return data


def test_public_negative_post_from_a_large_account_hands_off_with_its_reach():
    d = decide(parse("ask_pets", compound=-0.1, followers=48210), "twitter_mention", TABLE, POLICY)
    assert d.handoff and "reach:48210>=10000" in d.reasons


@pytest.mark.parametrize("followers,channel,compound", [
    (500, "twitter_mention", -0.1),        # small account
    (48210, "twitter_dm", -0.1),           # private message
    (48210, "twitter_mention", 0.3),       # positive question
])
def test_reach_needs_a_public_negative_post_from_a_large_account(followers, channel, compound):
    d = decide(parse("ask_pets", compound=compound, followers=followers), channel, TABLE, POLICY)
    assert not any(r.startswith("reach:") for r in d.reasons)


def test_vip_tier_hands_off_feedback_and_negative_messages_but_not_questions():
    assert "vip:gold@1.00" in decide(parse("praise"), "messenger", TABLE, POLICY, tier="Gold").reasons
    assert "vip:platinum@1.00" in decide(parse("flight_status", compound=-0.3), "messenger", TABLE, POLICY,
                                         tier="platinum").reasons
    assert not decide(parse("flight_status"), "messenger", TABLE, POLICY, tier="gold").handoff
    assert not decide(parse("praise"), "messenger", TABLE, POLICY, tier="blue").handoff
    assert not decide(parse("praise"), "messenger", TABLE, POLICY, tier="gold", in_form=True).handoff


def test_project_handoff_file_parses_with_the_new_triggers():
    data = yaml.safe_load((Path(__file__).resolve().parents[3] / "bot" / "handoff.yml").read_text())
    policy = parse_handoff_policy(data)
    assert policy.failed_clarifications == 2 and policy.reach_followers == 10000
    assert "gold" in policy.vip_tiers and "feedback" in policy.vip_routes


def test_vip_section_must_be_a_mapping():
    with pytest.raises(ValueError):
        parse_handoff_policy({"vip": ["gold"]})
