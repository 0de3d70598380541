"""handoff/triggers.py: each trigger, and the whole decision (routes, handoff triggers, reasons with scores)."""
from pathlib import Path

import pytest
import yaml

from bot.components.triage.language import LanguageDetector
from handoff.config import load_handoff_policy
from handoff.parse_data import top_intent
from handoff.routes import (
    HandoffPolicy,
    RoutingConfigError,
    load_route_table,
    parse_handoff_policy,
    parse_route_table,
)
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


# The whole decision (formerly tests/unit/socialcare/test_routing.py).
DEMO_TABLE = parse_route_table(
    {
        "intents": {
            "ask_pets": {"route": "informational"},
            "flight_status": {"route": "transactional"},
            "report_lost_bag": {"route": "diagnostic", "handoff": True},
            "request_human": {"route": "human", "handoff": True},
            "praise": {"route": "feedback"},
            "greet": {"route": "chitchat"},
        }
    }
)
DEFAULT_POLICY = HandoffPolicy()


def parsed(intent, confidence, compound=0.0, ranking=None):
    data = {"intent": {"name": intent, "confidence": confidence}, "sentiment": {"compound": compound}}
    if ranking is not None:
        data["intent_ranking"] = ranking
    return data


def test_informational_question_is_answered_by_the_bot():
    d = decide(parsed("ask_pets", 0.93), "twitter_dm", DEMO_TABLE, DEFAULT_POLICY)
    assert (d.route, d.handoff, d.clarify, d.labels) == ("informational", False, False, ())


def test_diagnostic_intent_hands_off_with_reason_and_score():
    d = decide(parsed("report_lost_bag", 0.88), "messenger", DEMO_TABLE, DEFAULT_POLICY)
    assert d.handoff and d.route == "diagnostic"
    assert d.labels == ("route:diagnostic:report_lost_bag@0.88",)


def test_handoff_intent_below_confidence_bar_does_not_hand_off_but_clarifies():
    d = decide(parsed("report_lost_bag", 0.3), "messenger", DEMO_TABLE, DEFAULT_POLICY)
    assert not d.handoff and d.clarify
    assert d.labels[0].startswith("low_confidence:0.30")


def test_inside_a_form_a_handoff_intent_needs_higher_confidence():
    assert not decide(parsed("report_lost_bag", 0.7), "rest", DEMO_TABLE, DEFAULT_POLICY, in_form=True).handoff
    assert decide(parsed("report_lost_bag", 0.85), "rest", DEMO_TABLE, DEFAULT_POLICY, in_form=True).handoff


def test_frustration_hands_off_whatever_the_intent():
    d = decide(parsed("greet", 0.99, compound=-0.8), "twitter_dm", DEMO_TABLE, DEFAULT_POLICY)
    assert d.handoff and d.labels == ("frustration:-0.80<=-0.50",)


def test_negative_question_hands_off_but_negative_chitchat_does_not():
    assert decide(parsed("flight_status", 0.9, compound=-0.3), "rest", DEMO_TABLE, DEFAULT_POLICY).handoff
    assert not decide(parsed("greet", 0.9, compound=-0.3), "rest", DEMO_TABLE, DEFAULT_POLICY).handoff


def test_positive_feedback_stays_with_the_bot():
    d = decide(parsed("praise", 0.95, compound=0.9), "twitter_mention", DEMO_TABLE, DEFAULT_POLICY)
    assert not d.handoff and d.route == "feedback"


def test_public_handoff_is_marked():
    d = decide(parsed("request_human", 0.9), "twitter_mention", DEMO_TABLE, DEFAULT_POLICY)
    assert d.handoff and "public_channel" in d.labels


def test_fallback_label_is_looked_past():
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_pets", "confidence": 0.31}]
    assert top_intent(parsed("nlu_fallback", 0.55, ranking=ranking)) == ("ask_pets", 0.31)


def test_unknown_intent_is_out_of_scope():
    assert decide(parsed("order_pizza", 0.99), "rest", DEMO_TABLE, DEFAULT_POLICY).route == "out_of_scope"


def test_json_shape():
    out = decide(parsed("ask_pets", 0.9, 0.1), "rest", DEMO_TABLE, DEFAULT_POLICY).as_json()
    assert set(out) == {"intent", "confidence", "route", "handoff", "reasons", "sentiment"}


def test_bad_route_in_config_is_rejected():
    with pytest.raises(RoutingConfigError):
        parse_route_table({"intents": {"x": {"route": "nowhere"}}})
    with pytest.raises(RoutingConfigError):
        parse_handoff_policy({"thresholds": {"typo_threshold": 1}})


def test_project_route_table_covers_every_route_and_the_person_request():
    table = load_route_table()
    routes = {spec.route for spec in table.intents.values()}
    assert {"informational", "transactional", "diagnostic", "advice", "feedback", "chitchat", "out_of_scope", "human"} <= routes
    assert table.for_intent("request_human").handoff


# --- urgency and language -----------------------------------------------------------------


def signals(intent="ask_pets", confidence=0.93, urgency=None, language=None, compound=0.0):
    data = parsed(intent, confidence, compound)
    if urgency is not None:
        data["urgency"] = {"categories": list(urgency[0]), "score": urgency[1]}
    if language is not None:
        data["language"] = {"code": language[0], "confidence": language[1], "supported": language[0] == "en"}
    return data


def test_urgency_hands_off_with_categories_and_score():
    d = decide(signals(urgency=(["injury", "legal"], 0.9)), "messenger", DEMO_TABLE, DEFAULT_POLICY)
    assert d.handoff and not d.clarify
    assert d.labels == ("urgency:injury,legal@0.90",)


def test_urgency_below_threshold_does_not_hand_off():
    d = decide(signals(urgency=(["no_answer"], 0.5)), "rest", DEMO_TABLE, DEFAULT_POLICY)
    assert not d.handoff and d.labels == ()


def test_urgency_threshold_is_inclusive_and_configurable():
    policy = parse_handoff_policy({"thresholds": {"urgency_score": 0.9}})
    assert policy.urgency_score == 0.9
    assert decide(signals(urgency=(["safety"], 0.9)), "rest", DEMO_TABLE, policy).labels == ("urgency:safety@0.90",)
    assert not decide(signals(urgency=(["no_answer"], 0.7)), "rest", DEMO_TABLE, policy).handoff


def test_urgency_hands_off_inside_a_form_and_despite_low_intent_confidence():
    d = decide(signals("report_lost_bag", 0.2, urgency=(["safety"], 0.95)), "rest", DEMO_TABLE, DEFAULT_POLICY, in_form=True)
    assert d.handoff and not d.clarify and d.labels == ("urgency:safety@0.95",)


def test_urgency_reason_comes_after_route_and_before_sentiment():
    d = decide(signals("report_lost_bag", 0.9, urgency=(["legal"], 0.85), compound=-0.8), "twitter_mention", DEMO_TABLE, DEFAULT_POLICY)
    assert d.labels == (
        "route:diagnostic:report_lost_bag@0.90",
        "urgency:legal@0.85",
        "frustration:-0.80<=-0.50",
        "public_channel",
    )


def test_french_message_hands_off_with_language_reason():
    d = decide(signals("nlu_fallback", 0.3, language=("fr", 0.97)), "twitter_dm", DEMO_TABLE, DEFAULT_POLICY)
    assert d.handoff and not d.clarify
    assert d.labels == ("language:fr@0.97",)


def test_unknown_language_never_hands_off():
    # "ok" / "K7P2QX": too short to tell, the detector reports "und".
    for intent, confidence in (("affirm", 0.9), ("nlu_fallback", 0.2)):
        d = decide(signals(intent, confidence, language=("und", 0.0)), "messenger", DEMO_TABLE, DEFAULT_POLICY)
        assert not d.handoff
        assert not any(r.startswith("language:") for r in d.labels)


def test_ok_and_a_reference_through_the_real_detector_do_not_hand_off():
    detector = LanguageDetector(DEFAULT_POLICY.supported_languages, DEFAULT_POLICY.language_min_confidence)
    for text in ("ok", "K7P2QX"):
        data = parsed("affirm", 0.9)
        data["language"] = detector.detect(text).as_dict()
        assert not decide(data, "rest", DEMO_TABLE, DEFAULT_POLICY).handoff
    data = parsed("nlu_fallback", 0.2)
    data["language"] = detector.detect("Bonjour, mon vol est annulé, que faire ?").as_dict()
    assert decide(data, "rest", DEMO_TABLE, DEFAULT_POLICY).labels == ("language:fr@1.00",)


def test_supported_or_unconfident_language_does_not_hand_off():
    assert not decide(signals(language=("en", 0.99)), "rest", DEMO_TABLE, DEFAULT_POLICY).handoff
    assert not decide(signals(language=("es", 0.6)), "rest", DEMO_TABLE, DEFAULT_POLICY).handoff
    policy = parse_handoff_policy({"supported_languages": ["en", "es"]})
    assert not decide(signals(language=("es", 0.99)), "rest", DEMO_TABLE, policy).handoff


def test_language_does_not_hand_off_inside_a_form():
    # A name or an address typed as a form answer can look foreign.
    assert not decide(signals(language=("fr", 0.95)), "rest", DEMO_TABLE, DEFAULT_POLICY, in_form=True).handoff


def test_malformed_signals_are_ignored():
    data = parsed("ask_pets", 0.93)
    data["urgency"] = {"categories": "safety", "score": "high"}
    data["language"] = "fr"
    assert not decide(data, "rest", DEMO_TABLE, DEFAULT_POLICY).handoff
    data["urgency"] = None
    data["language"] = {"code": None, "confidence": None}
    assert not decide(data, "rest", DEMO_TABLE, DEFAULT_POLICY).handoff


def test_handoff_policy_reads_the_new_thresholds_and_languages():
    policy = parse_handoff_policy(
        {
            "thresholds": {"urgency_score": 0.7, "language_min_confidence": 0.8},
            "supported_languages": ["EN", "fr"],
        }
    )
    assert (policy.urgency_score, policy.language_min_confidence) == (0.7, 0.8)
    assert policy.supported_languages == ("en", "fr")
    assert parse_handoff_policy({}).supported_languages == ("en",)
    with pytest.raises(RoutingConfigError):
        parse_handoff_policy({"thresholds": {"supported_languages": 1}})
    with pytest.raises(RoutingConfigError):
        parse_handoff_policy({"supported_languages": "en"})
    with pytest.raises(RoutingConfigError):
        parse_handoff_policy({"thresholds": {"urgency": 0.5}})


def test_project_handoff_file_has_the_triage_thresholds():
    policy = load_handoff_policy()
    assert policy.supported_languages == ("en",)
    assert 0.0 < policy.urgency_score <= 1.0 and 0.5 <= policy.language_min_confidence <= 1.0


COMPLAINT_TABLE = parse_route_table(
    {"intents": {"complain": {"route": "feedback", "handoff": True},
                 "cancel_booking": {"route": "transactional"},
                 "ask_pets": {"route": "informational"}}}
)
EXEMPT = HandoffPolicy(negative_sentiment_exempt_routes=("chitchat", "informational", "transactional"))


def test_mildly_negative_request_in_private_is_answered_by_the_bot():
    d = decide(parsed("cancel_booking", 0.9, compound=-0.3), "twitter_dm", COMPLAINT_TABLE, EXEMPT)
    assert not d.handoff and d.labels == ()


def test_the_same_request_in_public_is_a_public_complaint():
    d = decide(parsed("cancel_booking", 0.9, compound=-0.3), "twitter_mention", COMPLAINT_TABLE, EXEMPT)
    assert d.handoff
    assert d.labels == ("public_complaint:-0.30<=-0.10", "public_channel")


def test_neutral_public_question_is_answered():
    d = decide(parsed("ask_pets", 0.9, compound=0.0), "twitter_mention", COMPLAINT_TABLE, EXEMPT)
    assert not d.handoff


def test_complaint_intent_whose_sentiment_is_not_negative_reads_as_praise():
    praised = decide(parsed("complain", 0.7, compound=0.2), "twitter_mention", COMPLAINT_TABLE, EXEMPT)
    assert not praised.handoff and praised.praised and praised.labels == ()
    complaint = decide(parsed("complain", 0.7, compound=-0.05), "twitter_mention", COMPLAINT_TABLE, EXEMPT)
    assert complaint.handoff and not complaint.praised
    assert complaint.labels[0] == "route:feedback:complain@0.70"
    unscored = decide(parsed("complain", 0.7), "messenger", COMPLAINT_TABLE, EXEMPT)
    assert unscored.handoff and not unscored.praised


def request(intent, confidence, compound):
    data = parsed(intent, confidence, compound)
    data["sentiment"]["request"] = True
    return data


def test_a_calm_request_to_complain_needs_clearly_positive_sentiment_to_read_as_praise():
    # "I'd like to file a complaint about the crew": "like" lifts the lexicon score a bit.
    filed = decide(request("complain", 0.7, 0.15), "messenger", COMPLAINT_TABLE, EXEMPT)
    assert filed.handoff and not filed.praised
    thanks = decide(request("complain", 0.7, 0.6), "messenger", COMPLAINT_TABLE, EXEMPT)
    assert not thanks.handoff and thanks.praised


def test_a_praised_complaint_that_needs_a_person_for_another_reason_is_not_praised():
    data = parsed("complain", 0.7, compound=0.4)
    data["urgency"] = {"categories": ["injury"], "score": 0.9}
    d = decide(data, "messenger", COMPLAINT_TABLE, EXEMPT)
    assert d.handoff and not d.praised and d.labels[0].startswith("urgency:")


def test_unclear_negative_public_post_goes_to_a_person_not_a_public_rephrase():
    d = decide(parsed("ask_pets", 0.3, compound=-0.05), "twitter_mention", COMPLAINT_TABLE, EXEMPT)
    assert d.handoff and not d.clarify
    assert d.labels[0] == "public_unclear:0.30<0.45,sentiment:-0.05<0.00"
    private = decide(parsed("ask_pets", 0.3, compound=-0.05), "messenger", COMPLAINT_TABLE, EXEMPT)
    assert private.clarify and not private.handoff


def test_praise_overrides_and_public_thresholds_come_from_the_yaml():
    policy = parse_handoff_policy({"thresholds": {"public_negative_sentiment": -0.4, "praise_sentiment": 0.9,
                                                  "praise_request_sentiment": 0.95},
                                   "praise_overrides": ["complain"],
                                   "negative_sentiment_exempt_routes": ["transactional"]})
    assert (policy.public_negative_sentiment, policy.praise_sentiment, policy.praise_request_sentiment,
            policy.praise_overrides) == (-0.4, 0.9, 0.95, ("complain",))
    d = decide(parsed("cancel_booking", 0.9, compound=-0.3), "twitter_mention", COMPLAINT_TABLE, policy)
    assert not d.handoff


RESOLVED = HandoffPolicy(resolved_overrides=("report_lost_bag",))
BAG_TABLE = parse_route_table({"intents": {"report_lost_bag": {"route": "diagnostic", "handoff": True}}})


def test_a_problem_report_with_clearly_positive_sentiment_is_thanks_for_a_problem_solved():
    solved = decide(parsed("report_lost_bag", 0.9, compound=0.7), "twitter_mention", BAG_TABLE, RESOLVED)
    assert not solved.handoff and solved.praised and solved.route == "feedback"
    mild = decide(parsed("report_lost_bag", 0.9, compound=0.3), "twitter_mention", BAG_TABLE, RESOLVED)
    assert mild.handoff and not mild.praised and mild.route == "diagnostic"
    unlisted = decide(parsed("report_lost_bag", 0.9, compound=0.7), "twitter_mention", BAG_TABLE, HandoffPolicy())
    assert unlisted.handoff


def test_resolved_overrides_come_from_the_yaml():
    policy = parse_handoff_policy({"thresholds": {"resolved_sentiment": 0.8}, "resolved_overrides": ["report_lost_bag"]})
    assert policy.resolved_overrides == ("report_lost_bag",) and policy.resolved_sentiment == 0.8
    assert policy.thanked_intents() == ("complain", "complain_staff", "report_lost_bag")
    assert decide(parsed("report_lost_bag", 0.9, compound=0.7), "messenger", BAG_TABLE, policy).handoff
