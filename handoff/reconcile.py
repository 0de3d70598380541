"""Reconciliation: no customer stays muted because their ticket was lost.

A handoff pauses the Rasa conversation until an agent resolves the ticket. If the ticket
disappears (expired, deleted by hand, Redis restored from an older file), nobody would
ever resume it. So the handoff keeps its own index of paused conversations
(`HandoffKeys.paused`, a zset sender -> paused at): `action_handoff_ticket` adds the
sender when it pauses, `Relay.resolve` removes it. A periodic pass (`Reconciler`, run by
the agent console, see below) looks at every indexed sender:

* a live (unresolved) ticket                 -> keep (a person will answer);
* the Rasa tracker is not paused any more    -> forget (resumed elsewhere, or expired);
* paused less than `reopen_hours` ago        -> reopen: a new ticket with the reasons of
  the tracker's ``handoff_reasons`` slot plus ``reconciled``, so a person still answers
  (the customer was already told a person would; nothing more is sent to them);
* paused longer                              -> resume the bot (``ConversationResumed``
  and the handoff slots reset): after that long a queue entry helps nobody, and the bot
  answers their next message instead of staying silent.

Conversations paused before the index existed are found once (`backfill_index`, at the
first pass of a Redis without the marker key): Rasa's RedisTrackerStore keeps each tracker
as JSON under ``{p}:tracker:{sender}``; a tracker whose latest pause is not followed by a
resume (or a restart / new session, which unpause in Rasa) is indexed with that pause's time.

The order of the checks (ticket first, then the tracker) matches `Relay.resolve` (Rasa
resumed first, then the ticket closed): a pass running during a resolve sees either the
live ticket or the resumed tracker, never "paused without a ticket".

Why the console process runs the pass: it is the one long-running process of ours that
already holds the Rasa API client (URL and token) and the ticket store, it exists once
(Rasa may run several consumer processes; the event broker lives in each), and its
lifecycle (``cleanup_ctx``) starts and stops the task cleanly. Without the console the
index simply waits for the next start. Logs carry counts and ticket ids, never text.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple

from redis.exceptions import ResponseError

from connectors.channels import channel_kind
from connectors.intake.keys import IntakeKeys
from core.settings import env_int
from handoff.config import TeamConfig
from handoff.opening import open_ticket
from handoff.rasa_api import resume_events
from handoff.reasons import Reason, flag, reasons_from_slot, unique_reasons
from handoff.store import TicketStore
from handoff.tickets import RESOLVED

logger = logging.getLogger(__name__)

KEEP, FORGET, REOPEN, RESUME = "keep", "forget", "reopen", "resume"
RECONCILED = "reconciled"
# Remove the sender only if the entry is not newer than the resolve (a new handoff since
# then keeps its entry).
_CLEAR = "local s = redis.call('ZSCORE', KEYS[1], ARGV[1]) " \
         "if s and tonumber(s) <= tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end return 0"


@dataclass(frozen=True)
class ReconcileSettings:
    """`interval_s`: seconds between passes (0: off); `reopen_hours`: a conversation paused
    less than this long ago gets a new ticket, an older one is resumed; `batch`: senders
    looked at per pass (oldest pause first)."""

    interval_s: int = 60
    reopen_hours: int = 24
    batch: int = 500

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "ReconcileSettings":
        """RECONCILE_INTERVAL_S (60, 0 = off), RECONCILE_REOPEN_HOURS (24), RECONCILE_BATCH (500)."""
        return cls(interval_s=env_int(env, "RECONCILE_INTERVAL_S", 60, minimum=0),
                   reopen_hours=env_int(env, "RECONCILE_REOPEN_HOURS", 24, minimum=0),
                   batch=env_int(env, "RECONCILE_BATCH", 500, minimum=1))


@dataclass
class ReconcileReport:
    """What one pass did, per outcome (``failed``: Rasa or Redis errors, retried next pass)."""

    counts: Dict[str, int] = field(default_factory=lambda: {KEEP: 0, FORGET: 0, REOPEN: 0, RESUME: 0, "failed": 0})
    reopened: List[str] = field(default_factory=list)

    def add(self, outcome: str) -> None:
        """Count one sender's outcome."""
        self.counts[outcome] = self.counts.get(outcome, 0) + 1


def decide(paused_at: float, now: float, *, live_ticket: bool, tracker_paused: bool, reopen_hours: float) -> str:
    """KEEP / FORGET / REOPEN / RESUME for one indexed sender (pure, see the module docstring)."""
    if live_ticket:
        return KEEP
    if not tracker_paused:
        return FORGET
    return REOPEN if now - paused_at < reopen_hours * 3600 else RESUME


def reconciled_reasons(tracker: Mapping[str, Any]) -> Tuple[Reason, ...]:
    """The tracker's handoff reasons (its ``handoff_reasons`` slot) plus ``reconciled`` (pure)."""
    slot = (tracker.get("slots") or {}).get("handoff_reasons") or []
    return unique_reasons(reasons_from_slot(slot if isinstance(slot, list) else [slot]) + (flag(RECONCILED),))


def tracker_channel(tracker: Mapping[str, Any]) -> str:
    """The channel kind of the tracker's latest customer message (pure)."""
    for event in reversed(tracker.get("events") or []):
        if isinstance(event, dict) and event.get("event") == "user":
            metadata = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
            return channel_kind(event.get("input_channel") or tracker.get("latest_input_channel"), metadata)
    return channel_kind(tracker.get("latest_input_channel"), {})


async def mark_paused(store: TicketStore, sender_id: str, at: float) -> None:
    """Index `sender_id` as paused by a handoff at `at` (a later pause moves the time)."""
    await store.redis.zadd(store.keys.paused, {sender_id: at})


async def clear_paused(store: TicketStore, sender_id: str, before: Optional[float] = None) -> None:
    """Drop `sender_id` from the index, unless it was paused again after `before` (default now)."""
    at = store.clock() if before is None else before
    await store.redis.eval(_CLEAR, 1, store.keys.paused, sender_id, repr(float(at)))


async def paused_senders(store: TicketStore, limit: int = 500) -> List[Tuple[str, float]]:
    """Indexed senders and their pause times, oldest first."""
    rows = await store.redis.zrange(store.keys.paused, 0, max(0, limit - 1), withscores=True)
    return [(m.decode() if isinstance(m, bytes) else str(m), float(score)) for m, score in rows]


UNPAUSING = ("resume", "restart", "session_started")


def last_pause_at(events: Iterable[Any]) -> Optional[float]:
    """When the latest pause happened, if nothing unpaused the conversation since (pure)."""
    paused_at: Optional[float] = None
    for event in events:
        kind = event.get("event") if isinstance(event, dict) else None
        if kind == "pause":
            paused_at = float(event.get("timestamp") or 0.0)
        elif kind in UNPAUSING:
            paused_at = None
    return paused_at


async def backfill_index(store: TicketStore, *, scan_count: int = 200) -> int:
    """Index the paused conversations of Rasa's stored trackers, once per Redis (the marker
    key is set when the scan is done); returns how many were added. Existing entries stay."""
    if await store.redis.exists(store.keys.paused_backfilled):
        return 0
    keys = IntakeKeys(store.keys.prefix)
    start = len(keys.tracker(""))
    added = 0
    async for key in store.redis.scan_iter(match=keys.tracker_pattern(), count=scan_count):
        key = key.decode() if isinstance(key, bytes) else str(key)
        try:
            raw = await store.redis.get(key)
            events = (json.loads(raw).get("events") or []) if raw else []
        except (ResponseError, TypeError, ValueError, AttributeError):
            continue  # not a tracker we can read (or a key of another type)
        at = last_pause_at(events)
        if at is not None:
            added += int(await store.redis.zadd(store.keys.paused, {key[start:]: at}, nx=True))
    await store.redis.set(store.keys.paused_backfilled, "1")
    logger.info("handoff.reconcile_backfilled added=%s", added)
    return added


async def reconcile_sender(store: TicketStore, rasa: Any, sender_id: str, paused_at: float, *, now: float,
                           settings: ReconcileSettings, config: TeamConfig) -> str:
    """Check one indexed sender and act; returns the outcome. Rasa/Redis errors propagate."""
    ticket = await store.active_ticket(sender_id)
    if ticket is not None and ticket.status != RESOLVED:
        return KEEP
    tracker = await rasa.tracker(sender_id)
    outcome = decide(paused_at, now, live_ticket=False, tracker_paused=bool(tracker.get("paused")),
                     reopen_hours=settings.reopen_hours)
    if outcome == FORGET:
        await clear_paused(store, sender_id, paused_at)
    elif outcome == REOPEN:
        tracker = {**tracker, "sender_id": sender_id}
        opened = await open_ticket(store, tracker, reconciled_reasons(tracker), channel=tracker_channel(tracker),
                                   now=now, config=config)
        logger.info("handoff.reconciled_ticket ticket=%s created=%s", opened.ticket.id, opened.created)
    elif outcome == RESUME:
        await rasa.append_events(sender_id, resume_events(now))
        await clear_paused(store, sender_id, paused_at)
    return outcome


async def reconcile_once(store: TicketStore, rasa: Any, *, settings: ReconcileSettings, config: TeamConfig,
                         now: Optional[float] = None) -> ReconcileReport:
    """One pass over the index (at most `settings.batch` senders); per-sender failures are
    counted and retried on the next pass."""
    now = store.clock() if now is None else now
    report = ReconcileReport()
    for sender_id, paused_at in await paused_senders(store, settings.batch):
        try:
            outcome = await reconcile_sender(store, rasa, sender_id, paused_at, now=now, settings=settings,
                                             config=config)
        except Exception as exc:  # noqa: BLE001 - Rasa or Redis away: the next pass tries again
            logger.warning("handoff.reconcile_failed error=%s", type(exc).__name__)
            outcome = "failed"
        report.add(outcome)
    if any(report.counts[k] for k in (FORGET, REOPEN, RESUME, "failed")):
        logger.info("handoff.reconcile_pass %s", " ".join(f"{k}={v}" for k, v in report.counts.items()))
    return report


class Reconciler:
    """Runs `reconcile_once` every `settings.interval_s` seconds on its own task."""

    def __init__(self, store: TicketStore, rasa: Any, settings: ReconcileSettings, config: TeamConfig, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.store, self.rasa, self.settings, self.config, self.clock = store, rasa, settings, config, clock
        self.passes = 0
        self._stop = asyncio.Event()
        self._task: Optional[asyncio.Task] = None

    def start(self) -> None:
        """Start the loop (no-op when the interval is 0 or it already runs)."""
        if self.settings.interval_s > 0 and self._task is None:
            self._stop.clear()
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        backfilled = False
        while not self._stop.is_set():
            try:
                if not backfilled:
                    await asyncio.wait_for(backfill_index(self.store), 300.0)
                    backfilled = True
            except Exception as exc:  # noqa: BLE001 - tried again before the next pass
                logger.warning("handoff.reconcile_backfill_failed error=%s", type(exc).__name__)
            try:
                await asyncio.wait_for(reconcile_once(self.store, self.rasa, settings=self.settings,
                                                      config=self.config, now=self.clock()),
                                       max(30.0, float(self.settings.interval_s)))
            except Exception as exc:  # noqa: BLE001 - Redis down and the like: try again later
                logger.warning("handoff.reconcile_pass_failed error=%s", type(exc).__name__)
            self.passes += 1
            try:
                await asyncio.wait_for(self._stop.wait(), self.settings.interval_s)
            except asyncio.TimeoutError:
                pass

    async def stop(self) -> None:
        """Stop the loop (waits for a running pass to be cancelled)."""
        self._stop.set()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
