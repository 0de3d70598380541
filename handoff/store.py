"""TicketStore: the handoff queue in Redis (redis.asyncio), durable and atomic.

Every state change is one optimistic transaction (WATCH the ticket key, apply the rule
of `handoff.transitions`, MULTI/EXEC the new JSON plus the index updates plus a status event); a lost
race retries and then sees the winner's state, so 20 agents claiming at once give exactly
one owner and 19 `TicketOwned`. Key names come from `handoff.keys`. Open and claimed
tickets never expire; a resolved ticket, its transcript and the sender's ticket index
expire `core.retention.RetentionSettings` TTLs after the resolve (resolved tickets stay
searchable with their dossier until then).

Live updates: each ticket has a Redis stream (`keys.transcript(id)`) with two kinds of
entries, ``turn`` (a TranscriptTurn) and ``status`` (claimed, released, transferred,
resolved, csat); `subscribe(ticket_id)` yields them as `TicketEvent`s, starting after
`last_id` (``"0"`` replays everything, the default ``"$"`` only new ones).
`feed()` does the same for queue-wide events (created, claimed, ...).
"""
from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from dataclasses import dataclass, replace
from typing import Any, AsyncIterator, Callable, List, Optional, Tuple

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from core.retention import RetentionSettings
from handoff import transitions as rules
from handoff.errors import StoreBusy, TicketNotFound
from handoff.keys import HandoffKeys
from handoff.live import TicketEvent, follow, parse_entries
from handoff.live import text as _text
from handoff.tickets import CLAIMED, OPEN, RESOLVED, Ticket, TranscriptTurn

logger = logging.getLogger(__name__)

MAX_RETRIES = 100
FEED_MAXLEN = 10_000
TRANSCRIPT_MAXLEN = 5_000
CSAT_TTL_S = 24 * 3600
READ_COALESCE_S = 60.0  # a user's repeated reads of one ticket within this are one history entry


@dataclass(frozen=True)
class QueueStats:
    """What the customer's wait estimate and the supervisor view need."""

    open: int
    claimed: int
    agents_online: int


def new_ticket_id() -> str:
    """A short random id, e.g. ``t-3f9c1a7b2d4e``."""
    return "t-" + uuid.uuid4().hex[:12]


class TicketStore:
    """Tickets, their queue, transcripts and live events in one Redis.

    `redis` is a `redis.asyncio.Redis` (give it `socket_timeout`, see `from_url`);
    `clock` returns epoch seconds (tests inject one).
    """

    def __init__(self, redis: Any, keys: Optional[HandoffKeys] = None, *,
                 clock: Callable[[], float] = time.time,
                 retention: Optional[RetentionSettings] = None) -> None:
        self.redis = redis
        self.keys = keys or HandoffKeys()
        self.clock = clock
        self.retention = retention or RetentionSettings()

    @classmethod
    def from_url(cls, url: str, prefix: str = "socialcare", *, timeout: float = 5.0,
                 clock: Callable[[], float] = time.time) -> "TicketStore":
        """A store on a new client for `url` with connect/read timeouts of `timeout` s."""
        client = aioredis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                         decode_responses=True)
        return cls(client, HandoffKeys(prefix), clock=clock)

    async def close(self) -> None:
        """Close the client's connections."""
        await self.redis.close()

    # ------------------------------------------------------------------ reading
    async def get(self, ticket_id: str) -> Ticket:
        """The ticket; raises TicketNotFound."""
        raw = await self.redis.get(self.keys.ticket(ticket_id))
        if raw is None:
            raise TicketNotFound(ticket_id)
        return Ticket.loads(raw)

    async def _many(self, ids: List[Any]) -> List[Ticket]:
        if not ids:
            return []
        raws = await self.redis.mget([self.keys.ticket(_text(i)) for i in ids])
        return [Ticket.loads(r) for r in raws if r is not None]

    async def active_ticket(self, sender_id: str) -> Optional[Ticket]:
        """The sender's unresolved ticket, if any (the bot must stay quiet while it exists)."""
        ticket_id = await self.redis.get(self.keys.active(sender_id))
        if ticket_id is None:
            return None
        try:
            return await self.get(_text(ticket_id))
        except TicketNotFound:
            return None

    async def list_open(self, limit: int = 200) -> List[Ticket]:
        """Open (unclaimed) tickets, earliest SLA deadline first."""
        return await self._many(await self.redis.zrange(self.keys.queue, 0, max(0, limit - 1)))

    async def list_claimed(self, agent: Optional[str] = None, limit: int = 200) -> List[Ticket]:
        """Claimed tickets (of one agent when `agent` is given), oldest claim first."""
        tickets = await self._many(await self.redis.zrange(self.keys.claimed, 0, max(0, limit - 1)))
        return [t for t in tickets if agent is None or t.owner == agent]

    async def list_resolved(self, limit: int = 50, offset: int = 0) -> List[Ticket]:
        """Resolved tickets, newest first."""
        ids = await self.redis.zrevrange(self.keys.resolved, offset, offset + max(0, limit - 1))
        return await self._many(ids)

    async def tickets_of(self, sender_id: str, limit: int = 20) -> List[Ticket]:
        """A sender's tickets, newest first (the dossier's "earlier tickets")."""
        return await self._many(await self.redis.zrevrange(self.keys.customer(sender_id), 0, limit - 1))

    async def search(self, query: str, limit: int = 20, scan: int = 1000) -> List[Ticket]:
        """Tickets (resolved, claimed and open; newest resolved first) matching every word.

        Matches against id, sender, channel, owner, reasons, resolution and the dossier
        (summary, profile, transcript). Scans at most `scan` resolved tickets.
        """
        words = [w for w in query.lower().split() if w]
        ids = list(await self.redis.zrevrange(self.keys.resolved, 0, scan - 1))
        ids += list(await self.redis.zrange(self.keys.claimed, 0, -1))
        ids += list(await self.redis.zrange(self.keys.queue, 0, -1))
        found: List[Ticket] = []
        for start in range(0, len(ids), 100):
            for ticket in await self._many(ids[start:start + 100]):
                blob = json.dumps(ticket.as_json(), ensure_ascii=False).lower()
                if all(w in blob for w in words):
                    found.append(ticket)
                    if len(found) >= limit:
                        return found
        return found

    async def transcript(self, ticket_id: str) -> List[Tuple[str, TranscriptTurn]]:
        """Live transcript turns appended since the handoff, oldest first, with entry ids."""
        entries = await self.redis.xrange(self.keys.transcript(ticket_id))
        return [(e.entry_id, e.turn) for e in parse_entries(ticket_id, entries) if e.kind == "turn"]

    async def stats(self, online_window_s: float = 90.0) -> QueueStats:
        """Queue length, claimed count and agents seen within `online_window_s`."""
        now = self.clock()
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zcard(self.keys.queue)
            pipe.zcard(self.keys.claimed)
            pipe.zcount(self.keys.agents, now - online_window_s, "+inf")
            open_, claimed, online = await pipe.execute()
        return QueueStats(int(open_), int(claimed), int(online))

    async def position(self, ticket_id: str) -> Optional[int]:
        """How many open tickets are ahead of this one in the queue (None: not open)."""
        rank = await self.redis.zrank(self.keys.queue, ticket_id)
        return None if rank is None else int(rank)

    async def heartbeat(self, agent: str) -> None:
        """Mark `agent` online now (the console calls this every ~30 s per session)."""
        await self.redis.zadd(self.keys.agents, {agent: self.clock()})

    async def agents_online(self, online_window_s: float = 90.0) -> List[str]:
        """Agents with a heartbeat within `online_window_s`."""
        ids = await self.redis.zrangebyscore(self.keys.agents, self.clock() - online_window_s, "+inf")
        return [_text(i) for i in ids]

    async def sign_off(self, agent: str) -> None:
        """Mark `agent` offline (logout)."""
        await self.redis.zrem(self.keys.agents, agent)

    # ------------------------------------------------------------------ writing
    async def create(self, ticket: Ticket) -> Tuple[Ticket, bool]:
        """Store a new open ticket, or merge into the sender's unresolved one.

        Returns ``(ticket, created)``. When the sender already has an unresolved ticket
        its reasons are extended, its priority raised to the more urgent one and the
        earlier SLA deadline kept; the dossier is replaced by the newer snapshot.
        """
        now = self.clock()
        active_key = self.keys.active(ticket.sender_id)
        for attempt in range(MAX_RETRIES):
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(active_key)
                    existing_id = await pipe.get(active_key)
                    if existing_id is not None:
                        existing_key = self.keys.ticket(_text(existing_id))
                        await pipe.watch(existing_key)
                        raw = await pipe.get(existing_key)
                        if raw is not None and Ticket.loads(raw).status != RESOLVED:
                            merged = rules.merged(Ticket.loads(raw), ticket, now)
                            pipe.multi()
                            pipe.set(existing_key, merged.dumps())
                            self._index(pipe, merged)
                            self._status_event(pipe, merged, "updated", None)
                            await pipe.execute()
                            return merged, False
                    fresh = replace(ticket, status=OPEN, owner=None, created_at=ticket.created_at or now,
                                    updated_at=now, history=({"at": now, "action": "created", "agent": None},))
                    pipe.multi()
                    pipe.set(self.keys.ticket(fresh.id), fresh.dumps())
                    pipe.set(active_key, fresh.id)
                    pipe.zadd(self.keys.customer(fresh.sender_id), {fresh.id: fresh.created_at})
                    pipe.persist(self.keys.customer(fresh.sender_id))  # an open ticket: kept
                    self._index(pipe, fresh)
                    self._status_event(pipe, fresh, "created", None)
                    await pipe.execute()
                    logger.info("handoff.ticket_created ticket=%s priority=%s channel=%s",
                                fresh.id, fresh.priority, fresh.channel)
                    return fresh, True
                except WatchError:
                    await _backoff(attempt)
        raise StoreBusy("create")

    async def claim(self, ticket_id: str, agent: str) -> Ticket:
        """Give an open ticket to `agent` (idempotent for its owner); atomic.

        Raises TicketOwned when another agent owns it, InvalidTransition when resolved.
        """
        return await self._transition(ticket_id, "claimed", agent, lambda t, now: rules.claimed(t, agent, now))

    async def release(self, ticket_id: str, agent: str, *, force: bool = False) -> Ticket:
        """Put a claimed ticket back in the queue (the conversation stays paused)."""
        return await self._transition(ticket_id, "released", agent, lambda t, now: rules.released(t, agent, now, force))

    async def transfer(self, ticket_id: str, agent: str, to_agent: str, *, force: bool = False) -> Ticket:
        """Hand a claimed ticket from `agent` to `to_agent` (a supervisor uses `force`)."""
        rules.check_transfer_target(to_agent)
        return await self._transition(ticket_id, "transferred", agent,
                                      lambda t, now: rules.transferred(t, agent, to_agent, now, force))

    async def resolve(self, ticket_id: str, agent: str, resolution: str = "", *,
                      force: bool = False, ask_csat: bool = False) -> Ticket:
        """Close the ticket; clears the sender's active flag (the bot may talk again).

        With `ask_csat` the sender is marked as owing a satisfaction score for this ticket
        (`keys.csat`, TTL one day). Resuming the Rasa conversation is `handoff.relay`'s job.
        """
        return await self._transition(ticket_id, "resolved", agent,
                                      lambda t, now: rules.resolved(t, agent, resolution, now, force),
                                      ask_csat=ask_csat)

    async def set_csat(self, ticket_id: str, score: int) -> Ticket:
        """Store the customer's satisfaction score (1..5) on a ticket."""
        rules.check_score(score)
        ticket = await self._transition(ticket_id, "csat", None, lambda t, now: rules.rated(t, score, now))
        await self.redis.delete(self.keys.csat(ticket.sender_id))
        return ticket

    async def csat_pending(self, sender_id: str) -> Optional[str]:
        """The ticket id the sender owes a CSAT score for, if asked within a day."""
        value = await self.redis.get(self.keys.csat(sender_id))
        return _text(value) if value is not None else None

    async def append_turn(self, ticket_id: str, turn: TranscriptTurn) -> str:
        """Add a turn to the ticket's live transcript; returns the stream entry id."""
        entry = await self.redis.xadd(
            self.keys.transcript(ticket_id),
            {"kind": "turn", "data": json.dumps(turn.as_json(), ensure_ascii=False)},
            maxlen=TRANSCRIPT_MAXLEN, approximate=True,
        )
        return _text(entry)

    async def record_read(self, ticket_id: str, user: str, role: str, at: Optional[float] = None) -> Ticket:
        """Append ``{"at", "action": "read", "agent", "role"}`` to the history (the audit of who
        read the dossier); atomic, no `updated_at` change, no live event. If the last entry is
        the same user's read less than READ_COALESCE_S ago it is not repeated. TicketNotFound."""
        key, when = self.keys.ticket(ticket_id), self.clock() if at is None else at
        entry = {"at": when, "action": "read", "agent": user, "role": role}
        for attempt in range(MAX_RETRIES):
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    if raw is None:
                        raise TicketNotFound(ticket_id)
                    ticket = Ticket.loads(raw)
                    last = dict(ticket.history[-1]) if ticket.history else {}
                    if {**last, "at": when} == entry and 0 <= when - float(last["at"] or 0) < READ_COALESCE_S:
                        await pipe.unwatch()
                        return ticket
                    read = replace(ticket, history=ticket.history + (entry,))
                    pipe.multi()
                    pipe.set(key, read.dumps(), keepttl=True)  # a resolved ticket keeps its expiry
                    await pipe.execute()
                    logger.info("handoff.ticket_read ticket=%s agent=%s role=%s", ticket_id, user, role)
                    return read
                except WatchError:
                    await _backoff(attempt)
        raise StoreBusy("read")

    # ------------------------------------------------------------------ live events
    async def subscribe(self, ticket_id: str, last_id: str = "$", *, block_ms: int = 1000,
                        stop: Optional[asyncio.Event] = None) -> AsyncIterator[TicketEvent]:
        """Yield the ticket's events after `last_id`, forever (until `stop` is set).

        Reads with XREAD BLOCK `block_ms` (keep it below the client's socket timeout).
        ``"0"`` replays the whole stream first; ``"$"`` starts with the next event.
        """
        async for event in follow(self.redis, self.keys.transcript(ticket_id), ticket_id, last_id, block_ms, stop):
            yield event

    async def feed(self, last_id: str = "$", *, block_ms: int = 1000,
                   stop: Optional[asyncio.Event] = None) -> AsyncIterator[TicketEvent]:
        """Yield queue-wide events (created, claimed, released, transferred, resolved, csat)."""
        async for event in follow(self.redis, self.keys.feed, "", last_id, block_ms, stop):
            yield event

    # ------------------------------------------------------------------ internals
    async def _transition(self, ticket_id: str, action: str, agent: Optional[str],
                          change: Callable[[Ticket, float], Ticket], *, ask_csat: bool = False) -> Ticket:
        key = self.keys.ticket(ticket_id)
        for attempt in range(MAX_RETRIES):
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    if raw is None:
                        raise TicketNotFound(ticket_id)
                    old = Ticket.loads(raw)
                    new = change(old, self.clock())
                    if new is old:
                        await pipe.unwatch()
                        return old
                    active_key = self.keys.active(new.sender_id)
                    if new.status == RESOLVED:
                        await pipe.watch(active_key)
                        active_is_this = _text(await pipe.get(active_key) or "") == new.id
                    pipe.multi()
                    pipe.set(key, new.dumps())
                    self._index(pipe, new)
                    if new.status == RESOLVED and old.status != RESOLVED:
                        if active_is_this:
                            pipe.delete(active_key)
                        if ask_csat:
                            pipe.set(self.keys.csat(new.sender_id), new.id, ex=CSAT_TTL_S)
                    self._status_event(pipe, new, action, agent)
                    if new.status == RESOLVED:
                        self._expire_resolved(pipe, new, clear_customer=active_is_this)
                    await pipe.execute()
                    logger.info("handoff.ticket_%s ticket=%s agent=%s", action, new.id, agent)
                    return new
                except WatchError:
                    await _backoff(attempt)
        raise StoreBusy(action)

    def _expire_resolved(self, pipe: Any, ticket: Ticket, *, clear_customer: bool) -> None:
        """Retention (`core.retention`): a resolved ticket and its transcript expire their
        TTL after the resolve (EXPIREAT, so a later write such as the CSAT keeps the date);
        resolved index entries older than the TTL are pruned. Open tickets never expire."""
        resolved_at = ticket.resolved_at or ticket.updated_at
        ticket_ttl, transcript_ttl = self.retention.ticket_ttl_s, self.retention.transcript_ttl_s
        if ticket_ttl is not None:
            pipe.expireat(self.keys.ticket(ticket.id), int(resolved_at + ticket_ttl))
            pipe.zremrangebyscore(self.keys.resolved, "-inf", self.clock() - ticket_ttl)
            if clear_customer:  # the sender has no other unresolved ticket
                pipe.expireat(self.keys.customer(ticket.sender_id), int(resolved_at + ticket_ttl))
        if transcript_ttl is not None:
            pipe.expireat(self.keys.transcript(ticket.id), int(resolved_at + transcript_ttl))

    def _index(self, pipe: Any, ticket: Ticket) -> None:
        keys = self.keys
        if ticket.status == OPEN:
            pipe.zadd(keys.queue, {ticket.id: ticket.sla_deadline})
            pipe.zrem(keys.claimed, ticket.id)
        elif ticket.status == CLAIMED:
            pipe.zrem(keys.queue, ticket.id)
            pipe.zadd(keys.claimed, {ticket.id: ticket.claimed_at or ticket.updated_at})
        else:
            pipe.zrem(keys.queue, ticket.id)
            pipe.zrem(keys.claimed, ticket.id)
            pipe.zadd(keys.resolved, {ticket.id: ticket.resolved_at or ticket.updated_at})

    def _status_event(self, pipe: Any, ticket: Ticket, action: str, agent: Optional[str]) -> None:
        data = {"ticket_id": ticket.id, "action": action, "status": ticket.status, "owner": ticket.owner,
                "agent": agent, "priority": ticket.priority, "csat": ticket.csat, "at": ticket.updated_at}
        payload = json.dumps(data)
        pipe.xadd(self.keys.transcript(ticket.id), {"kind": "status", "data": payload},
                  maxlen=TRANSCRIPT_MAXLEN, approximate=True)
        pipe.xadd(self.keys.feed, {"kind": "status", "data": payload}, maxlen=FEED_MAXLEN, approximate=True)


async def _backoff(attempt: int) -> None:
    await asyncio.sleep(random.uniform(0, 0.002 * min(attempt + 1, 10)))
