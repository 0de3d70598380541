"""Seat change: `change_seat_form` verifies the booking, asks for the seat, then moves the passenger."""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.form_specs import FORMS
from bot.actions.forms_base import AuroraFormValidation
from bot.actions.submit import FormSubmitAction
from bot.backend.repository import AirlineRepository

SPEC = FORMS["change_seat_form"]


class ValidateChangeSeatForm(AuroraFormValidation):
    """Booking reference, last name and the wanted seat (rows 1-40, letters A-F)."""

    form_spec = SPEC


class ActionSubmitChangeSeat(FormSubmitAction):
    """Moves the named passenger to the seat on the next flight."""

    form_spec = SPEC

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      repository: AirlineRepository) -> List[EventType]:
        """Change the seat and confirm it with the flight it applies to."""
        reference, last_name, seat = (tracker.get_slot(s) for s in SPEC.slots)
        booking = await repository.change_seat(reference, last_name, seat)
        flight = next((f.flight_number for p in booking.passengers for f, s in zip(booking.flights, p.seats)
                       if s == seat), None)
        dispatcher.utter_message(response="utter_seat_changed", seat=seat, booking_ref=booking.reference,
                                 flight=f" on {flight}" if flight else "")
        return []
