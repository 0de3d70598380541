"""`action_answer_knowledge`: answers informational questions from the curated knowledge."""
from __future__ import annotations

import logging
from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import FALLBACK_INTENT, SafeAction, is_public, latest_intent, latest_text
from bot.actions.handoff import handoff_events
from bot.actions.knowledge_base import get_knowledge_base

logger = logging.getLogger(__name__)


def question_intent(tracker: Tracker) -> str:
    """The intent to answer: the latest one, or the best guess behind an NLU fallback."""
    intent, _ = latest_intent(tracker)
    if intent != FALLBACK_INTENT:
        return intent
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    return next((c.get("name") for c in ranking if c.get("name") not in (None, FALLBACK_INTENT)), "")


class ActionAnswerKnowledge(SafeAction):
    """Sends the curated answer (the short one on public @mentions)."""

    def name(self) -> str:
        """Action name used in the domain and rules."""
        return "action_answer_knowledge"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        """Answer from the knowledge base; with no curated answer, hand to a person honestly."""
        intent = question_intent(tracker)
        answer = get_knowledge_base().answer(intent, latest_text(tracker), public=is_public(tracker))
        if answer is None:
            logger.warning("no curated answer for intent %s", intent)
            return handoff_events(dispatcher, tracker, [f"no_knowledge:{intent}"], response="utter_no_knowledge")
        dispatcher.utter_message(text=answer)
        return []
