"""The routing decision: routes, handoff triggers, reasons with scores."""
import pytest

from socialcare.routing import (
    HandoffPolicy,
    RoutingConfigError,
    decide,
    load_route_table,
    parse_handoff_policy,
    parse_route_table,
    top_intent,
)

TABLE = parse_route_table(
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
POLICY = HandoffPolicy()


def parse(intent, confidence, compound=0.0, ranking=None):
    data = {"intent": {"name": intent, "confidence": confidence}, "sentiment": {"compound": compound}}
    if ranking is not None:
        data["intent_ranking"] = ranking
    return data


def test_informational_question_is_answered_by_the_bot():
    d = decide(parse("ask_pets", 0.93), "twitter_dm", TABLE, POLICY)
    assert (d.route, d.handoff, d.clarify, d.reasons) == ("informational", False, False, ())


def test_diagnostic_intent_hands_off_with_reason_and_score():
    d = decide(parse("report_lost_bag", 0.88), "messenger", TABLE, POLICY)
    assert d.handoff and d.route == "diagnostic"
    assert d.reasons == ("route:diagnostic:report_lost_bag@0.88",)


def test_handoff_intent_below_confidence_bar_does_not_hand_off_but_clarifies():
    d = decide(parse("report_lost_bag", 0.3), "messenger", TABLE, POLICY)
    assert not d.handoff and d.clarify
    assert d.reasons[0].startswith("low_confidence:0.30")


def test_inside_a_form_a_handoff_intent_needs_higher_confidence():
    assert not decide(parse("report_lost_bag", 0.7), "rest", TABLE, POLICY, in_form=True).handoff
    assert decide(parse("report_lost_bag", 0.85), "rest", TABLE, POLICY, in_form=True).handoff


def test_frustration_hands_off_whatever_the_intent():
    d = decide(parse("greet", 0.99, compound=-0.8), "twitter_dm", TABLE, POLICY)
    assert d.handoff and d.reasons == ("frustration:-0.80<=-0.50",)


def test_negative_question_hands_off_but_negative_chitchat_does_not():
    assert decide(parse("flight_status", 0.9, compound=-0.3), "rest", TABLE, POLICY).handoff
    assert not decide(parse("greet", 0.9, compound=-0.3), "rest", TABLE, POLICY).handoff


def test_positive_feedback_stays_with_the_bot():
    d = decide(parse("praise", 0.95, compound=0.9), "twitter_mention", TABLE, POLICY)
    assert not d.handoff and d.route == "feedback"


def test_public_handoff_is_marked():
    d = decide(parse("request_human", 0.9), "twitter_mention", TABLE, POLICY)
    assert d.handoff and "public_channel" in d.reasons


def test_fallback_label_is_looked_past():
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_pets", "confidence": 0.31}]
    assert top_intent(parse("nlu_fallback", 0.55, ranking=ranking)) == ("ask_pets", 0.31)


def test_unknown_intent_is_out_of_scope():
    assert decide(parse("order_pizza", 0.99), "rest", TABLE, POLICY).route == "out_of_scope"


def test_json_shape():
    out = decide(parse("ask_pets", 0.9, 0.1), "rest", TABLE, POLICY).as_json()
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
