"""Rasa glue for `handoff.triggers.decide`: predicts the handoff action at top priority.

Right after each customer message, the policy runs the same routing decision as
`socialcare route`; when it says "hand off", it predicts `action_handoff` with
confidence 1 and a priority above the rule policy, so a handoff wins over a form or a
rule, and records the decision in the `triage_decision` slot (a policy event, applied
before the action runs): `action_handoff` reads its reasons there instead of deciding
again. Otherwise it abstains (all-zero prediction) and the other policies decide.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from connectors.channels import channel_kind
from handoff.config import load_handoff_policy
from handoff.routes import load_route_table
from handoff.triggers import decide


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT], is_trainable=True
)
class TriagePolicy(Policy):
    """Predicts `handoff_action` when the routing decision hands the message to a person."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Priority above RulePolicy (6); file paths default to bot/routes.yml, bot/handoff.yml."""
        return {
            "priority": 7,
            "handoff_action": "action_handoff",
            # Said when a complaint intent reads as praise (`Decision.praised`), so the
            # service does what `socialcare route` reports instead of the complaint rule.
            "praise_action": "utter_praise",
            # The slot that carries the decision to the action server (bot/domain/slots.yml).
            "decision_slot": "triage_decision",
            "routes_file": None,
            "handoff_file": None,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Optional[Any] = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self._table = load_route_table(config.get("routes_file"))
        self._thresholds = load_handoff_policy(config.get("handoff_file"))

    def train(
        self,
        training_trackers: List[TrackerWithCachedStates],
        domain: Domain,
        **kwargs: Any,
    ) -> Resource:
        """Nothing to learn: the decision is configuration, not training data."""
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """Handoff action with confidence 1 right after a message that needs a person, with
        the decision for the slot; the praise action (then listen) for a complaint intent
        that reads as praise."""
        abstain = self._prediction(self._default_predictions(domain))
        if tracker.latest_message is None:
            return abstain
        praise_action = self.config.get("praise_action")
        if (
            praise_action
            and tracker.latest_action_name == praise_action
            and tracker.active_loop_name is None
            and tracker.latest_message.intent.get("name") in self._thresholds.thanked_intents()
        ):
            return self._only(domain, ACTION_LISTEN_NAME)
        if tracker.latest_action_name != ACTION_LISTEN_NAME:
            return abstain
        if tracker.latest_message.intent.get("name") is None:
            return abstain
        parse = tracker.latest_message.parse_data
        channel = channel_kind(tracker.get_latest_input_channel(), tracker.latest_message.metadata)
        decision = decide(
            parse, channel, self._table, self._thresholds, in_form=tracker.active_loop_name is not None,
            tier=tracker.get_slot("loyalty_tier") if "loyalty_tier" in tracker.slots else None,
        )
        if decision.praised and praise_action and tracker.active_loop_name is None:
            return self._only(domain, praise_action)
        if not decision.handoff:
            return abstain
        # Rasa applies a prediction's `events` before the predicted action runs, and whether
        # or not the prediction wins: a handoff that waits for a form's turn still finds it.
        record = decision.as_record(tracker.latest_message.message_id)
        return self._only(domain, self.config["handoff_action"], [SlotSet(self.config["decision_slot"], record)])

    def _only(self, domain: Domain, action: Text, events: Optional[List[Event]] = None) -> PolicyPrediction:
        """`action` with confidence 1 and `events` (abstains when the domain lacks it)."""
        probabilities = self._default_predictions(domain)
        if action not in domain.action_names_or_texts:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, events=events)
