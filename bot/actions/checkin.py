"""Online check-in: verify the booking, then check everyone in on the next flight."""
from __future__ import annotations

import datetime as dt
from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.form_specs import FORMS
from bot.actions.formatting import checkin_message, checkin_opens_at, clock, day, next_flight
from bot.actions.forms_base import AuroraFormValidation
from bot.actions.submit import FormSubmitAction
from bot.backend.errors import BackendError, NotAllowed
from bot.backend.repository import AirlineRepository

SPEC = FORMS["online_checkin_form"]


class ValidateOnlineCheckinForm(AuroraFormValidation):
    """Booking reference and last name, checked together with the backend."""

    form_spec = SPEC


class ActionSubmitOnlineCheckin(FormSubmitAction):
    """Checks the booking in, or explains when check-in opens or why it cannot."""

    form_spec = SPEC

    def now(self) -> dt.datetime:
        """Local time now (a method so tests can pin it)."""
        return dt.datetime.now()

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      repository: AirlineRepository) -> List[EventType]:
        """Check in and send the seats and boarding-pass link the backend returned."""
        result = await repository.check_in(tracker.get_slot("booking_ref"), tracker.get_slot("last_name"))
        dispatcher.utter_message(text=checkin_message(result))
        return []

    async def on_not_allowed(self, error: NotAllowed, dispatcher: CollectingDispatcher,
                             tracker: Tracker, repository: AirlineRepository) -> List[EventType]:
        """"Not open yet" says when it opens, computed from the booking's next flight."""
        if error.reason != "checkin_not_open":
            return await super().on_not_allowed(error, dispatcher, tracker, repository)
        try:
            booking = await repository.find_booking(tracker.get_slot("booking_ref"), tracker.get_slot("last_name"))
        except BackendError:
            booking = None
        flight = next_flight(booking, self.now()) if booking else None
        if flight is None:
            dispatcher.utter_message(response="utter_checkin_not_open_generic")
            return []
        opens = checkin_opens_at(flight)
        dispatcher.utter_message(response="utter_checkin_not_open", flight=flight.flight_number,
                                 flight_day=day(flight.date), opens_time=clock(opens), opens_day=day(opens.date()))
        return []
