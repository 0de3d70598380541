"""Erasure of one customer's data (pure): what belongs to them and which keys to delete.

One customer is an ``ErasureTarget`` (platform ``facebook`` or ``twitter`` and the
platform's user id: the Messenger PSID / app-scoped id, the X user id). Their data in
Redis, and how it is recognised:

* Rasa trackers: ``{p}:tracker:{user}`` (the Rasa sender id of Messenger and of X is the
  customer's id), plus any other tracker with a user event whose metadata names them
  (``user_id`` and ``platform``, written by `connectors.intake.turns`), e.g. an X thread
  tracker from before trackers were keyed by author. Rasa's lock ``{p}:lock:{user}``.
* Tickets whose sender is the customer (or whose dossier names their id) on a channel of
  that platform, with their transcripts, index entries (queue, claimed, resolved), the
  sender's ``active``/``csat``/``customer`` keys, their place in the ``paused`` index and
  the feed entries about them.
* Intake stream entries of the platform whose event's sender is the customer (XDEL, XACK
  in the consumer group, their counters), the entry ids in shared conversations' pending
  lists, and every key of the customer's own conversation (pending, standby, options,
  outbox, ...) and its place in the outbox schedule.
* Dead letters that name the customer (the conversation, or an id field in their data).

Kept: the dedup markers ``{p}:dedup:{platform}:{event id}`` hold a platform message id
and ``1``, nothing about the person, expire in 48 h, and keep a redelivery of an erased
message from being taken in again.

`plan_erasure` turns what was read (`Inventory`) into an `ErasurePlan`; the I/O is in
`handoff.erasure_run`. The plan's ``counts`` are the summary: numbers, no personal data.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from connectors.events import FACEBOOK, TWITTER
from connectors.intake.keys import IntakeKeys
from handoff.keys import HandoffKeys

__all__ = ["ErasureTarget", "Inventory", "ErasurePlan", "plan_erasure", "mentions_user", "PLATFORMS"]

PLATFORMS = (FACEBOOK, TWITTER)
PLATFORM_OF_CHANNEL = {"messenger": FACEBOOK, "twitter_dm": TWITTER, "twitter_mention": TWITTER}
_MAX_DEPTH = 32
Entry = Tuple[str, Dict[str, str]]


@dataclass(frozen=True)
class ErasureTarget:
    """One customer on one platform (``repr`` leaves the id out)."""

    platform: str
    user_id: str = field(repr=False)

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise ValueError(f"platform must be one of {', '.join(PLATFORMS)}")
        user = self.user_id
        if not isinstance(user, str) or not user or len(user) > 128 or any(c.isspace() for c in user):
            raise ValueError("user id must be a non-empty token of at most 128 characters")


@dataclass
class Inventory:
    """What the executor read from Redis (candidates; `plan_erasure` decides)."""

    stream_entries: List[Entry] = field(default_factory=list)  # the platform's intake stream
    dead_letters: List[Entry] = field(default_factory=list)  # the dead-letter stream
    trackers: List[Tuple[str, str]] = field(default_factory=list)  # (key, raw JSON)
    tickets: List[Tuple[str, str]] = field(default_factory=list)  # (ticket id, raw JSON)
    conversation_keys: List[str] = field(default_factory=list)  # keys of the customer's own conversation
    feed_entries: List[Entry] = field(default_factory=list)  # handoff feed


@dataclass
class ErasurePlan:
    """Redis operations that erase the customer, and the counts of what they remove."""

    delete_keys: List[str] = field(default_factory=list)
    xdel: Dict[str, List[str]] = field(default_factory=dict)  # stream -> entry ids
    xack: Dict[str, List[str]] = field(default_factory=dict)  # stream -> entry ids (consumer group)
    zrem: Dict[str, List[str]] = field(default_factory=dict)  # sorted set -> members
    lrem: Dict[str, List[str]] = field(default_factory=dict)  # list -> values
    counts: Dict[str, int] = field(default_factory=dict)

    def _add(self, table: Dict[str, List[str]], key: str, value: str) -> None:
        values = table.setdefault(key, [])
        if value not in values:
            values.append(value)

    def delete(self, key: str) -> None:
        """Delete ``key`` (once)."""
        if key not in self.delete_keys:
            self.delete_keys.append(key)


def _id_like(key: Any) -> bool:
    name = str(key).lower()
    return name in ("id", "id_str", "sender", "user", "psid", "user_ref") or name.endswith(("_id", "_id_str", "_ids"))


def mentions_user(value: Any, user_id: str, depth: int = 0) -> bool:
    """Whether ``value`` (decoded JSON) holds ``user_id`` under an id-like key
    (``id``, ``*_id``, ``id_str``, ``sender`` ...), at any depth (bounded)."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(value, dict):
        for key, item in value.items():
            if _id_like(key) and _is(item, user_id):
                return True
            if isinstance(item, (dict, list)) and mentions_user(item, user_id, depth + 1):
                return True
        return False
    if isinstance(value, list):
        return any(mentions_user(item, user_id, depth + 1) for item in value)
    return False


def _is(value: Any, user_id: str) -> bool:
    if isinstance(value, list):
        return any(_is(v, user_id) for v in value)
    return isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) == user_id


def _json(raw: Any) -> Any:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def intake_entry_is_theirs(fields: Mapping[str, str], target: ErasureTarget) -> bool:
    """An intake stream entry whose event was sent by the customer (or in their thread)."""
    document = _json(fields.get("data"))
    event = document.get("event") if isinstance(document, dict) else None
    if isinstance(event, dict) and _is(event.get("sender_id"), target.user_id):
        return True
    return fields.get("thread") == target.user_id


def dead_letter_is_theirs(fields: Mapping[str, str], target: ErasureTarget) -> bool:
    """A dead letter of the platform (or of none) that names the customer."""
    platform = fields.get("platform")
    if platform and platform != target.platform:
        return False
    if fields.get("thread") == target.user_id:
        return True
    for key, raw in fields.items():
        if _id_like(key) and raw == target.user_id:
            return True
        if target.user_id in (raw or "") and mentions_user(_json(raw), target.user_id):
            return True
    return False


def tracker_is_theirs(key: str, raw: str, target: ErasureTarget, keys: IntakeKeys) -> bool:
    """The customer's own tracker, or one with a user event of theirs in its metadata."""
    if key == keys.tracker(target.user_id):
        return True
    if target.user_id not in (raw or ""):
        return False
    document = _json(raw)
    events = document.get("events") if isinstance(document, dict) else None
    for event in events if isinstance(events, list) else []:
        meta = event.get("metadata") if isinstance(event, dict) and event.get("event") == "user" else None
        if isinstance(meta, dict) and _is(meta.get("user_id"), target.user_id) \
                and meta.get("platform") in (target.platform, None):
            return True
    return False


def ticket_is_theirs(raw: str, target: ErasureTarget) -> Optional[Dict[str, Any]]:
    """The ticket's JSON when it is the customer's (a channel of the platform and their
    sender id, or their id in the dossier), else None."""
    document = _json(raw)
    if not isinstance(document, dict) or PLATFORM_OF_CHANNEL.get(str(document.get("channel"))) != target.platform:
        return None
    if _is(document.get("sender_id"), target.user_id) or mentions_user(document.get("dossier"), target.user_id):
        return document
    return None


def plan_erasure(target: ErasureTarget, inventory: Inventory, ikeys: IntakeKeys, hkeys: HandoffKeys) -> ErasurePlan:
    """What to delete for ``target`` given what was read (see the module docstring)."""
    plan = ErasurePlan()
    user, platform = target.user_id, target.platform
    trackers = [key for key, raw in inventory.trackers if tracker_is_theirs(key, raw, target, ikeys)]
    for key in trackers:
        plan.delete(key)
    plan.delete(ikeys.lock(user))

    tickets = [doc for _id, raw in inventory.tickets if (doc := ticket_is_theirs(raw, target)) is not None]
    ticket_ids = {str(doc["id"]) for doc in tickets}
    senders = {user} | {str(doc.get("sender_id")) for doc in tickets}
    for ticket_id in sorted(ticket_ids):
        plan.delete(hkeys.ticket(ticket_id))
        plan.delete(hkeys.transcript(ticket_id))
        for index in (hkeys.queue, hkeys.claimed, hkeys.resolved):
            plan._add(plan.zrem, index, ticket_id)
    for sender in sorted(senders):
        for key in (hkeys.active(sender), hkeys.csat(sender), hkeys.customer(sender)):
            plan.delete(key)
        plan._add(plan.zrem, hkeys.paused, sender)  # the reconciler's index of paused conversations
    feed = [entry_id for entry_id, fields in inventory.feed_entries
            if str((_json(fields.get("data")) or {}).get("ticket_id")) in ticket_ids]
    for entry_id in feed:
        plan._add(plan.xdel, hkeys.feed, entry_id)

    stream = ikeys.stream(platform)
    entries = [(entry_id, fields) for entry_id, fields in inventory.stream_entries
               if intake_entry_is_theirs(fields, target)]
    for entry_id, fields in entries:
        plan._add(plan.xdel, stream, entry_id)
        plan._add(plan.xack, stream, entry_id)
        plan.delete(ikeys.failures(platform, entry_id))
        plan.delete(ikeys.starts(platform, entry_id))
        plan.delete(ikeys.outbox_recorded(platform, entry_id))
        thread = fields.get("thread") or ""
        if thread and thread != user:  # a shared conversation: only their entries leave it
            plan._add(plan.lrem, ikeys.pending(platform, thread), entry_id)
    for key in inventory.conversation_keys:
        plan.delete(key)
    plan._add(plan.zrem, ikeys.outbox_due(platform), user)

    dead = [entry_id for entry_id, fields in inventory.dead_letters if dead_letter_is_theirs(fields, target)]
    for entry_id in dead:
        plan._add(plan.xdel, ikeys.dead_letter(), entry_id)

    plan.counts = {
        "trackers": len(trackers),
        "tickets": len(ticket_ids),
        "transcripts": len(ticket_ids),
        "feed_entries": len(feed),
        "stream_entries": len(entries),
        "conversation_keys": len(inventory.conversation_keys),
        "dead_letters": len(dead),
    }
    return plan
