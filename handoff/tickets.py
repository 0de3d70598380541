"""Handoff tickets and transcript turns: plain dataclasses with a versioned JSON form.

Pure module (no Redis, no Rasa). `TicketStore` (handoff/store.py) persists these; the
console renders them; a ticket's reasons are `handoff.reasons.Reason`s. Times are Unix
epoch seconds (float, UTC).

Ticket lifecycle::

    open --claim--> claimed --resolve--> resolved
      ^               |  \\--transfer--> claimed (another agent)
      +---release-----+
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Dict, Mapping, Optional, Tuple

from handoff.reasons import Reason

SCHEMA_VERSION = 1

OPEN = "open"
CLAIMED = "claimed"
RESOLVED = "resolved"
STATUSES = (OPEN, CLAIMED, RESOLVED)

# Who said a transcript turn.
CUSTOMER = "customer"
BOT = "bot"
AGENT = "agent"
SYSTEM = "system"
SPEAKERS = (CUSTOMER, BOT, AGENT, SYSTEM)

# Priorities: 1 is the most urgent. SLA minutes per priority live in bot/handoff.yml.
PRIORITIES = (1, 2, 3, 4)
PRIORITY_LABELS = {1: "urgent", 2: "high", 3: "normal", 4: "low"}


class TicketFormatError(ValueError):
    """Stored JSON is not a ticket (or a turn) of a version we understand."""


@dataclass(frozen=True)
class TranscriptTurn:
    """One line of the conversation: who, what, when, where, and what the NLU made of it.

    `speaker` is one of customer/bot/agent/system; `agent` names the agent for agent turns.
    `intent`/`confidence`/`sentiment` are set on customer turns parsed by Rasa.
    """

    speaker: str
    text: str
    timestamp: float
    channel: str = ""
    agent: Optional[str] = None
    intent: Optional[str] = None
    confidence: Optional[float] = None
    sentiment: Optional[float] = None
    entities: Tuple[Dict[str, Any], ...] = ()
    delivered: Optional[bool] = None
    error: Optional[str] = None

    def as_json(self) -> Dict[str, Any]:
        """JSON-ready mapping (with the schema version)."""
        data = asdict(self)
        data["entities"] = [dict(e) for e in self.entities]
        data["v"] = SCHEMA_VERSION
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "TranscriptTurn":
        """Inverse of `as_json`; raises TicketFormatError on an unknown version."""
        if int(data.get("v", SCHEMA_VERSION)) > SCHEMA_VERSION:
            raise TicketFormatError("turn from a newer schema version")
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["entities"] = tuple(dict(e) for e in data.get("entities") or ())
        return cls(**known)


@dataclass(frozen=True)
class Ticket:
    """A conversation handed to people.

    * `sender_id`: the Rasa conversation id (the same the channel uses); `channel`:
      ``messenger`` / ``twitter_dm`` / ``twitter_mention`` / ``rest``.
    * `priority` 1 (urgent) .. 4 (low); `sla_deadline`: epoch seconds by which an agent
      should have answered.
    * `owner`: the agent who claimed it (None while open).
    * `dossier`: the JSON dict built by `handoff.dossier.build_dossier` (immutable
      snapshot taken at handoff time; live customer turns go to the transcript stream).
    * `csat`: 1..5 once the customer answered the satisfaction question.
    * `history`: audit trail of state changes: ``{"at", "action", "agent", "to"}``.
    """

    id: str
    sender_id: str
    channel: str
    status: str = OPEN
    priority: int = 3
    sla_deadline: float = 0.0
    reasons: Tuple[Reason, ...] = ()
    owner: Optional[str] = None
    created_at: float = 0.0
    updated_at: float = 0.0
    claimed_at: Optional[float] = None
    resolved_at: Optional[float] = None
    csat: Optional[int] = None
    resolution: str = ""
    dossier: Dict[str, Any] = field(default_factory=dict)
    history: Tuple[Dict[str, Any], ...] = ()

    @property
    def priority_label(self) -> str:
        """``urgent`` / ``high`` / ``normal`` / ``low``."""
        return PRIORITY_LABELS.get(self.priority, "normal")

    def with_changes(self, *, action: str, at: float, agent: Optional[str] = None, **changes: Any) -> "Ticket":
        """A copy with `changes` applied, `updated_at` set and the change in `history`."""
        entry = {"at": at, "action": action, "agent": agent}
        if "owner" in changes and action == "transfer":
            entry["to"] = changes["owner"]
        return replace(self, updated_at=at, history=self.history + (entry,), **changes)

    def as_json(self) -> Dict[str, Any]:
        """JSON-ready mapping with the schema version (``v``)."""
        data = asdict(self)
        data["reasons"] = [r.as_json() for r in self.reasons]
        data["history"] = [dict(h) for h in self.history]
        data["priority_label"] = self.priority_label
        data["v"] = SCHEMA_VERSION
        return data

    def dumps(self) -> str:
        """Compact JSON string (what the store writes)."""
        return json.dumps(self.as_json(), separators=(",", ":"), ensure_ascii=False, default=str)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Ticket":
        """Inverse of `as_json`; raises TicketFormatError when it is not a ticket we know."""
        if not isinstance(data, Mapping) or "id" not in data:
            raise TicketFormatError("not a ticket")
        if int(data.get("v", 0)) != SCHEMA_VERSION:
            raise TicketFormatError(f"unsupported ticket schema version {data.get('v')!r}")
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["reasons"] = tuple(Reason.from_json(r) for r in data.get("reasons") or ())
        known["history"] = tuple(dict(h) for h in data.get("history") or ())
        known["dossier"] = dict(data.get("dossier") or {})
        if known.get("status", OPEN) not in STATUSES:
            raise TicketFormatError("unknown ticket status")
        return cls(**known)

    @classmethod
    def loads(cls, raw: Any) -> "Ticket":
        """Parse the store's JSON string (bytes or str)."""
        try:
            data = json.loads(raw)
        except (TypeError, ValueError) as exc:
            raise TicketFormatError("ticket is not valid JSON") from exc
        return cls.from_json(data)
