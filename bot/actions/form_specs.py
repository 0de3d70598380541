"""What each transactional form collects, and how. Pure data, no Rasa imports.

The domain (bot/domain/forms.yml, slots.yml), the validation actions and the submit actions
all follow this table; tests check that they agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

BOOKING = "booking"
BAG_FILE = "bag_file"
LOYALTY = "loyalty"

IDENTITY_SLOTS = {
    BOOKING: ("booking_ref", "last_name"),
    BAG_FILE: ("bag_file_ref", "last_name"),
    LOYALTY: ("member_number", "last_name"),
}
CONFIRM_SLOTS = ("cancel_confirmed", "add_bag_confirmed")


@dataclass(frozen=True)
class FormSpec:
    """One transactional form: its trigger intent, slots in asking order, identity check."""

    name: str
    intent: str
    slots: Tuple[str, ...]
    identity: Optional[str] = None  # BOOKING, BAG_FILE, LOYALTY or None

    @property
    def submit_action(self) -> str:
        """The action that runs after the form completes (the real backend query)."""
        return f"action_submit_{self.intent}"

    @property
    def validation_action(self) -> str:
        """The FormValidationAction Rasa calls for this form."""
        return f"validate_{self.name}"

    @property
    def confirm_slot(self) -> Optional[str]:
        """The yes/no slot asked after a quote, if the form has one."""
        return next((s for s in self.slots if s in CONFIRM_SLOTS), None)

    @property
    def request_slots(self) -> Tuple[str, ...]:
        """Slots that belong to this one request (cleared when it ends), not to the customer."""
        return tuple(s for s in self.slots if s not in ("booking_ref", "last_name"))


FORMS: Dict[str, FormSpec] = {
    spec.name: spec
    for spec in (
        FormSpec("flight_status_form", "flight_status", ("flight_number", "flight_date")),
        FormSpec("booking_lookup_form", "booking_lookup", ("booking_ref", "last_name"), BOOKING),
        FormSpec("change_seat_form", "change_seat", ("booking_ref", "last_name", "seat"), BOOKING),
        FormSpec("cancel_booking_form", "cancel_booking",
                 ("booking_ref", "last_name", "cancel_confirmed"), BOOKING),
        FormSpec("refund_status_form", "refund_status", ("booking_ref", "last_name"), BOOKING),
        FormSpec("bag_claim_status_form", "bag_claim_status", ("bag_file_ref", "last_name"), BAG_FILE),
        FormSpec("loyalty_balance_form", "loyalty_balance", ("member_number", "last_name"), LOYALTY),
        FormSpec("update_email_form", "update_email", ("booking_ref", "last_name", "new_email"), BOOKING),
        FormSpec("add_checked_bag_form", "add_checked_bag",
                 ("booking_ref", "last_name", "add_bag_confirmed"), BOOKING),
        FormSpec("online_checkin_form", "online_checkin", ("booking_ref", "last_name"), BOOKING),
    )
}
FORM_SLOTS = tuple(sorted({slot for spec in FORMS.values() for slot in spec.slots}))
TRIGGER_INTENTS = tuple(spec.intent for spec in FORMS.values())
# Consecutive invalid answers to the same question before the form stops and offers a person.
MAX_ATTEMPTS = 3

