"""The one module that builds the handoff's Redis key names (house rule 8).

Every key lives under the prefix (``REDIS_KEY_PREFIX``, default ``socialcare``)::

    {p}:handoff:ticket:{id}          string: the ticket JSON (versioned, see tickets.py)
    {p}:handoff:transcript:{id}      stream: live transcript turns + status events of a ticket
    {p}:handoff:queue                zset: open tickets, score = SLA deadline (earliest first)
    {p}:handoff:claimed              zset: claimed tickets, score = claim time
    {p}:handoff:resolved             zset: resolved tickets, score = resolve time
    {p}:handoff:active:{sender}      string: id of the sender's unresolved ticket (the
                                     "an agent has this conversation" flag)
    {p}:handoff:csat:{sender}        string: ticket id awaiting a CSAT answer (TTL)
    {p}:handoff:customer:{sender}    zset: every ticket of one sender, score = created
    {p}:handoff:agents               zset: agents online, score = last heartbeat
    {p}:handoff:feed                 stream: queue-wide events (created/claimed/...), capped
    {p}:handoff:paused               zset: sender ids whose conversation a handoff paused,
                                     score = paused at (handoff/reconcile.py)
    {p}:handoff:paused_backfilled    string: set once the index was filled from the trackers
"""
from __future__ import annotations

from dataclasses import dataclass

from core.redis_keys import DEFAULT_PREFIX, check_prefix, safe_part


@dataclass(frozen=True)
class HandoffKeys:
    """Key names under one prefix (letters and digits only)."""

    prefix: str = DEFAULT_PREFIX

    def __post_init__(self) -> None:
        check_prefix(self.prefix)

    @property
    def base(self) -> str:
        """Common start of every handoff key."""
        return f"{self.prefix}:handoff"

    def ticket(self, ticket_id: str) -> str:
        """The ticket's JSON."""
        return f"{self.base}:ticket:{safe_part(ticket_id)}"

    def ticket_pattern(self) -> str:
        """SCAN pattern of every ticket's JSON (erasure)."""
        return f"{self.base}:ticket:*"

    def transcript(self, ticket_id: str) -> str:
        """The ticket's live transcript stream."""
        return f"{self.base}:transcript:{safe_part(ticket_id)}"

    @property
    def queue(self) -> str:
        """Open tickets by SLA deadline."""
        return f"{self.base}:queue"

    @property
    def claimed(self) -> str:
        """Claimed tickets."""
        return f"{self.base}:claimed"

    @property
    def resolved(self) -> str:
        """Resolved tickets, newest last."""
        return f"{self.base}:resolved"

    def active(self, sender_id: str) -> str:
        """The sender's unresolved ticket id (exists while the bot must stay quiet)."""
        return f"{self.base}:active:{safe_part(sender_id)}"

    def csat(self, sender_id: str) -> str:
        """Ticket id waiting for the sender's satisfaction score."""
        return f"{self.base}:csat:{safe_part(sender_id)}"

    def customer(self, sender_id: str) -> str:
        """Every ticket of one sender."""
        return f"{self.base}:customer:{safe_part(sender_id)}"

    @property
    def agents(self) -> str:
        """Agents online (heartbeats)."""
        return f"{self.base}:agents"

    @property
    def feed(self) -> str:
        """Queue-wide event stream."""
        return f"{self.base}:feed"

    @property
    def paused(self) -> str:
        """Senders whose conversation a handoff paused (the reconciler's index)."""
        return f"{self.base}:paused"

    @property
    def paused_backfilled(self) -> str:
        """Marker: the index was filled once from Rasa's stored trackers (older pauses)."""
        return f"{self.base}:paused_backfilled"
