"""What every transactional form's validation action shares.

* Extraction (`extract_<slot>`): values are picked out of the customer's message, including
  the message that started the form, so nothing already said is asked again. Messages of
  another topic are left alone (the form is then interrupted), unless the topic guess is
  weak and the message reads as a valid answer to the question just asked.
* Validation (`validate_<slot>`): normalises values; an invalid answer is re-asked with
  specific help; the third invalid answer in a row stops the form and offers a person.
* Identity: a booking reference (bag file, member number) and a last name are checked
  together with the backend before anything is shown; a mismatch clears both and says so
  without saying which part was wrong. A verified booking is reused by later forms.
* Any backend outage stops the form with an honest apology and a handoff to a person.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from bot.actions import slot_values
from bot.actions.backend import get_repository
from bot.actions.form_extraction import ExtractionMixin
from bot.actions.form_specs import BOOKING, IDENTITY_SLOTS, MAX_ATTEMPTS
from bot.actions.handoff_events import handoff_slot_values
from bot.actions.parsing import find_other_airline_flight, parse_yes_no
from bot.actions.slots import (
    FORM_OUTCOME,
    INVALID_INPUT,
    OFFER_REASON,
    PERSON_OFFERED,
    REQUESTED_SLOT,
    VERIFIED_BOOKING,
)
from bot.actions.tracker_read import is_public
from bot.backend.errors import BackendError, NotFound
from bot.backend.rules import names_match
from handoff.reasons import flag

logger = logging.getLogger(__name__)


def verified_pair(tracker: Tracker, reference: Any, last_name: Any) -> bool:
    """True when this reference and last name were verified earlier in the conversation."""
    verified = tracker.get_slot(VERIFIED_BOOKING) or {}
    return (bool(reference) and isinstance(verified, dict) and verified.get("reference") == reference
            and names_match(str(last_name or ""), str(verified.get("last_name") or "")))


class AuroraFormValidation(ExtractionMixin, FormValidationAction):
    """Base of the `validate_<form>` actions; a subclass sets `form_spec`."""

    def name(self) -> Text:
        """`validate_<form name>`."""
        return self.form_spec.validation_action

    def today(self) -> dt.date:
        """The reference day for relative dates (a method so tests can pin it)."""
        return dt.date.today()

    # -- validation --------------------------------------------------------------------------

    def _strikes(self, tracker: Tracker, key: str) -> int:
        record = tracker.get_slot(INVALID_INPUT) or {}
        return int(record.get("count", 0)) if isinstance(record, dict) and record.get("slot") == key else 0

    def _strike(self, key: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                response: str, cleared: Dict[Text, Any], **kwargs: Any) -> Dict[Text, Any]:
        """Count an invalid answer; the third in a row stops the form and offers a person."""
        count = self._strikes(tracker, key) + 1
        if count >= MAX_ATTEMPTS:
            logger.info("form %s stopped after %d invalid %s", self.form_spec.name, count, key)
            dispatcher.utter_message(response="utter_offer_person")
            return {**cleared, INVALID_INPUT: None, FORM_OUTCOME: "too_many_attempts",
                    PERSON_OFFERED: True, OFFER_REASON: flag("invalid_input", f"{key}x{count}").as_json()}
        dispatcher.utter_message(response=response, **kwargs)
        return {**cleared, INVALID_INPUT: {"slot": key, "count": count}}

    def _valid(self, slot: str, value: Any, tracker: Tracker) -> Dict[Text, Any]:
        result: Dict[Text, Any] = {slot: value}
        if self._strikes(tracker, slot):
            result[INVALID_INPUT] = None
        return result

    def _validate_value(self, slot: str, value: Any, dispatcher: CollectingDispatcher,
                        tracker: Tracker) -> Dict[Text, Any]:
        if value is None or str(value).strip() == "":
            return {slot: None}
        text, today = str(value), self.today()
        parsed = slot_values.parse_slot(slot, text, today)
        if slot == "flight_date" and parsed and not slot_values.date_in_window(parsed, today):
            return self._strike(slot, dispatcher, tracker, "utter_help_flight_date_range", {slot: None})
        if parsed is not None:
            return self._valid(slot, parsed, tracker)
        other = find_other_airline_flight(text) if slot == "flight_number" else None
        if other:
            return self._strike(slot, dispatcher, tracker, "utter_help_other_airline", {slot: None}, flight=other)
        return self._strike(slot, dispatcher, tracker, f"utter_help_{slot}", {slot: None})

    def _validate_confirm(self, slot: str, value: Any, dispatcher: CollectingDispatcher,
                          tracker: Tracker) -> Dict[Text, Any]:
        if isinstance(value, bool) or value is None:
            return {slot: value}
        answer = parse_yes_no(str(value))
        if answer is None:
            return self._strike(slot, dispatcher, tracker, "utter_help_confirm", {slot: None})
        return self._valid(slot, answer, tracker)

    async def validate_booking_ref(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Six letters/digits, upper case."""
        return self._validate_value("booking_ref", value, dispatcher, tracker)

    async def validate_last_name(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Letters, spaces, hyphens, apostrophes; 1-40 characters."""
        return self._validate_value("last_name", value, dispatcher, tracker)

    async def validate_flight_number(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """AU + 1-4 digits; another airline's number gets its own explanation."""
        return self._validate_value("flight_number", value, dispatcher, tracker)

    async def validate_flight_date(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """A date from a week ago to a year ahead, stored as ISO."""
        return self._validate_value("flight_date", value, dispatcher, tracker)

    async def validate_seat(self, value: Any, dispatcher: CollectingDispatcher,
                            tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Row 1-40 and letter A-F."""
        return self._validate_value("seat", value, dispatcher, tracker)

    async def validate_new_email(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """A plausible email address."""
        return self._validate_value("new_email", value, dispatcher, tracker)

    async def validate_bag_file_ref(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Airport code + AU + 5 digits."""
        return self._validate_value("bag_file_ref", value, dispatcher, tracker)

    async def validate_member_number(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Nine digits."""
        return self._validate_value("member_number", value, dispatcher, tracker)

    async def validate_cancel_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                        tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Yes or no."""
        return self._validate_confirm("cancel_confirmed", value, dispatcher, tracker)

    async def validate_add_bag_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                         tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Yes or no."""
        return self._validate_confirm("add_bag_confirmed", value, dispatcher, tracker)

    # -- identity ----------------------------------------------------------------------------

    async def _verify_identity(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        kind = self.form_spec.identity
        if not kind:
            return {}
        ref_slot, name_slot = IDENTITY_SLOTS[kind]
        reference, last_name = tracker.slots.get(ref_slot), tracker.slots.get(name_slot)
        if not reference or not last_name or (kind == BOOKING and verified_pair(tracker, reference, last_name)):
            return {}
        try:
            repository = get_repository()
            if kind == BOOKING:
                booking = await repository.find_booking(reference, last_name)
                verified = {"reference": booking.reference, "last_name": last_name}
                return {VERIFIED_BOOKING: verified, **self._clear_identity_strikes(tracker)}
            if kind == "bag_file":
                await repository.bag_file(reference, last_name)
            else:
                await repository.loyalty_account(reference, last_name)
            return self._clear_identity_strikes(tracker)
        except NotFound:
            return self._strike("identity", dispatcher, tracker, f"utter_{kind}_not_found",
                                {ref_slot: None, name_slot: None})
        except BackendError:
            logger.error("backend error while verifying identity in %s", self.form_spec.name)
            dispatcher.utter_message(response="utter_handoff_backend")
            return {FORM_OUTCOME: "handoff", **handoff_slot_values(tracker, [flag("backend_error")])}

    def _clear_identity_strikes(self, tracker: Tracker) -> Dict[Text, Any]:
        return {INVALID_INPUT: None} if self._strikes(tracker, "identity") else {}

    # -- the loop ----------------------------------------------------------------------------

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        """Validate each slot, then check reference and name together with the backend."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        if tracker.slots.get(FORM_OUTCOME):
            return events
        extra = await self._verify_identity(dispatcher, tracker)
        if extra:
            tracker.slots.update(extra)
            events = [e for e in events if e.get("name") not in extra]
            events += [SlotSet(key, value) for key, value in extra.items()]
        return events

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        """The form's slots, or none once the form has been stopped (which ends it)."""
        return [] if tracker.slots.get(FORM_OUTCOME) else domain_slots

    async def next_requested_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Optional[EventType]:
        """Always name the next slot to ask for (None ends the form)."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        return SlotSet(REQUESTED_SLOT, next((s for s in required if tracker.slots.get(s) is None), None))

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        """Validate this turn; never crash: an unexpected error ends the form with a handoff."""
        events: List[EventType] = []
        try:
            turn = self._turn(tracker)
            if turn.activation:
                if is_public(tracker):
                    dispatcher.utter_message(response="utter_move_to_dm")
                    return [SlotSet(FORM_OUTCOME, "moved_to_dm"), SlotSet(REQUESTED_SLOT, None)]
                for slot in (FORM_OUTCOME, INVALID_INPUT):
                    if tracker.slots.get(slot) is not None:
                        tracker.slots[slot] = None
                        events.append(SlotSet(slot, None))
            events += await super().run(dispatcher, tracker, domain)
            if turn.intent == self.form_spec.intent and not turn.activation and not turn.resume and not any(
                    e.get("name") != REQUESTED_SLOT for e in events):
                # Asked again for what this form is doing: carry on (re-ask), never reject.
                events.append(SlotSet(INVALID_INPUT, tracker.get_slot(INVALID_INPUT)))
            return events
        except Exception as exc:  # noqa: BLE001 - the customer must never meet a stack trace
            logger.error("validation of %s failed: %s", self.form_spec.name, type(exc).__name__)
            dispatcher.utter_message(response="utter_handoff_error")
            values = {FORM_OUTCOME: "handoff", **handoff_slot_values(tracker, [flag("action_error")])}
            return events + [SlotSet(k, v) for k, v in values.items()] + [SlotSet(REQUESTED_SLOT, None)]
