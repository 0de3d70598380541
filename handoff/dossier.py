"""The dossier an agent reads instead of asking the customer to repeat themselves (pure).

`build_dossier(tracker, ...)` takes a Rasa tracker as JSON (``sender_id``, ``slots``,
``events``: what the action server's `Tracker` or ``GET /conversations/<id>/tracker``
gives) and returns a JSON dict: reasons with scores, the full transcript (customer, bot,
agent and system turns with timestamps and channel), intents and confidences per customer
turn, entities and slots, backend look-ups with their results, the sentiment trajectory,
the customer profile, thread ids and the messaging window, suggested knowledge answers and
a ten-second extractive summary. No I/O, no framework imports.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from connectors.channels import channel_kind
from handoff.config import TeamConfig
from handoff.parse_data import sentiment_compound
from handoff.reasons import Reason
from handoff.summary import sentiment_trajectory, summarise
from handoff.tickets import AGENT, BOT, CUSTOMER, SYSTEM
from handoff.window import messaging_window

DOSSIER_VERSION = 1
# Bookkeeping slots that mean nothing to an agent.
INTERNAL_SLOTS = frozenset({
    "requested_slot", "invalid_input", "form_outcome", "person_offered", "offer_reason",
    "handoff_active", "handoff_reasons", "handoff_ticket", "session_started_metadata", "triage_decision",
})
LOOKUP_PREFIXES = ("action_submit_",)
AGENT_KEY = "handoff_agent"  # metadata key on BotUttered events written by handoff.relay
SYSTEM_ACTIONS = {"action_handoff": "handed to a person", "action_handoff_ticket": "ticket opened"}


def _meta(event: Mapping[str, Any]) -> Dict[str, Any]:
    metadata = event.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def _parse(event: Mapping[str, Any]) -> Dict[str, Any]:
    parse = event.get("parse_data")
    return parse if isinstance(parse, dict) else {}


def _sentiment(parse: Mapping[str, Any]) -> Optional[float]:
    value = sentiment_compound(parse)
    return round(value, 4) if value is not None else None


def _channel(event: Mapping[str, Any], default: str) -> str:
    """The turn's channel kind (as the intake wrote it), else the conversation's."""
    if _meta(event).get("channel") or event.get("input_channel"):
        return channel_kind(event.get("input_channel"), _meta(event))
    return default


def _entities(parse: Mapping[str, Any]) -> List[Dict[str, Any]]:
    return [{"entity": e.get("entity"), "value": e.get("value")} for e in parse.get("entities") or []
            if isinstance(e, Mapping) and e.get("entity")]


def customer_turn(event: Mapping[str, Any], channel: str) -> Dict[str, Any]:
    """A UserUttered event as a transcript turn with its NLU reading."""
    parse = _parse(event)
    intent = parse.get("intent") or {}
    ranking = [{"name": r.get("name"), "confidence": round(float(r.get("confidence") or 0), 4)}
               for r in (parse.get("intent_ranking") or [])[:3] if isinstance(r, Mapping)]
    language = parse.get("language") if isinstance(parse.get("language"), Mapping) else None
    return {
        "speaker": CUSTOMER, "text": event.get("text") or "", "timestamp": event.get("timestamp"),
        "channel": _channel(event, channel), "intent": intent.get("name"),
        "confidence": round(float(intent.get("confidence") or 0.0), 4), "ranking": ranking,
        "entities": _entities(parse), "sentiment": _sentiment(parse),
        "language": language.get("code") if language else None,
    }


def transcript_of(events: Sequence[Mapping[str, Any]], channel: str) -> List[Dict[str, Any]]:
    """Every customer, bot, agent and system turn, in order."""
    turns: List[Dict[str, Any]] = []
    current = channel
    for event in events:
        kind = event.get("event")
        if kind == "user":
            turn = customer_turn(event, current)
            current = turn["channel"]
            turns.append(turn)
        elif kind == "bot":
            agent = _meta(event).get(AGENT_KEY)
            turns.append({"speaker": AGENT if agent else BOT, "text": event.get("text") or "",
                          "timestamp": event.get("timestamp"), "channel": current, "agent": agent})
        elif kind == "action" and event.get("name") in SYSTEM_ACTIONS:
            turns.append({"speaker": SYSTEM, "text": SYSTEM_ACTIONS[event["name"]],
                          "timestamp": event.get("timestamp"), "channel": current})
        elif kind in ("pause", "resume"):
            text = "conversation paused for an agent" if kind == "pause" else "bot resumed"
            turns.append({"speaker": SYSTEM, "text": text, "timestamp": event.get("timestamp"), "channel": current})
    return turns


def lookups_of(events: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """Backend look-ups the bot made (submit actions and identity checks) with their results.

    `inputs`: the conversation's non-internal slots at the time; `result`: what the bot
    told the customer right after; `outcome`: ok / not_found / backend_error / not_allowed.
    """
    slots: Dict[str, Any] = {}
    lookups: List[Dict[str, Any]] = []
    current: Optional[Dict[str, Any]] = None
    for event in events:
        kind = event.get("event")
        if kind == "slot":
            slots[str(event.get("name"))] = event.get("value")
            if current is not None and event.get("name") == "verified_booking" and event.get("value"):
                current["outcome"] = "ok"
            continue
        if kind == "bot" and current is not None:
            current["result"].append(event.get("text") or "")
            template = str(_meta(event).get("utter_action") or "")
            if "not_found" in template:
                current["outcome"] = "not_found"
            elif "handoff_backend" in template:
                current["outcome"] = "backend_error"
            elif template.startswith("utter_not_allowed") or "not_allowed" in template:
                current["outcome"] = "not_allowed"
            continue
        if kind in ("action", "user"):
            if current is not None and (current["result"] or current["action"].startswith(LOOKUP_PREFIXES)):
                lookups.append(current)
            current = None
            name = str(event.get("name") or "")
            if kind == "action" and (name.startswith(LOOKUP_PREFIXES) or name.startswith("validate_")):
                inputs = {k: v for k, v in slots.items() if v is not None and k not in INTERNAL_SLOTS}
                current = {"action": name, "at": event.get("timestamp"), "inputs": inputs,
                           "outcome": "ok", "result": []}
    if current is not None and (current["result"] or current["action"].startswith(LOOKUP_PREFIXES)):
        lookups.append(current)
    # A validation step that said nothing is not a look-up; one that answered is.
    return [item for item in lookups if item["action"].startswith(LOOKUP_PREFIXES)
            or item["outcome"] != "ok" or any(item["result"])]


def profile_of(events: Sequence[Mapping[str, Any]], sender_id: str, channel: str,
               extra: Optional[Mapping[str, Any]] = None,
               earlier_tickets: Iterable[Mapping[str, Any]] = ()) -> Dict[str, Any]:
    """Platform, handle, display name, followers (latest message that has them), tier, history."""
    profile: Dict[str, Any] = {"sender_id": sender_id, "channel": channel, "platform": None, "user_id": None,
                               "handle": None, "display_name": None, "followers": None, "loyalty_tier": None}
    for event in events:
        if event.get("event") != "user":
            continue
        meta = _meta(event)
        for key, field in (("platform", "platform"), ("user_id", "user_id"), ("author_handle", "handle"),
                           ("author_name", "display_name"), ("author_followers", "followers")):
            if meta.get(key) is not None:
                profile[field] = meta[key]
    profile["platform"] = profile["platform"] or ("rest" if channel == "rest" else None)
    profile.update({k: v for k, v in (extra or {}).items() if v is not None})
    profile["earlier_tickets"] = [dict(t) for t in earlier_tickets]
    return profile


def thread_of(events: Sequence[Mapping[str, Any]], channel: str, now: float, config: TeamConfig) -> Dict[str, Any]:
    """Thread/post ids of the conversation and the messaging window as of `now`."""
    thread: Dict[str, Any] = {"thread_id": None, "account_id": None, "last_post_id": None,
                              "public": channel == "twitter_mention", "last_customer_at": None}
    for event in events:
        if event.get("event") != "user":
            continue
        meta = _meta(event)
        thread["last_customer_at"] = event.get("timestamp")
        for key, field in (("thread_id", "thread_id"), ("account_id", "account_id"),
                           ("tweet_id", "last_post_id"), ("platform_event_id", "last_post_id")):
            if meta.get(key):
                thread[field] = str(meta[key])
    window = messaging_window(channel, thread["last_customer_at"], now, config)
    thread["window"] = window.as_json()
    return thread


def build_dossier(tracker: Mapping[str, Any], *, reasons: Sequence[Reason], channel: str, now: float,
                  config: TeamConfig, profile_extra: Optional[Mapping[str, Any]] = None,
                  earlier_tickets: Iterable[Mapping[str, Any]] = (),
                  knowledge: Sequence[Mapping[str, Any]] = ()) -> Dict[str, Any]:
    """The whole dossier (see the module docstring) as a JSON-ready dict.

    `knowledge`: suggestions from `handoff.suggest.suggest_answers` (computed by the
    caller, which owns the knowledge base); `profile_extra`: e.g. ``{"loyalty_tier": "gold"}``.
    """
    events = [e for e in tracker.get("events") or [] if isinstance(e, Mapping)]
    sender_id = str(tracker.get("sender_id") or "")
    transcript = transcript_of(events, channel)
    customer = [t for t in transcript if t["speaker"] == CUSTOMER]
    slots = {k: v for k, v in (tracker.get("slots") or {}).items() if v is not None and k not in INTERNAL_SLOTS}
    entities: List[Dict[str, Any]] = []
    for index, turn in enumerate(customer):
        for entity in turn["entities"]:
            item = {**entity, "turn": index}
            if not any(e["entity"] == item["entity"] and e["value"] == item["value"] for e in entities):
                entities.append(item)
    lookups = lookups_of(events)
    profile = profile_of(events, sender_id, channel, profile_extra, earlier_tickets)
    reasons_json = [r.as_json() for r in reasons]
    trajectory = sentiment_trajectory(customer)
    dossier = {
        "v": DOSSIER_VERSION,
        "sender_id": sender_id,
        "channel": channel,
        "built_at": now,
        "reasons": reasons_json,
        "transcript": transcript,
        "intents": [{"timestamp": t["timestamp"], "intent": t["intent"], "confidence": t["confidence"],
                     "ranking": t["ranking"]} for t in customer],
        "entities": entities,
        "slots": slots,
        "lookups": lookups,
        "sentiment": trajectory,
        "profile": profile,
        "thread": thread_of(events, channel, now, config),
        "knowledge": [dict(k) for k in knowledge],
    }
    dossier["summary"] = summarise(dossier)
    return dossier
