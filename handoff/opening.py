"""Open (or update) the ticket for a handoff: dossier, priority, SLA, queue, wait estimate.

`open_ticket` is what `action_handoff_ticket` calls; its only I/O is the TicketStore, so
it is tested against a real Redis without Rasa.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Mapping, Optional, Sequence

from handoff.config import TeamConfig
from handoff.dossier import build_dossier
from handoff.priority import sla_deadline, ticket_priority
from handoff.reasons import Reason, flag, unique_reasons
from handoff.routes import HandoffPolicy
from handoff.store import TicketStore, new_ticket_id
from handoff.suggest import suggest_answers
from handoff.tickets import Ticket
from handoff.triggers import has_reach, is_vip
from handoff.wait import WaitEstimate, estimate_wait


@dataclass(frozen=True)
class Opened:
    """The stored ticket, whether it is new, and the customer's wait estimate."""

    ticket: Ticket
    created: bool
    wait: WaitEstimate


# (customer texts, intents seen) -> suggestions like `suggest_answers` returns, or None when
# the suggester is unavailable (then the lexical `suggest_answers` is used).
Suggester = Callable[[List[str], List[str]], Awaitable[Optional[List[Dict[str, Any]]]]]


def _customer_texts(dossier: Mapping[str, Any]) -> List[str]:
    return [t["text"] for t in dossier.get("transcript") or [] if t.get("speaker") == "customer"]


def _brief(ticket: Ticket) -> dict:
    summary = (ticket.dossier.get("summary") or {}).get("headline", "")
    return {"id": ticket.id, "status": ticket.status, "created_at": ticket.created_at, "summary": summary,
            "csat": ticket.csat, "reasons": [r.code for r in ticket.reasons]}


async def open_ticket(store: TicketStore, tracker: Mapping[str, Any], reasons: Sequence[Reason], *,
                      channel: str, now: float, config: TeamConfig, policy: Optional[HandoffPolicy] = None,
                      profile_extra: Optional[Mapping[str, Any]] = None, knowledge_entries: Iterable[Any] = (),
                      suggest: Optional[Suggester] = None) -> Opened:
    """Build the dossier from `tracker` (Rasa tracker JSON) and queue the ticket.

    `policy` decides whether the customer's tier is a VIP tier and the author has reach
    (each raises the priority; without a policy neither does). A second handoff while the
    sender's ticket is unresolved updates that ticket (`created` is False). Returns the
    ticket and the expected wait for the customer.
    """
    sender_id = str(tracker.get("sender_id") or "")
    reasons = unique_reasons(reasons) or (flag("unspecified"),)
    earlier = [_brief(t) for t in await store.tickets_of(sender_id, limit=10) if t.status == "resolved"]
    dossier = build_dossier(tracker, reasons=reasons, channel=channel, now=now, config=config,
                            profile_extra=profile_extra, earlier_tickets=earlier)
    intents = [i["intent"] for i in dossier["intents"] if i.get("intent")]
    texts = _customer_texts(dossier)
    suggested = await suggest(texts, intents) if suggest is not None else None
    dossier["knowledge"] = suggested if suggested is not None else suggest_answers(texts, knowledge_entries, intents)
    profile = dossier["profile"]
    sentiment = (dossier.get("sentiment") or {}).get("last")
    followers = profile.get("followers") if isinstance(profile.get("followers"), int) else None
    vip = policy is not None and is_vip(profile.get("loyalty_tier"), policy)
    reach = policy is not None and has_reach(followers, policy)
    priority = ticket_priority(reasons, config, vip=vip, reach=reach, sentiment=sentiment)
    ticket = Ticket(id=new_ticket_id(), sender_id=sender_id, channel=channel, priority=priority,
                    sla_deadline=sla_deadline(priority, now, config), reasons=reasons, created_at=now,
                    updated_at=now, dossier=dossier)
    stored, created = await store.create(ticket)
    ahead = await store.position(stored.id)
    stats = await store.stats()
    wait = estimate_wait(now, ahead or 0, stats.agents_online, config)
    return Opened(stored, created, wait)
