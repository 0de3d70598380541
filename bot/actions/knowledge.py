"""`action_answer_knowledge`: answers informational questions from the curated knowledge.

The answer comes from semantic retrieval over the entries' question variants
(bot/actions/knowledge_index.py), decided on the same text on every channel; public
@mentions get the entry's short answer. Below the similarity thresholds the assistant asks
the customer to clarify once, then hands to a person: never a confident wrong answer.
The encoder runs in a worker thread so the action server's event loop is never blocked.
Logs carry entry ids, scores and decisions, never message text.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.handoff import CLARIFICATION_FAILED
from bot.actions.handoff_events import handoff_events
from bot.actions.knowledge_base import get_knowledge_base
from bot.actions.knowledge_entries import KnowledgeBase
from bot.actions.knowledge_index import ANSWER, CLARIFY, Retrieval, get_index
from bot.actions.safe_action import SafeAction
from bot.actions.tracker_read import FALLBACK_INTENT, is_public, latest_intent, latest_text
from handoff.reasons import flag

logger = logging.getLogger(__name__)

CLARIFY_RESPONSES = ("utter_clarify", "utter_clarify_in_form")
# Metadata key Rasa puts on a bot event sent from a domain response (a key, not a response).
RESPONSE_KEY = 'utter_action'  # single quotes: the domain test collects "utter_..." names


def question_intent(tracker: Tracker) -> str:
    """The intent to answer: the latest one, or the best guess behind an NLU fallback."""
    intent, _ = latest_intent(tracker)
    if intent != FALLBACK_INTENT:
        return intent
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    return next((c.get("name") for c in ranking if c.get("name") not in (None, FALLBACK_INTENT)), "")


def clarified_last_turn(tracker: Tracker) -> bool:
    """True when the bot's reply to the previous user message asked to clarify."""
    users = 0
    for event in reversed(list(tracker.events or [])):
        kind = event.get("event")
        if kind == "user":
            users += 1
            if users == 2:
                return False
        elif users == 1:
            metadata: Dict[str, Any] = event.get("metadata") or {}
            if kind == "bot" and metadata.get(RESPONSE_KEY) in CLARIFY_RESPONSES:
                return True
            if kind == "action" and event.get("name") == "action_clarify":
                return True
    return False


def retrieve(kb: KnowledgeBase, text: str, intent: str) -> Optional[Retrieval]:
    """The retrieval decision, or None when the encoder cannot run (logged)."""
    try:
        return get_index().lookup(kb, text, intent)
    except (ImportError, OSError, RuntimeError) as error:
        logger.error("knowledge retrieval unavailable: %s", type(error).__name__)
        return None


class ActionAnswerKnowledge(SafeAction):
    """Sends the retrieved answer (the short one on public @mentions), or clarifies/hands off."""

    def name(self) -> str:
        """Action name used in the domain and rules."""
        return "action_answer_knowledge"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        """Answer from the knowledge base when retrieval is confident; else clarify or hand off."""
        intent = question_intent(tracker)
        kb = get_knowledge_base()
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, retrieve, kb, latest_text(tracker), intent)
        if result is None:  # encoder unavailable: the intent's curated default, as before retrieval
            entry = kb.default_entry(intent)
            if entry is None:
                return handoff_events(dispatcher, tracker, [flag("no_knowledge", intent)],
                                      response="utter_no_knowledge")
            dispatcher.utter_message(text=entry.text(is_public(tracker)))
            return []
        logger.info("knowledge %s: %s", intent, result.reason())
        if result.decision == ANSWER and result.entry is not None:
            dispatcher.utter_message(text=result.entry.text(is_public(tracker)))
            return []
        if result.decision == CLARIFY and not clarified_last_turn(tracker):
            dispatcher.utter_message(response="utter_clarify")
            return []
        reasons = [result.handoff_reason()] + ([CLARIFICATION_FAILED] if result.decision == CLARIFY else [])
        return handoff_events(dispatcher, tracker, reasons, response="utter_no_knowledge")
