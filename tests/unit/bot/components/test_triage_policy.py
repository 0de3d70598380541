"""TriagePolicy: predicts the handoff action from the routing decision, with the tracker's context."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.handoff import ActionHandoff
from bot.actions.slots import TRIAGE_DECISION
from bot.components.triage.policy import TriagePolicy
from handoff.decision import record_for

DOMAIN = Domain.from_dict({
    "intents": ["out_of_scope", "ask_pets", "report_lost_bag", "complain"],
    "actions": ["action_handoff"],
    "responses": {"utter_praise": [{"text": "Thank you!"}]},
    "slots": {"loyalty_tier": {"type": "text", "influence_conversation": False,
                               "mappings": [{"type": "custom"}]},
              "triage_decision": {"type": "any", "influence_conversation": False,
                                  "mappings": [{"type": "custom"}]}},
})


@pytest.fixture
def policy(tmp_path: Path) -> TriagePolicy:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    return TriagePolicy.create(TriagePolicy.get_default_config(), storage, Resource("triage"), context)


def tracker(intent: str, confidence: float, tier: str | None = None, compound: float = 0.0,
            after: tuple = ()) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    if tier:
        events.append(SlotSet("loyalty_tier", tier))
    events.append(UserUttered("some text", intent={"name": intent, "confidence": confidence},
                              parse_data={"intent": {"name": intent, "confidence": confidence},
                                          "sentiment": {"compound": compound}},
                              input_channel="rest", message_id="m-1"))
    events.extend(ActionExecuted(name) for name in after)
    return DialogueStateTracker.from_events("customer-1", events, slots=DOMAIN.slots)


def predicted(policy: TriagePolicy, t: DialogueStateTracker) -> str | None:
    probabilities = policy.predict_action_probabilities(t, DOMAIN).probabilities
    return DOMAIN.action_names_or_texts[probabilities.index(1.0)] if 1.0 in probabilities else None


def handoff_probability(policy: TriagePolicy, t: DialogueStateTracker) -> float:
    prediction = policy.predict_action_probabilities(t, DOMAIN)
    return prediction.probabilities[DOMAIN.index_for_action("action_handoff")]


def test_diagnostic_message_predicts_the_handoff(policy):
    assert handoff_probability(policy, tracker("report_lost_bag", 0.9)) == 1.0


def test_informational_message_abstains(policy):
    assert handoff_probability(policy, tracker("ask_pets", 0.9)) == 0.0


def test_vip_tier_from_the_slot_hands_off_an_out_of_scope_message(policy):
    assert handoff_probability(policy, tracker("out_of_scope", 0.9)) == 0.0
    assert handoff_probability(policy, tracker("out_of_scope", 0.9, tier="gold")) == 1.0
    assert handoff_probability(policy, tracker("out_of_scope", 0.9, tier="blue")) == 0.0


def test_a_complaint_that_reads_as_praise_is_thanked_then_listens(policy):
    assert predicted(policy, tracker("complain", 0.8, compound=0.5)) == "utter_praise"
    assert predicted(policy, tracker("complain", 0.8, compound=0.5, after=("utter_praise",))) == "action_listen"


def test_a_negative_complaint_is_handed_off_not_thanked(policy):
    assert predicted(policy, tracker("complain", 0.8, compound=-0.4)) == "action_handoff"


def test_the_shipped_policy_thanks_a_solved_problem(policy):
    assert predicted(policy, tracker("report_lost_bag", 0.9, compound=0.8)) == "utter_praise"
    assert predicted(policy, tracker("report_lost_bag", 0.9, compound=0.8, after=("utter_praise",))) == "action_listen"
    assert predicted(policy, tracker("report_lost_bag", 0.9, compound=0.1)) == "action_handoff"


def test_the_handoff_carries_the_decision_for_the_action_server(policy):
    t = tracker("report_lost_bag", 0.9, compound=-0.7)
    [event] = policy.predict_action_probabilities(t, DOMAIN).events
    assert isinstance(event, SlotSet)
    assert event.key == TRIAGE_DECISION == TriagePolicy.get_default_config()["decision_slot"]
    assert event.value["version"] == 1 and event.value["message_id"] == "m-1"
    decision = record_for(event.value, "m-1")
    assert decision.handoff and decision.labels == ("route:diagnostic:report_lost_bag@0.90", "frustration:-0.70<=-0.50")
    assert (decision.vip, decision.reach) == (False, False)


def test_no_decision_is_recorded_without_a_handoff(policy):
    assert policy.predict_action_probabilities(tracker("ask_pets", 0.9), DOMAIN).events == []
    assert policy.predict_action_probabilities(tracker("complain", 0.8, compound=0.5), DOMAIN).events == []


@pytest.mark.asyncio
async def test_the_action_server_hands_off_with_the_reasons_the_rasa_server_decided(policy):
    # What Rasa's processor does: apply the prediction's events, then send the tracker to the action.
    t = tracker("out_of_scope", 0.9, tier="gold")
    t.update_with_events(policy.predict_action_probabilities(t, DOMAIN).events, DOMAIN)
    state = t.current_state(EventVerbosity.AFTER_RESTART)
    events = await ActionHandoff().run(CollectingDispatcher(), Tracker.from_dict(state), {})
    reasons = next(e["value"] for e in events if e.get("name") == "handoff_reasons")
    assert [r["raw"] for r in reasons] == ["vip:gold@1.00"]
