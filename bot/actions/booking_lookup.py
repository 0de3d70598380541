"""Booking look-up: `booking_lookup_form` verifies reference and last name, then shows the booking."""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.form_specs import FORMS
from bot.actions.formatting import booking_summary
from bot.actions.forms_base import AuroraFormValidation
from bot.actions.submit import FormSubmitAction
from bot.backend.repository import AirlineRepository

SPEC = FORMS["booking_lookup_form"]


class ValidateBookingLookupForm(AuroraFormValidation):
    """Booking reference and last name, checked together with the backend."""

    form_spec = SPEC


class ActionSubmitBookingLookup(FormSubmitAction):
    """Shows the verified booking's flights, passengers and seats."""

    form_spec = SPEC

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      repository: AirlineRepository) -> List[EventType]:
        """The booking as the backend returns it."""
        booking = await repository.find_booking(tracker.get_slot("booking_ref"), tracker.get_slot("last_name"))
        dispatcher.utter_message(text=booking_summary(booking))
        return []
