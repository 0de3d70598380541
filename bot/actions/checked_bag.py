"""Extra checked bag: verify the booking, quote the price, add the bag only after a yes."""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.form_specs import FORMS
from bot.actions.formatting import bag_quote_message
from bot.actions.forms_base import AuroraFormValidation
from bot.actions.submit import FormSubmitAction, QuoteAskAction
from bot.backend.repository import AirlineRepository
from bot.backend.rules import names_match

SPEC = FORMS["add_checked_bag_form"]


class ValidateAddCheckedBagForm(AuroraFormValidation):
    """Booking reference, last name, then the customer's yes/no to the price."""

    form_spec = SPEC


class ActionAskAddBagConfirmed(QuoteAskAction):
    """Shows the price of one more checked bag (`quote_checked_bag`) and asks to confirm."""

    form_spec = SPEC
    question = "utter_ask_add_bag_confirmed"

    async def quote(self, repository: AirlineRepository, reference: str, last_name: str) -> str:
        """The price quote as a sentence."""
        return bag_quote_message(await repository.quote_checked_bag(reference, last_name))


class ActionSubmitAddCheckedBag(FormSubmitAction):
    """Adds the bag on yes; on no, confirms nothing changed."""

    form_spec = SPEC

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      repository: AirlineRepository) -> List[EventType]:
        """Add one checked bag and report the named passenger's new allowance."""
        reference, last_name = tracker.get_slot("booking_ref"), tracker.get_slot("last_name")
        if tracker.get_slot("add_bag_confirmed") is not True:
            dispatcher.utter_message(response="utter_bag_not_added")
            return []
        booking = await repository.add_checked_bag(reference, last_name)
        bags = next((p.checked_bags for p in booking.passengers if names_match(last_name, p.last_name)), None)
        dispatcher.utter_message(response="utter_bag_added", booking_ref=booking.reference,
                                 bags="" if bags is None else f" You now have {bags} checked bag{'s' if bags != 1 else ''}.")
        return []
