"""Handoff, clarification and the person offered after repeated invalid answers."""
from typing import Optional

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.handoff import ActionClarify, ActionHandoff, ActionOfferDeclined
from bot.actions.handoff_events import handoff_slot_values
from connectors.channels import channel_kind
from handoff.config import load_handoff_policy
from handoff.reasons import flag
from handoff.routes import load_route_table
from handoff.triggers import decide
from tests.helpers.action_fakes import DOMAIN, default_slots, labels, make_tracker, render, user_event

MESSAGE_ID = "m-1"


def triaged(intent: str, confidence: float, metadata: Optional[dict], channel: Optional[str],
            in_form: bool, message_id: str = MESSAGE_ID) -> Optional[dict]:
    """The `triage_decision` slot as TriagePolicy sets it in the Rasa server (None when the
    decision is not a handoff: then the policy sets nothing)."""
    parse = {"intent": {"name": intent, "confidence": confidence},
             "intent_ranking": [{"name": intent, "confidence": confidence}], "metadata": metadata or {}}
    decision = decide(parse, channel_kind(channel, metadata), load_route_table(), load_handoff_policy(),
                      in_form=in_form)
    return decision.as_record(message_id) if decision.handoff else None


async def run(action, intent="request_human", confidence=0.93, slots=None, events=None, active_loop=None,
              metadata=None, text="can I talk to a human", channel=None, decision="triaged"):
    dispatcher = CollectingDispatcher()
    history = events if events is not None else [{"event": "action", "name": "action_listen"},
                                                  user_event(text, intent, confidence, metadata, channel, MESSAGE_ID)]
    if decision == "triaged":
        decision = triaged(intent, confidence, metadata, channel, active_loop is not None)
    tracker = make_tracker({**default_slots(), "triage_decision": decision, **(slots or {})}, history, text, intent,
                           confidence, active_loop, metadata, MESSAGE_ID)
    result = await action.run(dispatcher, tracker, DOMAIN)
    slot_values = {e["name"]: e.get("value") for e in result if e.get("event") == "slot"}
    return " ".join(render(m) for m in dispatcher.messages), slot_values, result


@pytest.mark.asyncio
async def test_handoff_records_the_triage_reasons():
    text, slots, _ = await run(ActionHandoff())
    assert "person from our team" in text and "here in this conversation" in text
    assert slots["handoff_active"] is True
    assert labels(slots["handoff_reasons"]) == ["route:human:request_human@0.93"]
    assert slots["handoff_reasons"][0] == {"code": "route", "score": 0.93, "detail": "human:request_human",
                                           "raw": "route:human:request_human@0.93"}


@pytest.mark.asyncio
async def test_handoff_stops_an_active_form_and_forgets_its_values():
    _, slots, events = await run(ActionHandoff(), intent="report_lost_bag", active_loop="change_seat_form",
                                 slots={"booking_ref": "K7P2QX", "seat": "14C", "requested_slot": "seat"})
    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert slots["requested_slot"] is None and slots["seat"] is None
    assert labels(slots["handoff_reasons"]) == ["route:diagnostic:report_lost_bag@0.93"]


@pytest.mark.asyncio
async def test_handoff_below_the_triage_bar_still_records_why():
    _, slots, _ = await run(ActionHandoff(), intent="advice_upgrade", confidence=0.47)
    assert labels(slots["handoff_reasons"]) == ["intent:advice_upgrade@0.47"]


@pytest.mark.asyncio
async def test_handoff_on_a_public_mention_asks_for_a_direct_message():
    text, slots, _ = await run(ActionHandoff(), intent="report_lost_bag", metadata={"public": True}, channel="twitter",
                               text="you lost my bag")
    assert "direct message" in text
    assert labels(slots["handoff_reasons"])[-1] == "public_channel"


@pytest.mark.asyncio
async def test_the_action_reads_the_decision_and_does_not_decide_again():
    decision = triaged("request_human", 0.93, None, None, False)
    decision["reasons"] = [flag("urgency", "safety").as_json()]  # what the Rasa server decided, whatever it is
    _, slots, _ = await run(ActionHandoff(), decision=decision)
    assert labels(slots["handoff_reasons"]) == ["urgency:safety"]


@pytest.mark.parametrize("decision", [
    triaged("request_human", 0.93, None, None, False, message_id="m-0"),  # made for an earlier message
    {"version": 99, "message_id": MESSAGE_ID},                             # a record we cannot read
    {"version": 1, "message_id": MESSAGE_ID, "reasons": "garbled"},
    None,
])
@pytest.mark.asyncio
async def test_without_a_decision_for_this_message_the_intent_is_the_reason(decision):
    _, slots, _ = await run(ActionHandoff(), decision=decision)
    assert labels(slots["handoff_reasons"]) == ["intent:request_human@0.93"]


@pytest.mark.parametrize("offer", [flag("invalid_input", "booking_refx3").as_json(),
                                   "invalid_input:booking_refx3"])  # as trackers from before stored it
@pytest.mark.asyncio
async def test_accepting_the_offered_person_hands_off_with_the_offer_reason(offer):
    _, slots, _ = await run(ActionHandoff(), intent="affirm", text="yes",
                            slots={"person_offered": True, "offer_reason": offer})
    assert labels(slots["handoff_reasons"]) == ["accepted_offer", "invalid_input:booking_refx3"]
    assert slots["person_offered"] is False


def test_a_second_handoff_adds_its_reasons_to_the_recorded_ones():
    recorded = ["route:diagnostic:report_lost_bag@0.97", flag("backend_error").as_json()]  # old label, new JSON
    tracker = make_tracker({**default_slots(), "handoff_active": True, "handoff_reasons": recorded}, [])
    values = handoff_slot_values(tracker, [flag("backend_error"), flag("action_error")])
    assert labels(values["handoff_reasons"]) == ["route:diagnostic:report_lost_bag@0.97", "backend_error",
                                                 "action_error"]
    fresh = handoff_slot_values(make_tracker(default_slots(), []), [flag("action_error")])
    assert labels(fresh["handoff_reasons"]) == ["action_error"]


@pytest.mark.asyncio
async def test_declining_the_offered_person_carries_on():
    text, slots, _ = await run(ActionOfferDeclined(), intent="deny", text="no", slots={"person_offered": True})
    assert "anything else" in text and slots["person_offered"] is False


def clarify_history(previous_clarifications):
    events = [{"event": "action", "name": "action_listen"}, user_event("hi", "greet", 0.9, None),
              {"event": "action", "name": "utter_greet"}]
    for _ in range(previous_clarifications):
        events += [{"event": "action", "name": "action_listen"}, user_event("??", "nlu_fallback", 0.3, None),
                   {"event": "action", "name": "action_clarify"}]
    return events + [{"event": "action", "name": "action_listen"}, user_event("asdf", "nlu_fallback", 0.3, None)]


@pytest.mark.asyncio
async def test_first_unclear_message_asks_to_rephrase():
    text, slots, _ = await run(ActionClarify(), intent="nlu_fallback", events=clarify_history(0))
    assert "put it another way" in text and slots == {}


@pytest.mark.asyncio
async def test_second_unclear_message_in_a_row_goes_to_a_person():
    text, slots, _ = await run(ActionClarify(), intent="nlu_fallback", events=clarify_history(1))
    assert "person from our team" in text
    assert slots["handoff_active"] is True and labels(slots["handoff_reasons"]) == ["clarification_failed"]


@pytest.mark.asyncio
async def test_unclear_messages_that_are_not_in_a_row_do_not_hand_off():
    events = clarify_history(1)
    events[-2:-2] = [{"event": "action", "name": "action_listen"}, user_event("pets?", "ask_pets", 0.9, None),
                     {"event": "action", "name": "action_answer_knowledge"}]
    _, slots, _ = await run(ActionClarify(), intent="nlu_fallback", events=events)
    assert slots == {}


@pytest.mark.asyncio
async def test_clarify_inside_a_form_is_short_and_lets_the_form_ask_again():
    text, _, _ = await run(ActionClarify(), intent="nlu_fallback", events=clarify_history(0),
                           active_loop="cancel_booking_form")
    assert text == "Sorry, I didn't quite get that."
