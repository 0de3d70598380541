"""Handing a conversation to a person: `action_handoff`, `action_clarify` and their shared logic.

The assistant stops whatever it was doing, tells the customer honestly that a person from
the team will follow up in this conversation, records why in the `handoff_active` and
`handoff_reasons` slots, and hands over to `action_handoff_ticket`
(bot/actions/handoff_ticket.py), which queues the ticket with its dossier, tells the
customer the expected wait and pauses the bot until an agent resolves the ticket.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Iterable, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    FORM_OUTCOME,
    HANDOFF_ACTIVE,
    HANDOFF_REASONS,
    INVALID_INPUT,
    OFFER_REASON,
    PERSON_OFFERED,
    REQUESTED_SLOT,
    SafeAction,
    active_form,
    channel_of,
    is_public,
    latest_intent,
)
from bot.actions.form_specs import FORMS

logger = logging.getLogger(__name__)

CLARIFY_ACTION = "action_clarify"
TICKET_ACTION = "action_handoff_ticket"
MAX_CLARIFICATIONS = 2  # default; bot/handoff.yml `failed_clarifications` overrides


def max_clarifications() -> int:
    """Failed clarifications in a row that go to a person (handoff.yml, default 2)."""
    try:
        from handoff.triggers import load_handoff_policy

        return max(1, int(load_handoff_policy().failed_clarifications))
    except Exception as exc:  # noqa: BLE001 - a broken file must not break clarifying
        logger.warning("handoff policy unavailable: %s", type(exc).__name__)
        return MAX_CLARIFICATIONS


def triage_reasons(tracker: Tracker) -> List[str]:
    """The routing decision's reasons for the latest message, when it says "hand off"."""
    try:
        from handoff.triggers import triage_latest

        decision = triage_latest(tracker.latest_message or {}, channel_of(tracker),
                                 in_form=active_form(tracker) is not None, tier=tracker.get_slot("loyalty_tier"))
    except Exception as exc:  # noqa: BLE001 - reasons are a record, never a reason to fail
        logger.warning("triage unavailable: %s", type(exc).__name__)
        return []
    return list(decision.reasons) if decision.handoff else []


def handoff_slot_values(tracker: Tracker, reasons: Iterable[str]) -> Dict[str, Any]:
    """Slot values that record a handoff and reset the form bookkeeping."""
    previous = tracker.get_slot(HANDOFF_REASONS) or []
    merged = list(dict.fromkeys([*previous, *reasons])) if tracker.get_slot(HANDOFF_ACTIVE) else list(reasons)
    return {
        HANDOFF_ACTIVE: True,
        HANDOFF_REASONS: merged,
        PERSON_OFFERED: False,
        OFFER_REASON: None,
        INVALID_INPUT: None,
    }


def form_reset_events(tracker: Tracker) -> List[EventType]:
    """Deactivate the active form (if any) and forget its values (a verified booking stays)."""
    events: List[EventType] = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None), SlotSet(FORM_OUTCOME, None)]
    spec = FORMS.get(active_form(tracker) or "")
    if spec is not None:
        events.extend(SlotSet(slot, None) for slot in spec.slots if tracker.get_slot(slot) is not None)
    return events


def handoff_events(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    reasons: Iterable[str],
    response: Optional[str] = None,
) -> List[EventType]:
    """Tell the customer a person takes over, stop any form, record the reasons, and
    follow up with `action_handoff_ticket` (queue, wait estimate, pause)."""
    reasons = [r for r in reasons if r] or ["unspecified"]
    if response is None:
        response = "utter_handoff_public" if is_public(tracker) else "utter_handoff"
    dispatcher.utter_message(response=response)
    logger.info("handoff: %s", ",".join(reasons))
    values = handoff_slot_values(tracker, reasons)
    return form_reset_events(tracker) + [SlotSet(k, v) for k, v in values.items()] + [FollowupAction(TICKET_ACTION)]


def handoff_reasons_for(tracker: Tracker) -> List[str]:
    """Why `action_handoff` runs now: the triage reasons, else the intent or accepted offer."""
    reasons = triage_reasons(tracker)
    if reasons:
        return reasons
    intent, confidence = latest_intent(tracker)
    if tracker.get_slot(PERSON_OFFERED) and intent == "affirm":
        offer = tracker.get_slot(OFFER_REASON)
        return ["accepted_offer"] + ([str(offer)] if offer else [])
    return [f"intent:{intent}@{confidence:.2f}"] if intent else ["unspecified"]


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
        from bot.actions.handoff_csat import thank_for_csat

        if thank_for_csat(dispatcher, tracker):  # a satisfaction score, not a misunderstanding
            return []
        if clarifications_in_a_row(tracker) + 1 >= max_clarifications():
            return handoff_events(dispatcher, tracker, ["clarification_failed"], response="utter_handoff_clarify")
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
