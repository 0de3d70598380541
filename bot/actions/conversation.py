"""Conversation control: stop, goodbye, a bare value typed out of context, session start."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, FollowupAction, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.form_specs import FORM_SLOTS
from bot.actions.handoff_csat import thank_for_csat
from bot.actions.handoff_events import form_reset_events
from bot.actions.safe_action import SafeAction
from bot.actions.slot_values import find_slot
from bot.actions.slots import (
    FORM_OUTCOME,
    INVALID_INPUT,
    OFFER_REASON,
    PERSON_OFFERED,
    REQUESTED_SLOT,
    TRIAGE_DECISION,
)
from bot.actions.tracker_read import active_form, latest_text

# A value typed on its own, outside any form, starts the form it most likely belongs to.
VALUE_ROUTES = (
    ("bag_file_ref", "bag_claim_status_form"),
    ("member_number", "loyalty_balance_form"),
    ("flight_number", "flight_status_form"),
    ("booking_ref", "booking_lookup_form"),
    ("seat", "change_seat_form"),
    ("new_email", "update_email_form"),
    ("flight_date", "flight_status_form"),
)
# Not carried into a new session: the state of an unfinished request, and the routing
# decision of the last message.
SESSION_DROP = frozenset({REQUESTED_SLOT, FORM_OUTCOME, INVALID_INPUT, PERSON_OFFERED, OFFER_REASON,
                          TRIAGE_DECISION, *FORM_SLOTS})


def _stop_events(tracker: Tracker) -> List[EventType]:
    return form_reset_events(tracker) + [SlotSet(INVALID_INPUT, None), SlotSet(PERSON_OFFERED, False),
                                         SlotSet(OFFER_REASON, None)]


class ActionStop(SafeAction):
    """"stop", "cancel that", "never mind": ends whatever form is running; nothing changes."""

    def name(self) -> str:
        """Action name used in the domain and rules."""
        return "action_stop"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        """Stop the form (if any) and say that nothing was changed."""
        dispatcher.utter_message(response="utter_stopped" if active_form(tracker) else "utter_stop_nothing_active")
        return _stop_events(tracker)


class ActionGoodbye(SafeAction):
    """Says goodbye and closes any unfinished request."""

    def name(self) -> str:
        """Action name used in the domain and rules."""
        return "action_goodbye"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        """Goodbye; an open form is closed rather than asked again."""
        dispatcher.utter_message(response="utter_goodbye")
        return _stop_events(tracker)


class ActionRouteInform(SafeAction):
    """A bare value ("K7P2QX", "AU451") outside a form starts the form it belongs to."""

    def name(self) -> str:
        """Action name used in the domain and rules."""
        return "action_route_inform"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        """Start the matching form, or ask what the customer would like to do."""
        if thank_for_csat(dispatcher, tracker):  # "4" answering the satisfaction question
            return []
        if active_form(tracker):
            dispatcher.utter_message(response="utter_clarify_in_form")
            return []
        text = latest_text(tracker)
        for slot, form in VALUE_ROUTES:
            if find_slot(slot, text, dt.date.today()) is not None:
                return [SlotSet(REQUESTED_SLOT, None), FollowupAction(form)]
        dispatcher.utter_message(response="utter_inform_without_context")
        return []


class ActionSessionStart(Action):
    """Starts a new session carrying over what the customer told us, not unfinished requests."""

    def name(self) -> str:
        """The default session start action, overridden."""
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        """SessionStarted, the carried-over slots, then listen."""
        events: List[EventType] = [SessionStarted()]
        config: Dict[str, Any] = domain.get("session_config") or {}
        if config.get("carry_over_slots_to_new_session", True):
            for name, value in (tracker.slots or {}).items():
                if name not in SESSION_DROP and value is not None:
                    events.append(SlotSet(name, value))
        events.append(ActionExecuted("action_listen"))
        return events
