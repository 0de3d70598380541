"""Names of the bookkeeping slots the actions read and write (see bot/domain/slots.yml)."""
from __future__ import annotations

INVALID_INPUT = "invalid_input"
FORM_OUTCOME = "form_outcome"
VERIFIED_BOOKING = "verified_booking"
PERSON_OFFERED = "person_offered"
OFFER_REASON = "offer_reason"
HANDOFF_ACTIVE = "handoff_active"
HANDOFF_REASONS = "handoff_reasons"
HANDOFF_TICKET = "handoff_ticket"
TRIAGE_DECISION = "triage_decision"
LOYALTY_TIER = "loyalty_tier"
REQUESTED_SLOT = "requested_slot"
