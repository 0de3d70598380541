"""Counting for `make chaos` (pure, no I/O): which customer messages were answered, lost
or answered twice, from the platform sandbox's records, and the markdown table.

* A customer message is **answered** when a successful outbound text reached its
  customer (a DM, a Send API message or a public reply) within ``deadline_s`` of the
  post; a handoff counts, since the bot tells the customer. It is **lost** otherwise.
* Each delivered text is attributed to the customer's latest message posted before it.
  A text delivered more than once for the same message is **duplicated** (every extra
  copy counts once): the same answer sent twice, which the customer sees twice.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

__all__ = ["Sent", "Tally", "ScenarioResult", "tally", "sent_from_inbound", "delivered_texts",
           "slowest_answer_s", "status_counts", "select", "markdown"]


@dataclass(frozen=True)
class Sent:
    """One customer message: who sent it and when (sandbox milliseconds; ``None`` when
    posted outside the sandbox, i.e. before any answer of this scenario)."""

    customer: str
    at_ms: Optional[float] = None


@dataclass(frozen=True)
class Tally:
    """Per scenario: messages sent, answered, lost, and extra copies of answers."""

    sent: int
    answered: int
    lost: int
    duplicated: int


@dataclass
class ScenarioResult:
    """What one scenario measured, ready for ``results/chaos.json``."""

    name: str
    fault: str
    sent: int = 0
    answered: int = 0
    lost: int = 0
    duplicated: int = 0
    webhook_statuses: Dict[str, int] = field(default_factory=dict)
    platform_statuses: Dict[str, int] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)
    seconds: float = 0.0
    error: Optional[str] = None

    def count(self, figures: Tally) -> "ScenarioResult":
        """Take the figures of ``figures``; returns self."""
        self.sent, self.answered = figures.sent, figures.answered
        self.lost, self.duplicated = figures.lost, figures.duplicated
        return self

    def as_json(self) -> Dict[str, Any]:
        return asdict(self)


def sent_from_inbound(inbound: Iterable[Mapping[str, Any]], customers: Iterable[str]) -> List[Sent]:
    """The sandbox's deliveries (``/sandbox/api/inbound``) of ``customers`` as ``Sent``."""
    wanted = set(customers)
    return [Sent(str(i["customer"]), i.get("posted_at")) for i in inbound if i.get("customer") in wanted]


def delivered_texts(outbound: Iterable[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    """Outbound calls that put a text in front of a customer (2xx, a customer, a text)."""
    return [o for o in outbound if o.get("customer") and o.get("text") is not None
            and 200 <= int(o.get("status") or 0) < 300]


def tally(sent: Sequence[Sent], outbound: Iterable[Mapping[str, Any]], deadline_s: float) -> Tally:
    """Answered / lost / duplicated for ``sent`` from the sandbox's outbound records."""
    replies: Dict[str, List[Mapping[str, Any]]] = {}
    for call in sorted(delivered_texts(outbound), key=lambda o: (o.get("at") or 0, o.get("seq") or 0)):
        replies.setdefault(str(call["customer"]), []).append(call)
    answered = duplicated = 0
    by_customer: Dict[str, List[Sent]] = {}
    for item in sent:
        by_customer.setdefault(item.customer, []).append(item)
    for name, messages in by_customer.items():
        messages = sorted(messages, key=lambda m: -1.0 if m.at_ms is None else m.at_ms)
        windows: List[List[Mapping[str, Any]]] = [[] for _ in messages]
        for call in replies.get(name, []):
            at = float(call.get("at") or 0)
            owner = None
            for index, message in enumerate(messages):
                if message.at_ms is None or message.at_ms <= at:
                    owner = index
            if owner is not None:
                windows[owner].append(call)
        for message, calls in zip(messages, windows):
            if any(message.at_ms is None or float(c.get("at") or 0) - message.at_ms <= deadline_s * 1000
                   for c in calls):
                answered += 1
            copies = Counter(str(c.get("text")) for c in calls)
            duplicated += sum(n - 1 for n in copies.values())
    return Tally(len(sent), answered, len(sent) - answered, duplicated)


def slowest_answer_s(sent: Sequence[Sent], outbound: Iterable[Mapping[str, Any]]) -> Optional[float]:
    """Seconds from post to first delivered text of the slowest answered message (messages
    with a sandbox time only; None when none was answered)."""
    firsts: Dict[str, List[float]] = {}
    for call in delivered_texts(outbound):
        firsts.setdefault(str(call["customer"]), []).append(float(call.get("at") or 0))
    waits = []
    for item in sent:
        if item.at_ms is None:
            continue
        after = [at for at in firsts.get(item.customer, []) if at >= item.at_ms]
        if after:
            waits.append((min(after) - item.at_ms) / 1000)
    return round(max(waits), 1) if waits else None


def status_counts(codes: Iterable[Any]) -> Dict[str, int]:
    """``{"200": 5, "429": 3, "timeout": 1}``: how often each status (or error) was seen."""
    found = Counter(str(code) for code in codes)
    return {key: found[key] for key in sorted(found)}


def select(requested: Sequence[str], available: Sequence[str]) -> List[str]:
    """The scenarios to run, in ``available`` order: all when ``requested`` is empty or
    ``["all"]``; ``ValueError`` names an unknown one."""
    names = [n.strip() for part in requested for n in part.split(",") if n.strip()]
    if not names or names == ["all"]:
        return list(available)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ValueError(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(available)}")
    return [n for n in available if n in names]


def _codes(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{code}×{n}" for code, n in counts.items()) or "-"


def markdown(results: Sequence[ScenarioResult]) -> str:
    """The README table: one row per scenario."""
    lines = ["| scenario | fault | sent | answered | lost | duplicated | webhook statuses | "
             "platform statuses | notes |", "| --- | --- | ---: | ---: | ---: | ---: | --- | --- | --- |"]
    for r in results:
        fault = r.fault + (f" (error: {r.error})" if r.error else "")
        notes = "; ".join(r.notes).replace("|", "/") or "-"
        lines.append(f"| {r.name} | {fault} | {r.sent} | {r.answered} | {r.lost} | {r.duplicated} | "
                     f"{_codes(r.webhook_statuses)} | {_codes(r.platform_statuses)} | {notes} |")
    return "\n".join(lines)
