"""The events of a handoff to a person (`handoff_events`), shared by every action that
hands off: tell the customer, stop any form, record the reasons, queue the ticket.

Reasons are `handoff.reasons.Reason`s; the `handoff_reasons` slot holds them as JSON.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.form_specs import FORMS
from bot.actions.slots import (
    FORM_OUTCOME,
    HANDOFF_ACTIVE,
    HANDOFF_REASONS,
    INVALID_INPUT,
    OFFER_REASON,
    PERSON_OFFERED,
    REQUESTED_SLOT,
)
from bot.actions.tracker_read import active_form, is_public
from handoff.reasons import Reason, flag, reasons_from_slot, unique_reasons

logger = logging.getLogger(__name__)

TICKET_ACTION = "action_handoff_ticket"
UNSPECIFIED = flag("unspecified")


def handoff_slot_values(tracker: Tracker, reasons: Sequence[Reason]) -> Dict[str, Any]:
    """Slot values that record a handoff and reset the form bookkeeping. During a handoff
    the new reasons join the recorded ones."""
    if tracker.get_slot(HANDOFF_ACTIVE):
        recorded = reasons_from_slot(tracker.get_slot(HANDOFF_REASONS) or [])
        reasons = unique_reasons([*recorded, *reasons])
    return {
        HANDOFF_ACTIVE: True,
        HANDOFF_REASONS: [r.as_json() for r in reasons],
        PERSON_OFFERED: False,
        OFFER_REASON: None,
        INVALID_INPUT: None,
    }


def form_reset_events(tracker: Tracker) -> List[EventType]:
    """Deactivate the active form (if any) and forget its values (a verified booking stays)."""
    events: List[EventType] = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None), SlotSet(FORM_OUTCOME, None)]
    spec = FORMS.get(active_form(tracker) or "")
    if spec is not None:
        events.extend(SlotSet(slot, None) for slot in spec.slots if tracker.get_slot(slot) is not None)
    return events


def handoff_events(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    reasons: Sequence[Reason],
    response: Optional[str] = None,
) -> List[EventType]:
    """Tell the customer a person takes over, stop any form, record the reasons, and
    follow up with `action_handoff_ticket` (queue, wait estimate, pause)."""
    reasons = list(reasons) or [UNSPECIFIED]
    if response is None:
        response = "utter_handoff_public" if is_public(tracker) else "utter_handoff"
    dispatcher.utter_message(response=response)
    logger.info("handoff: %s", ",".join(r.raw for r in reasons))
    values = handoff_slot_values(tracker, reasons)
    return form_reset_events(tracker) + [SlotSet(k, v) for k, v in values.items()] + [FollowupAction(TICKET_ACTION)]
