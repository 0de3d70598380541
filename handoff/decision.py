"""The routing decision for one customer message, as data (pure).

`handoff.triggers.decide` makes it; `socialcare route` prints `as_json`; the Rasa
server's TriagePolicy stores `as_record` in the `triage_decision` slot, and the action
server reads it back with `from_record` instead of deciding again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple

from handoff.reasons import Reason

RECORD_VERSION = 1


class DecisionRecordError(ValueError):
    """A stored decision is not a record of a version we understand."""


@dataclass(frozen=True)
class Decision:
    """What the assistant decides for one customer message.

    `reasons`: why it hands off (or why it clarifies: `low_confidence`), in trigger order.
    `vip`: the customer's loyalty tier is a VIP tier; `reach`: the author has at least
    `reach_followers` followers (facts the triggers and the ticket priority share).
    """

    intent: str
    confidence: float
    route: str
    handoff: bool
    reasons: Tuple[Reason, ...] = field(default_factory=tuple)
    sentiment: float = 0.0
    clarify: bool = False
    praised: bool = False
    vip: bool = False
    reach: bool = False

    @property
    def labels(self) -> Tuple[str, ...]:
        """The reasons as shown and logged (e.g. ``route:diagnostic:report_lost_bag@0.97``)."""
        return tuple(r.raw for r in self.reasons)

    def as_json(self) -> Dict[str, Any]:
        """The JSON shape printed by `socialcare route`."""
        return {
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "route": self.route,
            "handoff": self.handoff,
            "reasons": list(self.labels),
            "sentiment": round(self.sentiment, 4),
        }

    def as_record(self, message_id: Optional[str]) -> Dict[str, Any]:
        """The versioned record of this decision for the message `message_id` (slot value)."""
        return {
            "version": RECORD_VERSION,
            "message_id": message_id,
            "intent": self.intent,
            "confidence": self.confidence,
            "route": self.route,
            "handoff": self.handoff,
            "reasons": [r.as_json() for r in self.reasons],
            "sentiment": self.sentiment,
            "clarify": self.clarify,
            "praised": self.praised,
            "vip": self.vip,
            "reach": self.reach,
        }

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> "Decision":
        """Inverse of `as_record`; raises DecisionRecordError on anything else."""
        if not isinstance(data, Mapping) or data.get("version") != RECORD_VERSION:
            raise DecisionRecordError("not a version 1 decision record")
        try:
            return cls(
                intent=str(data["intent"]), confidence=float(data["confidence"]), route=str(data["route"]),
                handoff=bool(data["handoff"]), reasons=tuple(Reason.from_json(r) for r in data["reasons"]),
                sentiment=float(data["sentiment"]), clarify=bool(data.get("clarify", False)),
                praised=bool(data.get("praised", False)), vip=bool(data["vip"]), reach=bool(data["reach"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DecisionRecordError("malformed decision record") from exc


def record_for(data: Any, message_id: Optional[str]) -> Optional[Decision]:
    """The decision stored in `data` when it was made for the message `message_id`
    (None without an id, for another message, or when `data` is no record)."""
    if not message_id or not isinstance(data, Mapping) or data.get("message_id") != message_id:
        return None
    return Decision.from_record(data)
