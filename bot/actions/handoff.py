"""Handing a conversation to a person: `action_handoff`, `action_clarify`, `action_offer_declined`.

The assistant stops whatever it was doing, tells the customer honestly that a person from
the team will follow up in this conversation, records why in the `handoff_active` and
`handoff_reasons` slots (`bot.actions.handoff_events`), and hands over to
`action_handoff_ticket` (bot/actions/handoff_ticket.py), which queues the ticket with its
dossier, tells the customer the expected wait and pauses the bot until an agent resolves
the ticket. The routing decision is made once, in the Rasa server (TriagePolicy): its
reasons arrive in the `triage_decision` slot.
"""
from __future__ import annotations

import logging
from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.handoff_csat import thank_for_csat
from bot.actions.handoff_events import UNSPECIFIED, handoff_events
from bot.actions.safe_action import SafeAction
from bot.actions.slots import OFFER_REASON, PERSON_OFFERED, TRIAGE_DECISION
from bot.actions.tracker_read import active_form, is_public, latest_intent, latest_message_id
from handoff.config import load_handoff_policy
from handoff.decision import Decision, DecisionRecordError, record_for
from handoff.reasons import Reason, flag, reason_from_slot, scored

logger = logging.getLogger(__name__)

CLARIFY_ACTION = "action_clarify"
MAX_CLARIFICATIONS = 2  # default; bot/handoff.yml `failed_clarifications` overrides
ACCEPTED_OFFER = flag("accepted_offer")
CLARIFICATION_FAILED = flag("clarification_failed")


def max_clarifications() -> int:
    """Failed clarifications in a row that go to a person (handoff.yml, default 2)."""
    try:
        return max(1, int(load_handoff_policy().failed_clarifications))
    except Exception as exc:  # noqa: BLE001 - a broken file must not break clarifying
        logger.warning("handoff policy unavailable: %s", type(exc).__name__)
        return MAX_CLARIFICATIONS


def triage_decision(tracker: Tracker) -> Optional[Decision]:
    """The routing decision TriagePolicy recorded for the latest message (None when it
    recorded none for this message, or the record is unreadable)."""
    try:
        return record_for(tracker.get_slot(TRIAGE_DECISION), latest_message_id(tracker))
    except DecisionRecordError as exc:  # a record is evidence, never a reason to fail
        logger.warning("triage decision unreadable: %s", type(exc).__name__)
        return None


def handoff_reasons_for(tracker: Tracker) -> List[Reason]:
    """Why `action_handoff` runs now: the routing decision's reasons when it handed off,
    else the accepted offer of a person, else the intent."""
    decision = triage_decision(tracker)
    if decision is not None and decision.handoff:
        return list(decision.reasons)
    intent, confidence = latest_intent(tracker)
    if tracker.get_slot(PERSON_OFFERED) and intent == "affirm":
        offer = tracker.get_slot(OFFER_REASON)
        return [ACCEPTED_OFFER] + ([reason_from_slot(offer)] if offer else [])
    return [scored("intent", intent, confidence)] if intent else [UNSPECIFIED]


class ActionHandoff(SafeAction):
    """Hands the conversation to a person (diagnostic, advice, complaints, "a human please")."""

    def name(self) -> str:
        """Action name used in the domain and rules."""
        return "action_handoff"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Stop any form, apologise honestly, promise a person here, record the reasons."""
        intent, _ = latest_intent(tracker)
        response = None
        if is_public(tracker):
            response = "utter_handoff_public"
        elif intent == "request_human":
            response = "utter_handoff_requested"
        return handoff_events(dispatcher, tracker, handoff_reasons_for(tracker), response=response)


def clarifications_in_a_row(tracker: Tracker) -> int:
    """How many times `action_clarify` answered the customer's previous messages in a row."""
    count = 0
    for event in reversed(list(tracker.events or [])):
        if event.get("event") != "action":
            continue
        name = event.get("name")
        if name == "action_listen":
            continue
        if name == CLARIFY_ACTION:
            count += 1
            continue
        break
    return count


class ActionClarify(SafeAction):
    """Answers `nlu_fallback`: asks to rephrase; the second miss in a row goes to a person."""

    def name(self) -> str:
        """Action name used in the domain and rules."""
        return CLARIFY_ACTION

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Ask to rephrase, or hand off with reason `clarification_failed`."""
        if thank_for_csat(dispatcher, tracker):  # a satisfaction score, not a misunderstanding
            return []
        if clarifications_in_a_row(tracker) + 1 >= max_clarifications():
            return handoff_events(dispatcher, tracker, [CLARIFICATION_FAILED], response="utter_handoff_clarify")
        dispatcher.utter_message(response="utter_clarify_in_form" if active_form(tracker) else "utter_clarify")
        return []


class ActionOfferDeclined(SafeAction):
    """The customer said no to the offered person: carry on without one."""

    def name(self) -> str:
        """Action name used in the domain and rules."""
        return "action_offer_declined"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Acknowledge and clear the pending offer."""
        dispatcher.utter_message(response="utter_offer_declined")
        return [SlotSet(PERSON_OFFERED, False), SlotSet(OFFER_REASON, None)]
