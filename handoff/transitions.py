"""The rules of a ticket's status changes (pure: a ticket and a time in, a ticket out).

`handoff.store.TicketStore` applies them inside its optimistic transactions, and the relay
checks `must_own` before replying or resolving: one ownership rule for both.
Each rule raises a `handoff.errors` exception when the change is not allowed; returning
the ticket unchanged (the same object) means there is nothing to write.
"""
from __future__ import annotations

from typing import Optional

from handoff.errors import InvalidTransition, NotOwner, TicketOwned
from handoff.tickets import CLAIMED, OPEN, RESOLVED, Ticket


def must_own(ticket: Ticket, agent: Optional[str], force: bool = False, *,
             refusal: Optional[str] = None) -> None:
    """InvalidTransition when resolved; NotOwner (message `refusal`, when given) unless
    `agent` has claimed the ticket or `force` (a supervisor) is set."""
    if ticket.status == RESOLVED:
        raise InvalidTransition("ticket is resolved")
    if force:
        return
    if ticket.status != CLAIMED or ticket.owner != agent:
        raise NotOwner(refusal or f"ticket {ticket.id} is not claimed by this agent")


def claimed(ticket: Ticket, agent: str, now: float) -> Ticket:
    """`agent` takes the ticket (unchanged when it already has it); TicketOwned when
    another agent has it."""
    if ticket.status == RESOLVED:
        raise InvalidTransition("ticket is resolved")
    if ticket.owner and ticket.owner != agent:
        raise TicketOwned(ticket.id, ticket.owner)
    if ticket.owner == agent:
        return ticket
    return ticket.with_changes(action="claimed", at=now, agent=agent, status=CLAIMED, owner=agent, claimed_at=now)


def released(ticket: Ticket, agent: str, now: float, force: bool = False) -> Ticket:
    """Back to the queue, without an owner."""
    must_own(ticket, agent, force)
    return ticket.with_changes(action="released", at=now, agent=agent, status=OPEN, owner=None)


def check_transfer_target(to_agent: str) -> None:
    """InvalidTransition unless a target agent is named (checked before any read)."""
    if not to_agent:
        raise InvalidTransition("transfer needs a target agent")


def transferred(ticket: Ticket, agent: str, to_agent: str, now: float, force: bool = False) -> Ticket:
    """From `agent` to `to_agent` (see `check_transfer_target`); with `force` an open
    ticket is given out directly."""
    if ticket.status == OPEN and force:
        return ticket.with_changes(action="transfer", at=now, agent=agent, status=CLAIMED,
                                   owner=to_agent, claimed_at=now)
    must_own(ticket, agent, force)
    return ticket.with_changes(action="transfer", at=now, agent=agent, owner=to_agent, claimed_at=now)


def resolved(ticket: Ticket, agent: str, resolution: str, now: float, force: bool = False) -> Ticket:
    """Closed with `resolution`."""
    must_own(ticket, agent, force)
    return ticket.with_changes(action="resolved", at=now, agent=agent, status=RESOLVED,
                               resolved_at=now, resolution=resolution)


def check_score(score: int) -> None:
    """ValueError unless `score` is an integer 1..5 (checked before any read)."""
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValueError("csat must be an integer 1..5")


def rated(ticket: Ticket, score: int, now: float) -> Ticket:
    """The customer's satisfaction score (see `check_score`)."""
    return ticket.with_changes(action="csat", at=now, csat=score)


def merged(existing: Ticket, new: Ticket, now: float) -> Ticket:
    """A second handoff of a sender with an unresolved ticket: reasons extended, the more
    urgent priority and the earlier SLA deadline kept, the newer dossier."""
    codes = {r.raw for r in existing.reasons}
    reasons = existing.reasons + tuple(r for r in new.reasons if r.raw not in codes)
    return existing.with_changes(
        action="updated", at=now, reasons=reasons, priority=min(existing.priority, new.priority),
        sla_deadline=min(existing.sla_deadline, new.sla_deadline) if existing.sla_deadline else new.sla_deadline,
        dossier=new.dossier or existing.dossier,
    )
