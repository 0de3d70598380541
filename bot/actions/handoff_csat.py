"""The customer's answer to the satisfaction question asked when an agent resolved a ticket.

The event broker (handoff/broker.py) stores the score on the ticket; the bot only has to
thank the customer instead of treating "4" as a booking reference or a misunderstanding.
`thank_for_csat` is called first by the actions that see bare values (`action_route_inform`)
and by `action_clarify`.
"""
from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.tracker_read import latest_text
from handoff.csat import CSAT_THANKS, parse_rating


def csat_question_pending(tracker: Tracker) -> Optional[str]:
    """The ticket id when the bot's last message before this one asked for a CSAT score."""
    events = list(tracker.events or [])
    user_seen = False
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            if user_seen:
                return None
            user_seen = True
        elif kind == "bot" and user_seen:
            return (event.get("metadata") or {}).get("handoff_csat") or None
    return None


def csat_answer(tracker: Tracker) -> Optional[int]:
    """1..5 when the latest message answers a pending CSAT question, else None."""
    if not csat_question_pending(tracker):
        return None
    return parse_rating(latest_text(tracker))


def thank_for_csat(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Thank the customer when the latest message is their CSAT score; True if it was."""
    if csat_answer(tracker) is None:
        return False
    dispatcher.utter_message(text=CSAT_THANKS)
    return True
