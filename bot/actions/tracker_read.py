"""Reading the tracker the Rasa server sends: the latest message, the channel, the form.

Nothing here logs message text or personal data.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker

from connectors.channels import channel_kind

FALLBACK_INTENT = "nlu_fallback"


def latest_intent(tracker: Tracker) -> Tuple[str, float]:
    """Name and confidence of the latest user message's intent ("" and 0.0 when none)."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def latest_text(tracker: Tracker) -> str:
    """Text of the latest user message ("" when none)."""
    return str((tracker.latest_message or {}).get("text") or "")


def latest_message_id(tracker: Tracker) -> Optional[str]:
    """The id Rasa gave the latest user message (None when there is none)."""
    value = (tracker.latest_message or {}).get("message_id")
    return str(value) if value else None


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


def last_given_value(tracker: Tracker, slot: str) -> Optional[str]:
    """The latest non-empty value a SlotSet event gave `slot`, as text (None if none)."""
    for event in reversed(list(tracker.events or [])):
        if event.get("event") == "slot" and event.get("name") == slot and event.get("value"):
            return str(event["value"])
    return None
