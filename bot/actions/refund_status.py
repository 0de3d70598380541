"""Refund status: verify the booking, then report its newest refund."""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.form_specs import FORMS
from bot.actions.formatting import refund_message
from bot.actions.forms_base import AuroraFormValidation
from bot.actions.submit import FormSubmitAction
from bot.backend.repository import AirlineRepository

SPEC = FORMS["refund_status_form"]


class ValidateRefundStatusForm(AuroraFormValidation):
    """Booking reference and last name, checked together with the backend."""

    form_spec = SPEC


class ActionSubmitRefundStatus(FormSubmitAction):
    """Reports the refunds the backend holds for the booking (or that there are none)."""

    form_spec = SPEC

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      repository: AirlineRepository) -> List[EventType]:
        """Newest refund first, as the backend orders them."""
        refunds = await repository.refund_status(tracker.get_slot("booking_ref"), tracker.get_slot("last_name"))
        dispatcher.utter_message(text=refund_message(refunds))
        return []
