"""Dossier builder from recorded trackers (tests/unit/handoff/fixtures/*.json)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from handoff.config import TeamConfig
from handoff.dossier import build_dossier
from handoff.reasons import at_or_above, at_or_below, flag, reasons_from_slot, scored

FIXTURES = Path(__file__).parent / "fixtures"
T0 = 1764496800.0
LOST_BAG = [scored("route", "diagnostic:report_lost_bag", 0.97), at_or_below("frustration", -0.62, -0.50)]


def load(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def build(name, channel, reasons, now=T0 + 200, **kw):
    return build_dossier(load(name), reasons=reasons, channel=channel, now=now,
                         config=TeamConfig(), **kw)


def test_messenger_lost_bag_dossier_has_everything_an_agent_needs():
    d = build("messenger_lost_bag", "messenger", LOST_BAG,
              profile_extra={"loyalty_tier": "gold"}, earlier_tickets=[{"id": "t-old", "status": "resolved"}],
              knowledge=[{"id": "delayed_bag", "intent": "ask_baggage", "answer": "...", "score": 0.5}])
    assert [(r["code"], r["score"]) for r in d["reasons"]] == [("route", 0.97), ("frustration", 0.62)]
    speakers = [t["speaker"] for t in d["transcript"]]
    assert speakers.count("customer") == 4 and speakers.count("agent") == 1
    assert speakers[-1] == "agent" and d["transcript"][-1]["agent"] == "dana"
    assert "system" in speakers
    assert all(t["timestamp"] and t["channel"] == "messenger" for t in d["transcript"])
    assert [(i["intent"], i["confidence"]) for i in d["intents"]] == [
        ("booking_lookup", 0.93), ("inform", 0.88), ("report_lost_bag", 0.97), ("greet", 0.7)]
    assert {"entity": "booking_ref", "value": "K7P2QX", "turn": 0} in d["entities"]
    assert d["slots"] == {"verified_booking": {"reference": "K7P2QX", "last_name": "Smith"}}
    actions = [(x["action"], x["outcome"]) for x in d["lookups"]]
    assert ("action_submit_booking_lookup", "ok") in actions
    submit = next(x for x in d["lookups"] if x["action"] == "action_submit_booking_lookup")
    assert submit["inputs"]["booking_ref"] == "K7P2QX" and "AU451" in submit["result"][0]
    assert d["sentiment"]["trend"] == "worsening" and d["sentiment"]["min"] == -0.62
    assert d["profile"]["platform"] == "facebook" and d["profile"]["loyalty_tier"] == "gold"
    assert d["profile"]["earlier_tickets"] == [{"id": "t-old", "status": "resolved"}]
    assert d["thread"]["thread_id"] == "PSID123" and d["thread"]["window"]["state"] == "standard"
    assert d["knowledge"][0]["id"] == "delayed_bag"


def test_summary_is_short_extractive_and_names_the_reasons():
    d = build("messenger_lost_bag", "messenger", LOST_BAG)
    summary = d["summary"]
    assert "report lost bag (0.97)" in summary["headline"] and "frustrated (0.62)" in summary["headline"]
    assert len(summary["lines"]) <= 5 and len(summary["text"]) < 700
    customer_texts = [t["text"] for t in d["transcript"] if t["speaker"] == "customer"]
    quotes = [line.strip("“”") for line in summary["lines"] if line.startswith("“")]
    assert quotes and all(any(q.rstrip("…") in text for text in customer_texts) for q in quotes)
    assert any("my bag never arrived in Dublin" in q for q in quotes)
    assert any(line.startswith("Bot already checked: booking lookup: ok") for line in summary["lines"])
    assert any(line.startswith("Mood worsening") for line in summary["lines"])


def test_x_mention_profile_thread_and_public_window():
    d = build("x_mention_complaint", "twitter_mention",
              [scored("route", "feedback:complain", 0.91), at_or_above("reach", 48210, 10000)])
    p = d["profile"]
    assert (p["handle"], p["display_name"], p["followers"], p["platform"]) == (
        "loudtraveller", "Loud Traveller", 48210, "twitter")
    assert d["thread"]["last_post_id"] == "1850000000000000001" and d["thread"]["public"] is True
    assert d["thread"]["window"]["state"] == "public"
    assert "48,210 followers" in d["summary"]["headline"]
    assert d["entities"] == [{"entity": "flight_number", "value": "AU451", "turn": 0}]


@pytest.mark.parametrize("hours,state,tag", [(2, "standard", None), (30, "human_agent", "HUMAN_AGENT"),
                                             (24 * 8, "closed", None)])
def test_messenger_window_follows_the_last_customer_message(hours, state, tag):
    d = build("messenger_lost_bag", "messenger", [flag("clarification_failed")], now=T0 + 90 + hours * 3600)
    window = d["thread"]["window"]
    assert (window["state"], window["tag"]) == (state, tag)
    assert window["open"] is (state != "closed")


def test_clarification_dossier_has_no_lookups_and_unknown_mood():
    d = build("rest_clarify", "rest", [flag("clarification_failed")])
    assert d["lookups"] == [] and d["profile"]["platform"] == "rest"
    assert [t["speaker"] for t in d["transcript"]] == ["customer", "bot", "customer", "bot"]
    assert d["sentiment"]["trend"] == "steady"
    assert "bot could not understand twice (1.00)" in d["summary"]["headline"]


def test_dossier_is_json_serialisable_and_pure():
    tracker = load("messenger_lost_bag")
    before = json.dumps(tracker, sort_keys=True)
    d = build_dossier(tracker, reasons=(), channel="messenger", now=T0, config=TeamConfig())
    json.dumps(d)
    assert json.dumps(tracker, sort_keys=True) == before


def test_dossier_from_a_tracker_recorded_from_the_real_stack():
    """rest_recorded_lost_bag.json: GET /conversations/<id>/tracker after a real REST conversation
    (booking look-up, then a furious lost-bag message handed off, ticket opened, paused)."""
    tracker = load("rest_recorded_lost_bag")
    assert tracker["paused"] is True
    reasons = reasons_from_slot(tracker["slots"]["handoff_reasons"])  # labels, as stored before Reason JSON
    d = build_dossier(tracker, reasons=reasons, channel="rest", now=tracker["events"][-1]["timestamp"] + 5,
                      config=TeamConfig())
    assert [r["code"] for r in d["reasons"]] == ["route", "urgency", "frustration"]
    customer = [t for t in d["transcript"] if t["speaker"] == "customer"]
    assert [t["intent"] for t in customer] == ["booking_lookup", "inform", "report_lost_bag"]
    assert all(0 < t["confidence"] <= 1 and t["timestamp"] for t in customer)
    speakers = [t["speaker"] for t in d["transcript"]]
    assert speakers.count("bot") == 4 and speakers[-1] == "system"  # ... ticket opened, paused
    [lookup] = d["lookups"]
    assert lookup["action"] == "action_submit_booking_lookup" and lookup["outcome"] == "ok"
    assert lookup["inputs"]["booking_ref"] == "K7P2QX" and "K7P2QX" in lookup["result"][0]
    assert d["slots"] == {"verified_booking": {"reference": "K7P2QX", "last_name": "Smith"}}
    assert d["sentiment"]["trend"] == "worsening" and d["sentiment"]["last"] < -0.5
    text = d["summary"]["text"]
    assert "report lost bag" in text and "frustrated" in text and "booking lookup: ok" in text
    assert "my bag never arrived in Dublin" in text and len(d["summary"]["lines"]) <= 5
