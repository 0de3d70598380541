"""Flight status: `flight_status_form` asks for the AU flight number and the date."""
from __future__ import annotations

import datetime as dt
from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.form_specs import FORMS
from bot.actions.formatting import day, flight_status_message
from bot.actions.forms_base import AuroraFormValidation
from bot.actions.submit import FormSubmitAction
from bot.backend.repository import AirlineRepository

SPEC = FORMS["flight_status_form"]


class ValidateFlightStatusForm(AuroraFormValidation):
    """Flight number ("au 0451" -> AU451) and date ("tmrw", "next friday")."""

    form_spec = SPEC


class ActionSubmitFlightStatus(FormSubmitAction):
    """Looks the flight up and reports exactly what the backend says."""

    form_spec = SPEC

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      repository: AirlineRepository) -> List[EventType]:
        """Status of the flight on that date, or that it does not operate then."""
        number = tracker.get_slot("flight_number")
        date = dt.date.fromisoformat(tracker.get_slot("flight_date"))
        flight = await repository.flight_status(number, date)
        if flight is None:
            dispatcher.utter_message(response="utter_flight_not_found", flight_number=number, date=day(date))
            return []
        dispatcher.utter_message(text=flight_status_message(flight))
        return []
