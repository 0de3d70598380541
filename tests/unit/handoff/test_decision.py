"""The decision as data: the CLI's JSON, and the record TriagePolicy stores for the action server."""
import pytest

from handoff.decision import Decision, DecisionRecordError, record_for
from handoff.reasons import flag, scored
from handoff.routes import HandoffPolicy, parse_route_table
from handoff.triggers import decide

TABLE = parse_route_table({"intents": {"report_lost_bag": {"route": "diagnostic", "handoff": True}}})


def lost_bag() -> Decision:
    data = {"intent": {"name": "report_lost_bag", "confidence": 0.97}, "sentiment": {"compound": -0.62},
            "metadata": {"author_followers": 15000}}
    return decide(data, "twitter_mention", TABLE, HandoffPolicy(), tier="gold")


def test_the_cli_json_shows_the_labels():
    out = lost_bag().as_json()
    assert out == {"intent": "report_lost_bag", "confidence": 0.97, "route": "diagnostic", "handoff": True,
                   "reasons": ["route:diagnostic:report_lost_bag@0.97", "frustration:-0.62<=-0.50",
                               "reach:15000>=10000", "vip:gold@1.00", "public_channel"],
                   "sentiment": -0.62}


def test_the_record_round_trips_for_its_message():
    decision = lost_bag()
    record = decision.as_record("m-1")
    assert record["version"] == 1 and record["message_id"] == "m-1"
    assert (record["vip"], record["reach"]) == (True, True)
    assert record["reasons"][0] == scored("route", "diagnostic:report_lost_bag", 0.97).as_json()
    assert record_for(record, "m-1") == decision == Decision.from_record(record)


@pytest.mark.parametrize("message_id", [None, "", "m-2"])
def test_a_record_for_another_message_is_not_this_messages_decision(message_id):
    assert record_for(lost_bag().as_record("m-1"), message_id) is None
    assert record_for(None, "m-1") is None and record_for("garbage", "m-1") is None


@pytest.mark.parametrize("record", [
    {"version": 2, "message_id": "m-1"},
    {"version": 1, "message_id": "m-1", "intent": "x"},
    {**Decision("i", 0.9, "human", True, (flag("x"),)).as_record("m-1"), "reasons": [1]},
])
def test_an_unreadable_record_is_an_error(record):
    with pytest.raises(DecisionRecordError):
        record_for(record, "m-1")
