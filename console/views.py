"""Pure functions that shape tickets into what the console's API returns.

No aiohttp, no Redis: tickets (handoff.tickets.Ticket) and transcript turns in, JSON-ready
dicts out. The dossier is read defensively: known sections are picked out, anything else
in it is passed through untouched for the page to show.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from connectors.channels import ChannelKind
from handoff.priority import effective_priority

LOW_CONFIDENCE = 0.6


def _profile(dossier: Mapping[str, Any]) -> Dict[str, Any]:
    profile = dossier.get("profile") or dossier.get("customer") or {}
    return dict(profile) if isinstance(profile, Mapping) else {}


def customer_label(ticket: Any) -> str:
    """Display name, else handle, else the channel and a short sender id."""
    profile = _profile(ticket.dossier or {})
    for key in ("display_name", "name", "handle", "username"):
        value = profile.get(key)
        if value:
            return str(value)
    return f"{ticket.channel} customer {str(ticket.sender_id)[-6:]}"


def summary_text(ticket: Any, short: bool = False) -> str:
    """The dossier's ten-second summary (``{"headline", "lines", "text"}``; `short`: the
    headline only); empty when the dossier has none."""
    summary = (ticket.dossier or {}).get("summary")
    if isinstance(summary, Mapping):
        summary = (summary.get("headline") if short else None) or summary.get("text") or ""
    if isinstance(summary, (list, tuple)):
        summary = " ".join(str(s) for s in summary)
    return str(summary or "")


def sla_state(ticket: Any, now: float) -> Dict[str, Any]:
    """Seconds left before the SLA deadline (negative: breached) for an unresolved ticket."""
    if ticket.status == "resolved" or not ticket.sla_deadline:
        return {"deadline": ticket.sla_deadline or None, "remaining_s": None, "breached": False}
    remaining = ticket.sla_deadline - now
    return {"deadline": ticket.sla_deadline, "remaining_s": round(remaining, 1), "breached": remaining < 0}


def ticket_summary(ticket: Any, now: float, team: Any = None) -> Dict[str, Any]:
    """One row of the queue; with the team config, the priority raised by waiting time."""
    effective = ticket.priority
    if team is not None and ticket.status != "resolved":
        effective = effective_priority(ticket, now, team)
    return {
        "id": ticket.id,
        "status": ticket.status,
        "channel": ticket.channel,
        "priority": ticket.priority,
        "priority_label": ticket.priority_label,
        "effective_priority": effective,
        "owner": ticket.owner,
        "customer": customer_label(ticket),
        "summary": summary_text(ticket, short=True),
        "reasons": [r.as_json() for r in ticket.reasons],
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "claimed_at": ticket.claimed_at,
        "resolved_at": ticket.resolved_at,
        "waiting_s": round(max(0.0, now - ticket.created_at), 1) if ticket.created_at else None,
        "sla": sla_state(ticket, now),
        "csat": ticket.csat,
    }


def suggestions(dossier: Mapping[str, Any], channel: str = "") -> List[Dict[str, Any]]:
    """Suggested knowledge answers from the dossier as ``[{"id", "title", "text", "score"}]``.

    Entries are handoff.suggest's ``{"id", "intent", "answer", "short_answer", "score"}``;
    a public reply (``twitter_mention``) gets the short answer when there is one.
    """
    raw = dossier.get("knowledge") or dossier.get("suggested_answers") or []
    out = []
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(item, Mapping):
            continue
        text = item.get("answer") or item.get("text") or ""
        if channel == ChannelKind.TWITTER_MENTION and item.get("short_answer"):
            text = item["short_answer"]
        if text:
            title = item.get("title") or item.get("id") or item.get("intent") or f"answer {index + 1}"
            out.append({"id": str(item.get("id") or f"s{index}"), "title": str(title), "text": str(text),
                        "score": item.get("score")})
    return out


def ticket_detail(ticket: Any, transcript: Sequence[Tuple[str, Any]], now: float,
                  window: Optional[Mapping[str, Any]] = None, team: Any = None) -> Dict[str, Any]:
    """Everything the conversation view shows: ticket, dossier, live turns, window, suggestions."""
    body = ticket_summary(ticket, now, team)
    body.update({
        "sender_id": ticket.sender_id,
        "resolution": ticket.resolution,
        "history": [dict(h) for h in ticket.history],
        "dossier": dict(ticket.dossier or {}),
        "transcript": [{"entry_id": entry_id, **turn.as_json()} for entry_id, turn in transcript],
        "suggestions": suggestions(ticket.dossier or {}, ticket.channel),
        "window": dict(window) if window else None,
    })
    return body


def queue_health(open_tickets: Iterable[Any], claimed: Iterable[Any], now: float) -> Dict[str, Any]:
    """Counts by priority, SLA breaches, the longest wait and the next deadline."""
    open_list, claimed_list = list(open_tickets), list(claimed)
    by_priority = Counter(t.priority_label for t in open_list)
    breached = [t for t in open_list if t.sla_deadline and t.sla_deadline < now]
    waits = [now - t.created_at for t in open_list if t.created_at]
    deadlines = [t.sla_deadline for t in open_list if t.sla_deadline]
    return {
        "open": len(open_list),
        "claimed": len(claimed_list),
        "open_by_priority": dict(by_priority),
        "sla_breached": len(breached),
        "longest_wait_s": round(max(waits), 1) if waits else 0.0,
        "next_deadline_s": round(min(deadlines) - now, 1) if deadlines else None,
    }


def agents_view(online: Iterable[str], users: Iterable[Any], claimed: Iterable[Any]) -> List[Dict[str, Any]]:
    """Every user who can work tickets: online or not, and how many tickets each holds."""
    online_set = set(online)
    load = Counter(t.owner for t in claimed if t.owner)
    rows = []
    for user in users:
        if not user.can("tickets:work"):
            continue
        rows.append({"name": user.name, "role": user.role, "online": user.name in online_set,
                     "claimed": load.get(user.name, 0)})
    return sorted(rows, key=lambda r: (not r["online"], r["name"]))


def _dossier_turns(dossier: Mapping[str, Any]) -> List[Mapping[str, Any]]:
    turns = dossier.get("transcript") or dossier.get("turns") or []
    return [t for t in turns if isinstance(t, Mapping)] if isinstance(turns, list) else []


def trainer_rows(tickets: Iterable[Any], threshold: float = LOW_CONFIDENCE, limit: int = 100) -> List[Dict[str, Any]]:
    """Customer messages worth a trainer's look: low NLU confidence, or the turn that
    handed off when the reason was a clarification failure or an unsupported language.
    """
    rows: List[Dict[str, Any]] = []
    for ticket in tickets:
        codes = {r.code for r in ticket.reasons}
        for turn in _dossier_turns(ticket.dossier or {}):
            if turn.get("speaker", "customer") != "customer":
                continue
            confidence = turn.get("confidence")
            low = isinstance(confidence, (int, float)) and confidence < threshold
            if not low:
                continue
            rows.append({
                "ticket_id": ticket.id,
                "channel": ticket.channel,
                "text": str(turn.get("text") or ""),
                "intent": turn.get("intent"),
                "confidence": confidence,
                "timestamp": turn.get("timestamp"),
                "reasons": sorted(codes),
                "resolved": ticket.status == "resolved",
            })
    rows.sort(key=lambda r: r.get("timestamp") or 0, reverse=True)
    return rows[:limit]
