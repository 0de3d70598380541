"""Aurora Miles balance: member number and last name, then tier, miles and tier points."""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.form_specs import FORMS
from bot.actions.formatting import loyalty_message
from bot.actions.forms_base import AuroraFormValidation
from bot.actions.submit import FormSubmitAction
from bot.backend.repository import AirlineRepository

SPEC = FORMS["loyalty_balance_form"]


class ValidateLoyaltyBalanceForm(AuroraFormValidation):
    """Nine-digit member number and last name, checked together with the backend."""

    form_spec = SPEC


class ActionSubmitLoyaltyBalance(FormSubmitAction):
    """Reports the account's tier, miles and tier points."""

    form_spec = SPEC

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      repository: AirlineRepository) -> List[EventType]:
        """The account as the backend returns it; remembers the tier (VIP handoff trigger)."""
        account = await repository.loyalty_account(tracker.get_slot("member_number"), tracker.get_slot("last_name"))
        dispatcher.utter_message(text=loyalty_message(account))
        return [SlotSet("loyalty_tier", account.tier)]
