"""Queue priority and SLA deadlines (pure).

Priority 1 is the most urgent. The base comes from the most urgent handoff reason
(`queue.reason_priority` in handoff.yml); a VIP customer and an author with reach (facts
decided by `handoff.triggers.is_vip` / `has_reach`) and very negative sentiment each raise
it a step; waiting raises it further at list time (`effective_priority`). The SLA
deadline is the handoff time (or the next opening when the team is closed) plus the
priority's SLA minutes.
"""
from __future__ import annotations

from typing import Iterable, Optional

from handoff.config import TeamConfig
from handoff.hours import next_opening
from handoff.reasons import Reason
from handoff.tickets import Ticket


def base_priority(reasons: Iterable[Reason], config: TeamConfig) -> int:
    """The most urgent priority any reason maps to (`default_priority` when none is listed)."""
    levels = [config.reason_priority.get(r.code, config.default_priority) for r in reasons]
    return min(levels) if levels else config.default_priority


def ticket_priority(reasons: Iterable[Reason], config: TeamConfig, *, vip: bool = False, reach: bool = False,
                    sentiment: Optional[float] = None) -> int:
    """Priority 1..4 from the reasons, whether the customer is a VIP and the author has
    reach (each a step unless it is already a reason), and the sentiment."""
    reasons = list(reasons)
    priority = base_priority(reasons, config)
    codes = {r.code for r in reasons}
    if vip and "vip" not in codes:
        priority -= config.vip_boost
    if reach and "reach" not in codes:
        priority -= config.reach_boost
    if sentiment is not None and sentiment <= config.sentiment_boost_at:
        priority -= 1
    return max(1, min(4, priority))


def sla_deadline(priority: int, created_at: float, config: TeamConfig) -> float:
    """Epoch seconds by which an agent should answer: from now, or from the next opening."""
    start = max(created_at, next_opening(created_at, config))
    return start + 60.0 * config.sla_minutes.get(priority, config.sla_minutes.get(4, 240.0))


def effective_priority(ticket: Ticket, now: float, config: TeamConfig) -> int:
    """The ticket's priority raised one step per `ageing_minutes` waited (never below 1)."""
    if config.ageing_minutes <= 0:
        return ticket.priority
    waited = max(0.0, now - (ticket.created_at or now))
    return max(1, ticket.priority - int(waited // (60.0 * config.ageing_minutes)))

