"""Rasa glue: intent classification with a linear head on the MiniLM embedding (model.py).

Needs `bot.components.minilm.component.MiniLMFeaturizer` earlier in the pipeline: it
reads the embedding the featurizer keeps on every message (`minilm_embedding`), for
training examples and live messages alike, so training sees exactly the vectors inference
computes. Sets `intent` and `intent_ranking` like Rasa's own classifiers, so
FallbackClassifier, the policies and the routing work unchanged. Persisted through Rasa's
model storage as an .npz file (weights, bias, intent names).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.intent_head.model import LinearHead
from bot.components.minilm.component import MINILM_EMBEDDING, MiniLMFeaturizer

logger = logging.getLogger(__name__)

HEAD_FILE = "intent_head.npz"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class MiniLMIntentClassifier(IntentClassifier, GraphComponent):
    """Logistic-regression intent head on the MiniLM sentence embedding."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """The featurizer that leaves the embedding on each message."""
        return [MiniLMFeaturizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """C: inverse L2 strength (higher fits the examples closer); ranking_length: how
        many intents `intent_ranking` lists; random_seed: for the solver."""
        return {"C": 50.0, "ranking_length": 10, "random_seed": 7}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """C must be positive."""
        c = config.get("C", 50.0)
        if not isinstance(c, (int, float)) or c <= 0:
            raise InvalidConfigException("MiniLMIntentClassifier: C must be a positive number.")

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 head: Optional[LinearHead] = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._head = head

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "MiniLMIntentClassifier":
        """An untrained classifier."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "MiniLMIntentClassifier":
        """The trained head, or an untrained classifier (no intents) when none was persisted."""
        try:
            with model_storage.read_from(resource) as directory:
                with np.load(directory / HEAD_FILE) as arrays:
                    head = LinearHead.from_arrays(dict(arrays))
        except (ValueError, FileNotFoundError):
            logger.warning("MiniLMIntentClassifier: no trained head in %s", resource.name)
            head = None
        return cls(config, model_storage, resource, head)

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the head on the intent examples' embeddings and persists it."""
        examples = [m for m in training_data.intent_examples
                    if m.get(INTENT) and m.get(MINILM_EMBEDDING) is not None]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("MiniLMIntentClassifier: fewer than two intents to learn, not trained")
            return self._resource
        x = np.stack([np.asarray(m.get(MINILM_EMBEDDING), dtype=np.float32) for m in examples])
        self._head = LinearHead.fit(x, [m.get(INTENT) for m in examples], c=float(self._config["C"]),
                                    seed=int(self._config["random_seed"]))
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / HEAD_FILE, **self._head.to_arrays())
        logger.info("intent head trained: %d examples, %d intents", len(examples), len(self._head.classes))
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets `intent` and `intent_ranking` on each message that has an embedding."""
        if self._head is None:
            return messages
        for message in messages:
            embedding = message.get(MINILM_EMBEDDING)
            if embedding is None:
                continue
            ranking = self._head.ranking(embedding, int(self._config["ranking_length"]))
            entries = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: p} for name, p in ranking]
            message.set(INTENT, entries[0], add_to_output=True)
            message.set("intent_ranking", entries, add_to_output=True)
        return messages
