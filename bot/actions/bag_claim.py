"""Delayed-bag claim status: file reference (e.g. LGWAU12345) and last name, then the file."""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.form_specs import FORMS
from bot.actions.formatting import bag_file_message
from bot.actions.forms_base import AuroraFormValidation
from bot.actions.submit import FormSubmitAction
from bot.backend.repository import AirlineRepository

SPEC = FORMS["bag_claim_status_form"]


class ValidateBagClaimStatusForm(AuroraFormValidation):
    """Bag file reference and last name, checked together with the backend."""

    form_spec = SPEC


class ActionSubmitBagClaimStatus(FormSubmitAction):
    """Reports the delayed-bag file's status, last update and delivery estimate."""

    form_spec = SPEC

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      repository: AirlineRepository) -> List[EventType]:
        """The file as the backend returns it."""
        bag = await repository.bag_file(tracker.get_slot("bag_file_ref"), tracker.get_slot("last_name"))
        dispatcher.utter_message(text=bag_file_message(bag))
        return []
