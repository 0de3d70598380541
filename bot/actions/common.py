"""Helpers shared by every action: reading the tracker, and a crash-proof action base.

Nothing here logs message text or personal data: only action names, intents and reason codes.
"""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
# Bookkeeping slots (see bot/domain/slots.yml).
INVALID_INPUT = "invalid_input"
FORM_OUTCOME = "form_outcome"
VERIFIED_BOOKING = "verified_booking"
PERSON_OFFERED = "person_offered"
OFFER_REASON = "offer_reason"
HANDOFF_ACTIVE = "handoff_active"
HANDOFF_REASONS = "handoff_reasons"
REQUESTED_SLOT = "requested_slot"


def latest_intent(tracker: Tracker) -> Tuple[str, float]:
    """Name and confidence of the latest user message's intent ("" and 0.0 when none)."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def latest_text(tracker: Tracker) -> str:
    """Text of the latest user message ("" when none)."""
    return str((tracker.latest_message or {}).get("text") or "")


def latest_metadata(tracker: Tracker) -> Dict[str, Any]:
    """Metadata the channel attached to the latest user message."""
    metadata = (tracker.latest_message or {}).get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def is_public(tracker: Tracker) -> bool:
    """True when the latest message is a public post (an @mention), not a private message."""
    metadata = latest_metadata(tracker)
    return metadata.get("public") is True or metadata.get("channel") == "twitter_mention"


def channel_of(tracker: Tracker) -> str:
    """The routing channel name ("twitter_dm", "twitter_mention", "messenger", "rest")."""
    try:
        from connectors.channels import channel_kind
    except ImportError:  # pragma: no cover - the shared core ships with the project
        return "twitter_mention" if is_public(tracker) else "rest"
    return channel_kind(tracker.get_latest_input_channel(), latest_metadata(tracker))


def active_form(tracker: Tracker) -> Optional[str]:
    """Name of the active form (loop), or None."""
    return (tracker.active_loop or {}).get("name") or None


def events_since_user(tracker: Tracker) -> List[Dict[str, Any]]:
    """The tracker events after the latest user message."""
    events = list(tracker.events or [])
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            return events[index + 1:]
    return events


def last_slot_event_value(tracker: Tracker, slot: str) -> Any:
    """Value of the latest SlotSet event for `slot` in the tracker's events (None if none)."""
    for event in reversed(list(tracker.events or [])):
        if event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


class SafeAction(Action, ABC):
    """An action the customer can never see crash.

    Subclasses implement `act`. Any unexpected exception is logged (type only) and turned
    into an honest apology plus a handoff to a person, via `bot.actions.handoff`.
    """

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """The action's work; may raise, `run` catches."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Run `act`; on any error apologise and hand the conversation to a person."""
        try:
            return await self.act(dispatcher, tracker, domain)
        except Exception as exc:  # noqa: BLE001 - the customer must never meet a stack trace
            logger.error("action %s failed: %s", self.name(), type(exc).__name__)
            from bot.actions.handoff import handoff_events

            return handoff_events(dispatcher, tracker, ["action_error"], response="utter_handoff_error")
