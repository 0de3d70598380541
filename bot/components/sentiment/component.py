"""Rasa glue: attaches `sentiment` (see model.py) to every parsed message."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.sentiment.model import SocialSentiment

SENTIMENT = "sentiment"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class SentimentAnalyzer(GraphComponent):
    """Adds `{"compound": float, ...}` under `sentiment` to the parse data."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """`extra_lexicon`: word -> valence additions a brand can make in config.yml."""
        return {"extra_lexicon": {}}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config
        self._model: Optional[SocialSentiment] = None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentimentAnalyzer":
        """Creates the component (nothing to train)."""
        return cls(config)

    def _scorer(self) -> SocialSentiment:
        if self._model is None:
            self._model = SocialSentiment(self._config.get("extra_lexicon") or {})
        return self._model

    def process(self, messages: List[Message]) -> List[Message]:
        """Scores each message's text."""
        scorer = self._scorer()
        for message in messages:
            text = message.get("text") or ""
            message.set(SENTIMENT, scorer.score(text).as_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data needs no sentiment."""
        return training_data
