"""Picking form values out of the customer's messages (the `extract_<slot>` methods).

Values are taken from the message that started the form and from every answer, so the
customer is never asked again for something already said. A message of another topic is
left alone (the form is then interrupted and resumes after the answer), unless the topic
guess is weak and the message reads as a valid answer to the question just asked. When a
form starts, a verified booking is reused and values of earlier requests are forgotten.
"""
from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import slot_values
from bot.actions.form_specs import BOOKING, FormSpec
from bot.actions.parsing import find_other_airline_flight, parse_yes_no
from bot.actions.slots import REQUESTED_SLOT, VERIFIED_BOOKING
from bot.actions.tracker_read import events_since_user, last_slot_event_value, latest_intent, latest_text
from handoff.config import load_handoff_policy

VALUE_INTENTS = ("inform", "nlu_fallback")
# A request ("cancel K7P2QX smith") this short may carry a bare last name beside the values.
MAX_WORDS_NAME_BESIDE_VALUES = 4


@dataclass(frozen=True)
class Turn:
    """The customer's latest message as the form sees it."""

    text: str
    intent: str
    confidence: float
    requested: Optional[str]
    activation: bool  # the form starts with this message
    resume: bool  # the form comes back after answering something else
    today: dt.date


def confident_bar() -> float:
    """Intent confidence above which a message of another topic interrupts the form."""
    try:
        return float(load_handoff_policy().handoff_intent_confidence_in_form)
    except Exception:  # noqa: BLE001 - a missing threshold file must not break forms
        return 0.8


class ExtractionMixin(ABC):
    """The `extract_<slot>` half of a form validation action."""

    @property
    @abstractmethod
    def form_spec(self) -> FormSpec:
        """The form this action serves (a class attribute in each subclass)."""

    @abstractmethod
    def name(self) -> Text:
        """`validate_<form name>`."""

    @abstractmethod
    def today(self) -> dt.date:
        """The reference day for relative dates."""

    # -- the customer's message --------------------------------------------------------------

    def _turn(self, tracker: Tracker) -> Turn:
        since = events_since_user(tracker)
        activation = any(e.get("event") == "active_loop" and e.get("name") == self.form_spec.name
                         for e in since)
        own = {"action_listen", self.form_spec.name, self.name()}
        resume = not activation and any(e.get("event") == "action" and e.get("name") not in own
                                        for e in since)
        intent, confidence = latest_intent(tracker)
        requested = None if activation else tracker.get_slot(REQUESTED_SLOT)
        return Turn(latest_text(tracker), intent, confidence, requested, activation, resume, self.today())

    def _speaks_to_this_form(self, turn: Turn) -> bool:
        return turn.intent in (self.form_spec.intent, *VALUE_INTENTS)

    def _value_in_message(self, slot: str, turn: Turn) -> Optional[Any]:
        if self._speaks_to_this_form(turn):
            if slot == "last_name":
                bare = turn.intent in VALUE_INTENTS
                short = bare or len(turn.text.split()) <= MAX_WORDS_NAME_BESIDE_VALUES
                values = slot_values.identifiers_in(turn.text) if short else []
                return slot_values.name_beside_values(turn.text, values, tail_only=not bare)
            return slot_values.find_slot(slot, turn.text, turn.today)
        if slot == turn.requested and turn.confidence < confident_bar():
            return slot_values.parse_slot(slot, turn.text, turn.today)
        return None

    def _carry_over(self, slot: str, tracker: Tracker) -> Dict[Text, Any]:
        """At activation: reuse the verified booking, forget values of earlier requests."""
        current = tracker.get_slot(slot)
        verified = tracker.get_slot(VERIFIED_BOOKING) or {}
        if slot == "booking_ref":
            return {slot: verified["reference"]} if current is None and verified else {}
        if slot == "last_name":
            if self.form_spec.identity != BOOKING:
                return {}
            ref_now = tracker.slots.get("booking_ref")
            named_other = ref_now != last_slot_event_value(tracker, "booking_ref")
            if verified and ref_now == verified.get("reference"):
                return {slot: verified["last_name"]} if current is None or named_other else {}
            return {slot: None} if named_other and current is not None else {}
        return {slot: None} if current is not None else {}

    def _extract(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        turn = self._turn(tracker)
        if turn.resume:
            return {}
        if slot == self.form_spec.confirm_slot:
            if turn.activation:
                return {slot: None} if tracker.get_slot(slot) is not None else {}
            if turn.requested == slot and turn.intent not in ("affirm", "deny") and (
                    self._speaks_to_this_form(turn) or turn.confidence < confident_bar()):
                answer = parse_yes_no(turn.text)
                return {slot: answer} if answer is not None else {}
            return {}
        value = self._value_in_message(slot, turn)
        if value is not None:
            return {slot: value}
        if slot == "flight_number" and turn.requested != slot and self._speaks_to_this_form(turn):
            other = find_other_airline_flight(turn.text)
            if other:
                dispatcher.utter_message(response="utter_help_other_airline", flight=other)
        return self._carry_over(slot, tracker) if turn.activation else {}

    async def extract_booking_ref(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        """Booking reference from the message, or the verified one when a form starts."""
        return self._extract("booking_ref", dispatcher, tracker)

    async def extract_last_name(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        """Last name ("surname Smith", "K7P2QX smith"), or the verified one."""
        return self._extract("last_name", dispatcher, tracker)

    async def extract_flight_number(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        """AU flight number from the message ("where is au 451")."""
        return self._extract("flight_number", dispatcher, tracker)

    async def extract_flight_date(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        """Date from the message ("tmrw", "next friday")."""
        return self._extract("flight_date", dispatcher, tracker)

    async def extract_seat(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[Text, Any]:
        """Seat from the message ("move me to 14C")."""
        return self._extract("seat", dispatcher, tracker)

    async def extract_new_email(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        """New email address from the message."""
        return self._extract("new_email", dispatcher, tracker)

    async def extract_bag_file_ref(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        """Delayed-bag file reference from the message."""
        return self._extract("bag_file_ref", dispatcher, tracker)

    async def extract_member_number(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        """Aurora Miles number from the message."""
        return self._extract("member_number", dispatcher, tracker)

    async def extract_cancel_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[Text, Any]:
        """Yes/no typed in words the NLU did not read as affirm/deny."""
        return self._extract("cancel_confirmed", dispatcher, tracker)

    async def extract_add_bag_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> Dict[Text, Any]:
        """Yes/no typed in words the NLU did not read as affirm/deny."""
        return self._extract("add_bag_confirmed", dispatcher, tracker)
