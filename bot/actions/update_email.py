"""Contact email change: verify the booking, ask for the new address, then update it."""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.form_specs import FORMS
from bot.actions.formatting import mask_email
from bot.actions.forms_base import AuroraFormValidation
from bot.actions.submit import FormSubmitAction
from bot.backend.repository import AirlineRepository

SPEC = FORMS["update_email_form"]


class ValidateUpdateEmailForm(AuroraFormValidation):
    """Booking reference, last name and a plausible new email address."""

    form_spec = SPEC


class ActionSubmitUpdateEmail(FormSubmitAction):
    """Changes the booking's contact email and confirms it (masked)."""

    form_spec = SPEC

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      repository: AirlineRepository) -> List[EventType]:
        """Update the email and confirm what the backend now holds."""
        reference, last_name, email = (tracker.get_slot(s) for s in SPEC.slots)
        booking = await repository.update_email(reference, last_name, email)
        dispatcher.utter_message(response="utter_email_updated", booking_ref=booking.reference,
                                 email=mask_email(booking.contact_email))
        return []
