"""`make eval`: how the assistant routes real airline tweets (measuring only, never training).

Reads `../shared/eval/airline_tweets_dev.csv` when it exists (columns `text`, `sentiment`,
`sentiment_confidence`), runs each text through the same routing as `socialcare route`
(public mention channel), and prints the share of confidently negative tweets handed to a
person, the share of confidently positive ones, the handoff-decision accuracy over both,
the route accuracy on tweets whose label implies a route (see `EXPECTED_ROUTES`), and the
route distribution.
"""
from __future__ import annotations

import asyncio
import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from core.paths import PROJECT_ROOT
from handoff.config import load_handoff_policy
from handoff.decision import Decision
from handoff.routes import load_route_table
from handoff.triggers import decide
from socialcare.route import load_agent

DEFAULT_EVAL_FILE = PROJECT_ROOT.parent / "shared" / "eval" / "airline_tweets_dev.csv"

# Routes a label implies. A lost or damaged bag is a diagnostic case; a late or cancelled
# flight and a cabin-crew complaint are diagnostic or a complaint (feedback); a positive
# tweet is praise or thanks. Other negative reasons (customer service, booking problems,
# "bad flight", "can't tell") fit several routes and are left out of the route accuracy.
EXPECTED_ROUTES: Mapping[str, FrozenSet[str]] = {
    "Lost Luggage": frozenset({"diagnostic"}),
    "Damaged Luggage": frozenset({"diagnostic"}),
    "Late Flight": frozenset({"diagnostic", "feedback"}),
    "Cancelled Flight": frozenset({"diagnostic", "feedback"}),
    "Flight Attendant Complaints": frozenset({"diagnostic", "feedback"}),
    "positive": frozenset({"feedback", "chitchat"}),
}


@dataclass(frozen=True)
class LabelledText:
    """One evaluation row."""

    text: str
    sentiment: str
    confidence: float
    negative_reason: str = ""

    def expected_routes(self) -> Optional[FrozenSet[str]]:
        """The routes this label implies, or None when it implies none."""
        key = "positive" if self.sentiment == "positive" else self.negative_reason
        return EXPECTED_ROUTES.get(key) if self.sentiment in ("positive", "negative") else None


@dataclass(frozen=True)
class EvalReport:
    """Shares of handoffs by label, and the route distribution."""

    n: int
    negative_n: int
    negative_handoff: float
    positive_n: int
    positive_handoff: float
    routes: Dict[str, float]
    handoff_accuracy: float = 0.0
    route_n: int = 0
    route_accuracy: float = 0.0

    def lines(self) -> List[str]:
        """Human-readable report."""
        out = [
            f"tweets routed: {self.n}",
            f"confidently negative handed to a person: {self.negative_handoff:.3f} (n={self.negative_n}, target >= 0.90)",
            f"confidently positive handed to a person: {self.positive_handoff:.3f} (n={self.positive_n}, target <= 0.05)",
            f"handoff decision accuracy (negative -> person, positive -> bot): {self.handoff_accuracy:.3f}"
            f" (n={self.negative_n + self.positive_n})",
            f"route accuracy where the label implies a route: {self.route_accuracy:.3f} (n={self.route_n})",
            "route distribution:",
        ]
        out += [f"  {route:<14} {share:.3f}" for route, share in sorted(self.routes.items(), key=lambda kv: -kv[1])]
        return out


def read_rows(path: Path) -> List[LabelledText]:
    """Read the labelled CSV."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            LabelledText(row["text"], row["sentiment"], float(row.get("sentiment_confidence") or 0),
                         row.get("negative_reason") or "")
            for row in csv.DictReader(handle)
        ]


def summarise(rows: Sequence[LabelledText], decisions: Sequence[Decision], min_confidence: float) -> EvalReport:
    """Pure: compute the report from rows and their decisions (same order)."""
    def share(label: str) -> Tuple[int, float]:
        picked = [d for r, d in zip(rows, decisions) if r.sentiment == label and r.confidence >= min_confidence]
        return len(picked), (sum(d.handoff for d in picked) / len(picked)) if picked else 0.0

    neg_n, neg = share("negative")
    pos_n, pos = share("positive")
    counts = Counter(d.route for d in decisions)
    total = max(1, len(decisions))
    judged = neg_n + pos_n
    handoff_accuracy = (neg * neg_n + (1 - pos) * pos_n) / judged if judged else 0.0
    routed = [(r.expected_routes(), d.route) for r, d in zip(rows, decisions)
              if r.confidence >= min_confidence and r.expected_routes()]
    route_accuracy = sum(route in expected for expected, route in routed) / len(routed) if routed else 0.0
    return EvalReport(len(decisions), neg_n, neg, pos_n, pos, {k: v / total for k, v in counts.items()},
                      handoff_accuracy, len(routed), route_accuracy)


async def route_texts(agent, texts: Iterable[str], channel: str) -> List[Decision]:
    """Decisions for each text as the first message of a conversation."""
    table, policy = load_route_table(), load_handoff_policy()
    return [decide(await agent.parse_message(text), channel, table, policy) for text in texts]


def run_eval(path: Path, model: Path, min_confidence: float = 0.8, channel: str = "twitter_mention") -> EvalReport:
    """Route every row of `path` with `model` and summarise."""
    rows = read_rows(path)
    agent = load_agent(model)
    decisions = asyncio.run(route_texts(agent, (r.text for r in rows), channel))
    return summarise(rows, decisions, min_confidence)
