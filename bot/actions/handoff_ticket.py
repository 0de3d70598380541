"""`action_handoff_ticket`: queue the conversation for a person, tell the customer the wait,
and pause the bot.

Every handoff (`bot.actions.handoff_events.handoff_events`) ends with a FollowupAction to
this action. It builds the dossier from the tracker (pure code in `handoff.dossier`), looks up
the loyalty tier when the conversation verified a member, opens or updates the ticket in
Redis, tells the customer the expected wait (or when the team is back) and returns
``action_listen`` + ``ConversationPaused``: from then on Rasa logs the customer's messages
(the event broker copies them to the ticket) without answering, until the agent resolves.
The sender goes into the handoff's index of paused conversations (`handoff.reconcile`),
so a conversation whose ticket is lost later is found and answered or resumed.

If the queue cannot be reached, the customer is told honestly and the bot stays active.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.backend import get_repository
from bot.actions.handoff_events import TICKET_ACTION
from bot.actions.knowledge_base import get_knowledge_base
from bot.actions.knowledge_index import get_index
from bot.actions.slots import HANDOFF_ACTIVE, HANDOFF_REASONS, HANDOFF_TICKET, LOYALTY_TIER
from bot.actions.tracker_read import channel_of, is_public, last_given_value
from handoff.config import load_handoff_settings
from handoff.connect import store_from_env
from handoff.opening import open_ticket
from handoff.reasons import reasons_from_slot
from handoff.reconcile import mark_paused
from handoff.wait import wait_message

logger = logging.getLogger(__name__)

TIMEOUT_S = 10.0
LOOKUP_TIMEOUT_S = 3.0

_store: Any = None


def get_store() -> Any:
    """The process-wide TicketStore, opened from the environment on first use."""
    global _store
    if _store is None:
        _store = store_from_env()
    return _store


def set_store(store: Any) -> None:
    """Use `store` from now on (tests); None reopens from the environment on next use."""
    global _store
    _store = store


def tracker_json(tracker: Tracker) -> Dict[str, Any]:
    """The parts of the tracker the dossier reads."""
    return {"sender_id": tracker.sender_id, "slots": dict(tracker.slots or {}),
            "events": list(tracker.events or []), "latest_input_channel": tracker.get_latest_input_channel()}


async def loyalty_tier(tracker: Tracker) -> Optional[str]:
    """The member's tier when the conversation gave a member number and last name (else None)."""
    member, last_name = last_given_value(tracker, "member_number"), last_given_value(tracker, "last_name")
    if not member or not last_name:
        return None
    try:
        account = await asyncio.wait_for(get_repository().loyalty_account(member, last_name), LOOKUP_TIMEOUT_S)
        return account.tier
    except Exception as exc:  # noqa: BLE001 - the tier is a nice-to-have for the dossier
        logger.info("handoff.tier_unavailable error=%s", type(exc).__name__)
        return None


def knowledge_entries() -> List[Any]:
    """Curated answers for the agent's suggestions (empty when unavailable)."""
    try:
        return list(get_knowledge_base().entries)
    except Exception as exc:  # noqa: BLE001
        logger.info("handoff.knowledge_unavailable error=%s", type(exc).__name__)
        return []


SUGGEST_MIN_SIMILARITY = 0.5
SUGGEST_TIMEOUT_S = 4.0  # the first call loads the encoder; past this the lexical suggestions serve


async def semantic_suggestions(texts: List[str], intents: List[str], limit: int = 3) -> Optional[List[Dict[str, Any]]]:
    """Knowledge answers for the agent ranked by MiniLM similarity to the customer's last
    messages (the same index as the bot's answers); None when the index is unavailable."""
    if not texts:
        return []
    try:
        query = " ".join(texts[-2:])
        ranked = await asyncio.wait_for(asyncio.to_thread(get_index().ranked, get_knowledge_base(), query),
                                        SUGGEST_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - suggestions are a nice-to-have
        logger.info("handoff.semantic_suggestions_unavailable error=%s", type(exc).__name__)
        return None
    return [
        {"id": e.id, "intent": e.intent, "answer": e.answer, "short_answer": e.short_answer,
         "score": round(float(score), 3)}
        for score, e in ranked[:limit] if score >= SUGGEST_MIN_SIMILARITY
    ]


class ActionHandoffTicket(Action):
    """Queues the conversation for a person (see the module docstring).

    Not a SafeAction: its own failure must not start another handoff.
    """

    def name(self) -> str:
        """Action name used in the domain."""
        return TICKET_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        """Open the ticket, tell the wait, pause; on failure apologise and keep listening."""
        try:
            reasons = reasons_from_slot(tracker.get_slot(HANDOFF_REASONS) or [])
            settings = load_handoff_settings()
            tier = await loyalty_tier(tracker)
            now = time.time()
            opened = await asyncio.wait_for(open_ticket(
                get_store(), tracker_json(tracker), reasons, channel=channel_of(tracker), now=now,
                config=settings.team, policy=settings.policy, profile_extra={"loyalty_tier": tier},
                knowledge_entries=knowledge_entries(), suggest=semantic_suggestions,
            ), TIMEOUT_S)
            await asyncio.wait_for(mark_paused(get_store(), tracker.sender_id, now), TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - never silence, never a stack trace
            logger.error("handoff.ticket_failed error=%s", type(exc).__name__)
            dispatcher.utter_message(response="utter_handoff_queue_unavailable")
            return [SlotSet(HANDOFF_ACTIVE, False), FollowupAction("action_listen")]
        logger.info("handoff.ticket_ready ticket=%s created=%s priority=%s wait=%s", opened.ticket.id,
                    opened.created, opened.ticket.priority, opened.wait.kind)
        if opened.created and not is_public(tracker):
            dispatcher.utter_message(text=wait_message(opened.wait))
        tier_events = [SlotSet(LOYALTY_TIER, tier)] if tier else []
        return tier_events + [SlotSet(HANDOFF_TICKET, opened.ticket.id), ActionExecuted("action_listen"),
                              ConversationPaused()]
