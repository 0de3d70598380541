"""Rasa glue: intent classification with a linear head on the MiniLM embedding (model.py).

Needs `bot.components.minilm.component.MiniLMFeaturizer` earlier in the pipeline: it
reads the embedding the featurizer keeps on every message (`minilm_embedding`), for
training examples and live messages alike, so training sees exactly the vectors inference
computes. Sets `intent` and `intent_ranking` like Rasa's own classifiers, so
FallbackClassifier, the policies and the routing work unchanged. Persisted through Rasa's
model storage as an .npz file (weights, bias, intent names).

With `epochs` > 0 the encoder's transformer layers are fine-tuned on the intent examples
first (bot/components/minilm/finetune.py) and the head reads that encoder's embedding of
the message text instead of the featurizer's: one more MiniLM pass per message, and the
fine-tuned layers persisted as an overlay (`intent_encoder.pt`).
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
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.intent_head.model import LinearHead
from bot.components.minilm.component import MINILM_EMBEDDING, MiniLMFeaturizer
from bot.components.minilm.finetune import save_overlay
from bot.components.minilm.tuning import fine_tune_from_config, read_overlay, tuned_encoder, validate_tuning_config

logger = logging.getLogger(__name__)

HEAD_FILE = "intent_head.npz"
OVERLAY_FILE = "intent_encoder.pt"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class MiniLMIntentClassifier(IntentClassifier, GraphComponent):
    """Linear intent head on the MiniLM sentence embedding (logistic regression on the
    shared embedding, or trained with a fine-tuned copy of the encoder)."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """The featurizer that leaves the embedding on each message."""
        return [MiniLMFeaturizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """C: inverse L2 strength of the logistic regression (epochs 0; higher fits the
        examples closer); ranking_length: how many intents `intent_ranking` lists;
        random_seed: for the solver and the fine-tuning; epochs: fine-tuning epochs of the
        encoder (0 -> logistic regression on the featurizer's embedding); learning_rate:
        of the fine-tuned layers; model_path, max_length, threads, quantize: the encoder,
        as in MiniLMFeaturizer."""
        return {"C": 50.0, "ranking_length": 10, "random_seed": 7, "epochs": 0, "learning_rate": 5e-5,
                "model_path": None, "max_length": 64, "threads": 1, "quantize": True}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """C and learning_rate positive, epochs a whole number >= 0."""
        validate_tuning_config("MiniLMIntentClassifier", config)

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 head: Optional[LinearHead] = None, overlay: Optional[Dict[str, Any]] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._head = head
        self._overlay = overlay
        self._tuned_encoder: Any = None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "MiniLMIntentClassifier":
        """An untrained classifier."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "MiniLMIntentClassifier":
        """The trained head (and fine-tuned overlay), or an untrained classifier (no intents)
        when none was persisted."""
        overlay = None
        try:
            with model_storage.read_from(resource) as directory:
                with np.load(directory / HEAD_FILE) as arrays:
                    head = LinearHead.from_arrays(dict(arrays))
                overlay = read_overlay(directory, OVERLAY_FILE)
        except (ValueError, FileNotFoundError, RuntimeError):
            logger.warning("MiniLMIntentClassifier: no trained head in %s", resource.name)
            head = None
        component = cls(config, model_storage, resource, head, overlay)
        if overlay is not None and head is not None:
            component._tuned().warm_up()  # load and trace now, not on the first customer message
        return component

    def _tuned(self) -> Any:
        """The fine-tuned encoder (this component's own; loads on first use)."""
        if self._tuned_encoder is None:
            self._tuned_encoder = tuned_encoder(self._config, self._overlay)
        return self._tuned_encoder

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the head (fine-tuning the encoder first when `epochs` > 0) on the intent
        examples and persists it."""
        epochs = int(self._config.get("epochs", 0))
        examples = [m for m in training_data.intent_examples
                    if m.get(INTENT) and (epochs > 0 and m.get("text") or m.get(MINILM_EMBEDDING) is not None)]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("MiniLMIntentClassifier: fewer than two intents to learn, not trained")
            return self._resource
        labels = [m.get(INTENT) for m in examples]
        if epochs > 0:
            classes = sorted(set(labels))
            tuned = fine_tune_from_config(self._config, [m.get("text") for m in examples], labels, classes,
                                          head_learning_rate=3e-3, scale=20.0, seed=int(self._config["random_seed"]))
            self._head = LinearHead(tuned.weights, tuned.bias, tuple(classes))
            self._overlay, self._tuned_encoder = tuned.overlay, None
        else:
            x = np.stack([np.asarray(m.get(MINILM_EMBEDDING), dtype=np.float32) for m in examples])
            self._head = LinearHead.fit(x, labels, c=float(self._config["C"]), seed=int(self._config["random_seed"]))
            self._overlay = None
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / HEAD_FILE, **self._head.to_arrays())
            if self._overlay is not None:
                save_overlay(self._overlay, directory / OVERLAY_FILE)
        logger.info("intent head trained: %d examples, %d intents (fine-tuning epochs: %d)",
                    len(examples), len(self._head.classes), epochs)
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets `intent` and `intent_ranking` on each message that has an embedding."""
        if self._head is None:
            return messages
        for message in messages:
            if self._overlay is not None:
                text = message.get("text")
                if not text:
                    continue
                embedding = self._tuned().encode([text], batch_size=1)[0]
            else:
                embedding = message.get(MINILM_EMBEDDING)
            if embedding is None:
                continue
            ranking = self._head.ranking(embedding, int(self._config["ranking_length"]))
            entries = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: p} for name, p in ranking]
            message.set(INTENT, entries[0], add_to_output=True)
            message.set("intent_ranking", entries, add_to_output=True)
        return messages
