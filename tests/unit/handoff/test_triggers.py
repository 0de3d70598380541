"""Handoff triggers added for the handoff work: reach, VIP tier, configurable clarifications."""
from pathlib import Path

import pytest
import yaml

from handoff.routes import HandoffPolicy, parse_handoff_policy, parse_route_table
from handoff.triggers import (
    HANDOFF_TRIGGERS,
    decide,
    fired,
    frustration_trigger,
    has_reach,
    is_vip,
    language_trigger,
    negative_sentiment_trigger,
    public_complaint_trigger,
    public_unclear_trigger,
    reach_trigger,
    read_signals,
    route_trigger,
    urgency_trigger,
    vip_trigger,
)

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
    assert d.handoff and "reach:48210>=10000" in d.labels


@pytest.mark.parametrize("followers,channel,compound", [
    (500, "twitter_mention", -0.1),        # small account
    (48210, "twitter_dm", -0.1),           # private message
    (48210, "twitter_mention", 0.3),       # positive question
])
def test_reach_needs_a_public_negative_post_from_a_large_account(followers, channel, compound):
    d = decide(parse("ask_pets", compound=compound, followers=followers), channel, TABLE, POLICY)
    assert not any(r.startswith("reach:") for r in d.labels)


def test_vip_tier_hands_off_feedback_and_negative_messages_but_not_questions():
    assert "vip:gold@1.00" in decide(parse("praise"), "messenger", TABLE, POLICY, tier="Gold").labels
    assert "vip:platinum@1.00" in decide(parse("flight_status", compound=-0.3), "messenger", TABLE, POLICY,
                                         tier="platinum").labels
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


def test_the_decision_carries_the_vip_and_reach_facts_whatever_the_triggers():
    quiet = decide(parse("flight_status"), "messenger", TABLE, POLICY, tier="Gold")
    assert quiet.vip and not quiet.handoff
    private = decide(parse("ask_pets", compound=-0.1, followers=48210), "twitter_dm", TABLE, POLICY)
    assert private.reach and not private.handoff
    assert not decide(parse("ask_pets", followers=500), "twitter_mention", TABLE, POLICY).reach
    assert not decide(parse("praise"), "messenger", TABLE, POLICY, tier="blue").vip


def test_vip_and_reach_are_one_rule_each():
    assert is_vip("GOLD", POLICY) and is_vip("platinum", POLICY)
    assert not is_vip("blue", POLICY) and not is_vip(None, POLICY) and not is_vip("", POLICY)
    assert has_reach(10000, POLICY) and not has_reach(9999, POLICY) and not has_reach(None, POLICY)


def test_each_trigger_is_a_function_of_the_signals():
    s = read_signals(parse("complain", 0.7, compound=-0.6, followers=20000), "twitter_mention", TABLE, POLICY)
    assert route_trigger(s, POLICY).raw == "route:feedback:complain@0.70"
    assert frustration_trigger(s, POLICY).raw == "frustration:-0.60<=-0.50"
    assert negative_sentiment_trigger(s, POLICY).raw == "negative_sentiment:-0.60<=-0.25"
    assert public_complaint_trigger(s, POLICY).raw == "public_complaint:-0.60<=-0.10"
    assert reach_trigger(s, POLICY).raw == "reach:20000>=10000" and reach_trigger(s, POLICY).score == 1.0
    assert urgency_trigger(s, POLICY) is None and language_trigger(s, POLICY) is None
    assert vip_trigger(s, POLICY) is None and public_unclear_trigger(s, POLICY) is None
    # frustration, negative sentiment and a public complaint are one cause: the first reason counts
    assert [r.code for r in fired(HANDOFF_TRIGGERS, s, POLICY)] == ["route", "frustration", "reach"]
