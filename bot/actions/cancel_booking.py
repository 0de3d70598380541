"""Cancellation: verify the booking, show the refund quote, cancel only after a clear yes."""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.form_specs import FORMS
from bot.actions.formatting import cancellation_quote_message, refund_opened_message
from bot.actions.forms_base import AuroraFormValidation
from bot.actions.submit import FormSubmitAction, QuoteAskAction
from bot.backend.repository import AirlineRepository

SPEC = FORMS["cancel_booking_form"]


class ValidateCancelBookingForm(AuroraFormValidation):
    """Booking reference, last name, then the customer's yes/no to the quote."""

    form_spec = SPEC


class ActionAskCancelConfirmed(QuoteAskAction):
    """Shows what cancelling would refund (`quote_cancellation`) and asks to confirm."""

    form_spec = SPEC
    question = "utter_ask_cancel_confirmed"

    async def quote(self, repository: AirlineRepository, reference: str, last_name: str) -> str:
        """The refund quote as a sentence."""
        return cancellation_quote_message(await repository.quote_cancellation(reference, last_name))


class ActionSubmitCancelBooking(FormSubmitAction):
    """Cancels on yes; on no, confirms nothing changed."""

    form_spec = SPEC

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      repository: AirlineRepository) -> List[EventType]:
        """Cancel and report the refund the backend opened."""
        reference = tracker.get_slot("booking_ref")
        if tracker.get_slot("cancel_confirmed") is not True:
            dispatcher.utter_message(response="utter_cancel_kept", booking_ref=reference)
            return []
        refund = await repository.cancel_booking(reference, tracker.get_slot("last_name"))
        dispatcher.utter_message(text=refund_opened_message(refund))
        return []
