"""`SafeAction`: an action base the customer can never see crash."""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.handoff_events import handoff_events
from handoff.reasons import flag

logger = logging.getLogger(__name__)

ACTION_ERROR = flag("action_error")


class SafeAction(Action, ABC):
    """An action the customer can never see crash.

    Subclasses implement `act`. Any unexpected exception is logged (type only) and turned
    into an honest apology plus a handoff to a person (reason `action_error`).
    """

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """The action's work; may raise, `run` catches."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Run `act`; on any error apologise and hand the conversation to a person."""
        try:
            return await self.act(dispatcher, tracker, domain)
        except Exception as exc:  # noqa: BLE001 - the customer must never meet a stack trace
            logger.error("action %s failed: %s", self.name(), type(exc).__name__)
            return handoff_events(dispatcher, tracker, [ACTION_ERROR], response="utter_handoff_error")
