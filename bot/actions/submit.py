"""What every transactional form's submit action shares.

A submit action runs whenever its form ends. When the form was stopped early (too many
invalid answers, a backend outage, a move to private messages) it only tidies up: the
validation action has already told the customer. Otherwise it performs the real backend
query and reports exactly what the backend returned.
"""
from __future__ import annotations

import logging
from abc import abstractmethod
from typing import Any, ClassVar, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.backend import get_repository
from bot.actions.form_specs import FormSpec
from bot.actions.handoff_events import TICKET_ACTION, handoff_events
from bot.actions.safe_action import SafeAction
from bot.actions.slots import FORM_OUTCOME, INVALID_INPUT, REQUESTED_SLOT, VERIFIED_BOOKING
from bot.backend.errors import BackendError, NotAllowed, NotFound
from bot.backend.repository import AirlineRepository
from handoff.reasons import flag

logger = logging.getLogger(__name__)

BACKEND_ERROR = flag("backend_error")

# Customer messages for the backend's NotAllowed reasons (responses in the domain).
NOT_ALLOWED_RESPONSES: Dict[str, str] = {
    "already_cancelled": "utter_not_allowed_already_cancelled",
    "travel_started": "utter_not_allowed_travel_started",
    "cancelled": "utter_not_allowed_cancelled",
    "no_upcoming_flight": "utter_not_allowed_no_upcoming_flight",
    "checkin_closed": "utter_not_allowed_checkin_closed",
    "already_checked_in": "utter_not_allowed_already_checked_in",
    "seat_taken": "utter_not_allowed_seat_taken",
    "invalid_seat": "utter_help_seat",
    "invalid_email": "utter_help_new_email",
}


def not_allowed_response(reason: str) -> Optional[str]:
    """The response that explains a NotAllowed reason, or None for unknown reasons."""
    return NOT_ALLOWED_RESPONSES.get(reason)


def slots_of(tracker: Tracker, spec: FormSpec) -> Dict[str, Any]:
    """The form's slot values."""
    return {slot: tracker.get_slot(slot) for slot in spec.slots}


class FormSubmitAction(SafeAction):
    """Base of the `action_submit_<intent>` actions; a subclass sets `form_spec` and `perform`."""

    form_spec: ClassVar[FormSpec]

    def name(self) -> str:
        """`action_submit_<intent>`."""
        return self.form_spec.submit_action

    @abstractmethod
    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      repository: AirlineRepository) -> List[EventType]:
        """Query or change the backend and tell the customer; may raise backend errors."""

    async def on_not_allowed(self, error: NotAllowed, dispatcher: CollectingDispatcher,
                             tracker: Tracker, repository: AirlineRepository) -> List[EventType]:
        """Explain why the backend refused; subclasses add reasons of their own."""
        response = not_allowed_response(error.reason)
        if response is None:
            logger.warning("unhandled NotAllowed reason %s in %s", error.reason, self.name())
            return handoff_events(dispatcher, tracker, [flag("not_allowed", error.reason)])
        kwargs = {"seat": tracker.get_slot("seat")} if error.reason == "seat_taken" else {}
        dispatcher.utter_message(response=response, **kwargs)
        return []

    def cleanup_events(self, tracker: Tracker) -> List[EventType]:
        """Forget this request's values; a verified booking stays in `verified_booking`."""
        events = [SlotSet(slot, None) for slot in self.form_spec.slots if tracker.get_slot(slot) is not None]
        for slot in (FORM_OUTCOME, INVALID_INPUT):
            if tracker.get_slot(slot) is not None:
                events.append(SlotSet(slot, None))
        return events

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        """Run the backend request unless the form was stopped; always tidy up."""
        cleanup = self.cleanup_events(tracker)
        values = slots_of(tracker, self.form_spec)
        if tracker.get_slot(FORM_OUTCOME) == "handoff":  # the form handed off (backend error)
            return cleanup + [FollowupAction(TICKET_ACTION)]
        if tracker.get_slot(FORM_OUTCOME) or any(v is None for v in values.values()):
            return cleanup
        repository: Optional[AirlineRepository] = None
        try:
            repository = get_repository()
            return cleanup + await self.perform(dispatcher, tracker, repository)
        except NotFound:
            kind = self.form_spec.identity or "details"
            dispatcher.utter_message(response=f"utter_{kind}_not_found")
            return cleanup + [SlotSet(VERIFIED_BOOKING, None)]
        except NotAllowed as error:
            return cleanup + await self.on_not_allowed(error, dispatcher, tracker, repository)
        except BackendError:
            logger.error("backend error in %s", self.name())
            return cleanup + handoff_events(dispatcher, tracker, [BACKEND_ERROR], response="utter_handoff_backend")


class QuoteAskAction(SafeAction):
    """Asks a form's yes/no question after showing the backend's quote (`action_ask_<slot>`).

    When the backend refuses to quote (already cancelled, journey started, ...) the form
    stops with the reason explained; it never asks to confirm something that cannot happen.
    """

    form_spec: ClassVar[FormSpec]
    question: ClassVar[str]  # the response that asks yes/no

    def name(self) -> str:
        """`action_ask_<confirm slot>`."""
        return f"action_ask_{self.form_spec.confirm_slot}"

    @abstractmethod
    async def quote(self, repository: AirlineRepository, reference: str, last_name: str) -> str:
        """The quote to show, as a sentence; may raise backend errors."""

    @staticmethod
    def _stop(outcome: str) -> List[EventType]:
        return [SlotSet(FORM_OUTCOME, outcome), SlotSet(REQUESTED_SLOT, None)]

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        """Show the quote and ask, or explain why it cannot be done and stop the form."""
        reference, last_name = tracker.get_slot("booking_ref"), tracker.get_slot("last_name")
        try:
            text = await self.quote(get_repository(), reference, last_name)
        except NotFound:
            dispatcher.utter_message(response="utter_booking_not_found")
            return self._stop("not_found") + [SlotSet(VERIFIED_BOOKING, None)]
        except NotAllowed as error:
            response = not_allowed_response(error.reason)
            if response is None:
                return handoff_events(dispatcher, tracker, [flag("not_allowed", error.reason)])
            dispatcher.utter_message(response=response)
            return self._stop("not_allowed")
        except BackendError:
            logger.error("backend error in %s", self.name())
            return handoff_events(dispatcher, tracker, [BACKEND_ERROR], response="utter_handoff_backend")
        dispatcher.utter_message(text=text)
        dispatcher.utter_message(response=self.question)
        return []
