"""Notes on a ticket's history that change nothing else (for example "the satisfaction
question was skipped"): one optimistic transaction on the ticket key, the ticket's expiry
kept, plus a status event on its live stream so the console shows it at once.
"""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Dict

from redis.exceptions import WatchError

from handoff.errors import StoreBusy, TicketNotFound
from handoff.store import FEED_MAXLEN, MAX_RETRIES, TRANSCRIPT_MAXLEN, TicketStore
from handoff.tickets import Ticket


async def add_note(store: TicketStore, ticket_id: str, action: str, **details: Any) -> Ticket:
    """Append ``{"at", "action", "agent": None, **details}`` to the ticket's history and a
    ``status`` event with that action; returns the ticket. TicketNotFound, StoreBusy."""
    key = store.keys.ticket(ticket_id)
    for _attempt in range(MAX_RETRIES):
        async with store.redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(key)
                raw = await pipe.get(key)
                if raw is None:
                    raise TicketNotFound(ticket_id)
                ticket = Ticket.loads(raw)
                now = store.clock()
                entry: Dict[str, Any] = {"at": now, "action": action, "agent": None, **details}
                noted = replace(ticket, history=ticket.history + (entry,))
                event = json.dumps({"ticket_id": ticket.id, "action": action, "status": ticket.status,
                                    "owner": ticket.owner, "agent": None, "priority": ticket.priority,
                                    "csat": ticket.csat, "at": now})
                pipe.multi()
                pipe.set(key, noted.dumps(), keepttl=True)
                pipe.xadd(store.keys.transcript(ticket.id), {"kind": "status", "data": event},
                          maxlen=TRANSCRIPT_MAXLEN, approximate=True)
                pipe.xadd(store.keys.feed, {"kind": "status", "data": event}, maxlen=FEED_MAXLEN,
                          approximate=True)
                await pipe.execute()
                return noted
            except WatchError:
                continue
    raise StoreBusy(action)
