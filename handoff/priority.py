"""Queue priority and SLA deadlines (pure).

Priority 1 is the most urgent. The base comes from the most urgent handoff reason
(`queue.reason_priority` in handoff.yml); a VIP tier, a large public reach and very
negative sentiment each raise it a step; waiting raises it further at list time
(`effective_priority`). The SLA deadline is the handoff time (or the next opening when
the team is closed) plus the priority's SLA minutes.
"""
from __future__ import annotations

from typing import Iterable, Optional

from handoff.config import TeamConfig
from handoff.hours import next_opening
from handoff.tickets import Reason, Ticket


def base_priority(reasons: Iterable[Reason], config: TeamConfig) -> int:
    """The most urgent priority any reason maps to (`default_priority` when none is listed)."""
    levels = [config.reason_priority.get(r.code, config.default_priority) for r in reasons]
    return min(levels) if levels else config.default_priority


def ticket_priority(reasons: Iterable[Reason], config: TeamConfig, *, tier: Optional[str] = None,
                    vip_tiers: Iterable[str] = (), followers: Optional[int] = None,
                    reach_followers: float = float("inf"), sentiment: Optional[float] = None) -> int:
    """Priority 1..4 from the reasons, the loyalty tier, the reach and the sentiment."""
    reasons = list(reasons)
    priority = base_priority(reasons, config)
    codes = {r.code for r in reasons}
    if (tier and tier.lower() in {t.lower() for t in vip_tiers}) and "vip" not in codes:
        priority -= config.vip_boost
    if followers is not None and followers >= reach_followers and "reach" not in codes:
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


def sla_remaining(ticket: Ticket, now: float) -> float:
    """Seconds until the SLA deadline (negative when breached)."""
    return ticket.sla_deadline - now
