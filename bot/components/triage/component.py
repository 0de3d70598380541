"""Rasa glue: attaches `urgency` and `language` (see urgency.py, language.py) to every
parsed message, for `handoff.triggers.decide` to read.

The supported languages and the language confidence bar come from `bot/handoff.yml`
(the one file for triggers and thresholds), so `language.supported` agrees with the
routing decision.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.triage.language import DEFAULT_CANDIDATES, LanguageDetector
from bot.components.triage.urgency import detect_urgency
from handoff.config import load_handoff_policy

URGENCY = "urgency"
LANGUAGE = "language"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class TriageSignals(GraphComponent):
    """Adds `urgency` ({categories, score}) and `language` ({code, confidence, supported})."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """`handoff_file`: thresholds file (default bot/handoff.yml or SOCIALCARE_HANDOFF);
        `candidate_languages`: the languages the detector chooses between."""
        return {"handoff_file": None, "candidate_languages": list(DEFAULT_CANDIDATES)}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config
        self._detector: Optional[LanguageDetector] = None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TriageSignals":
        """Creates the component (nothing to train)."""
        return cls(config)

    def _language(self) -> LanguageDetector:
        if self._detector is None:
            policy = load_handoff_policy(self._config.get("handoff_file"))
            self._detector = LanguageDetector(
                supported=policy.supported_languages,
                min_confidence=policy.language_min_confidence,
                candidates=self._config.get("candidate_languages") or DEFAULT_CANDIDATES,
            ).load()
        return self._detector

    def process(self, messages: List[Message]) -> List[Message]:
        """Finds urgency markers and the language of each message's text."""
        detector = self._language()
        for message in messages:
            text = message.get("text") or ""
            message.set(URGENCY, detect_urgency(text).as_dict(), add_to_output=True)
            message.set(LANGUAGE, detector.detect(text).as_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data needs no triage signals."""
        return training_data
