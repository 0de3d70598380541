"""Rasa glue: MiniLM sentence embeddings as a dense featurizer (see model.py).

For every message with text it adds one dense SENTENCE feature (1, 384) for TEXT (and
ACTION_TEXT, used by end-to-end stories), and keeps the vector on the message under
`minilm_embedding` (not in the parse output) so later components can reuse it. Blank
text gets a zero vector (the embedding of "" looks like a confident real sentence).

No SEQUENCE feature: DIET combines sentence- and sequence-level features per feature
type (`RasaFeatureCombiningLayer`): the sparse sequence features of the
CountVectorsFeaturizers and this dense sentence feature are projected separately, so a
sentence-only dense featurizer trains fine beside them (and MiniLM word pieces would not
line up with Rasa's whitespace tokens anyway).

Nothing is learnt, but the component is registered as trainable so Rasa persists a
small resource with it: the fingerprint of the encoder folder (name, config.json hash,
weight size). `load` recomputes it and raises `EncoderChanged` if the folder the model
was trained with has been swapped, instead of silently serving different vectors.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import InvalidConfigException, RasaException
from rasa.shared.nlu.constants import ACTION_TEXT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.minilm.model import (
    MAX_POSITIONS,
    EncoderNotFound,
    SentenceEncoder,
    get_encoder,
    model_fingerprint,
)

logger = logging.getLogger(__name__)

MINILM_EMBEDDING = "minilm_embedding"
FEATURIZED_ATTRIBUTES = (TEXT, ACTION_TEXT)
FINGERPRINT_FILE = "minilm_fingerprint.json"
FINGERPRINT_VERSION = 1


class EncoderChanged(RasaException):
    """The encoder folder differs from the one the model was trained with."""


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True
)
class MiniLMFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the MiniLM sentence embedding as a dense sentence-level feature."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Config keys (all optional) a brand can set in config.yml.

        model_path: local Hugging Face model folder; null -> the packaged MiniLM.
        max_length: word pieces kept per message (longer text is truncated).
        threads: torch threads for inference (torch's setting is process-wide).
        quantize: int8 dynamic quantization of the Linear layers.
        batch_size: training-data batch size; null -> 32 for fp32, 1 for int8 (int8
            activation scales depend on the batch, so one at a time gives training the
            exact vectors inference computes).
        alias: featurizer name used by DIET's `featurizers` option.
        """
        return {
            **DenseFeaturizer.get_default_config(),
            "model_path": None,
            "max_length": 64,
            "threads": 1,
            "quantize": True,
            "batch_size": None,
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Checks ranges and that the encoder folder exists (fails at graph build)."""
        max_length = config.get("max_length", 64)
        if not isinstance(max_length, int) or not 2 <= max_length <= MAX_POSITIONS:
            raise InvalidConfigException(
                f"MiniLMFeaturizer: max_length must be an int in [2, {MAX_POSITIONS}]."
            )
        threads = config.get("threads", 1)
        if not isinstance(threads, int) or threads < 1:
            raise InvalidConfigException("MiniLMFeaturizer: threads must be an int >= 1.")
        batch_size = config.get("batch_size")
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
            raise InvalidConfigException("MiniLMFeaturizer: batch_size must be null or >= 1.")
        try:
            model_fingerprint(config.get("model_path"))
        except EncoderNotFound as error:
            raise InvalidConfigException(f"MiniLMFeaturizer: {error}") from error

    def __init__(
        self,
        config: Dict[Text, Any],
        execution_context: ExecutionContext,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._encoder: Optional[SentenceEncoder] = None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MiniLMFeaturizer":
        """Creates the featurizer; the encoder loads on first use."""
        return cls(config, execution_context, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "MiniLMFeaturizer":
        """Loads the featurizer and checks the encoder folder against the fingerprint."""
        try:
            with model_storage.read_from(resource) as directory:
                stored = json.loads((directory / FINGERPRINT_FILE).read_text("utf-8"))
        except (ValueError, FileNotFoundError) as error:
            raise EncoderChanged(
                f"MiniLMFeaturizer: no encoder fingerprint in resource {resource.name!r}; "
                f"retrain the model."
            ) from error
        current = model_fingerprint(config.get("model_path")).as_dict()
        if stored.get("encoder") != current:
            raise EncoderChanged(
                f"MiniLMFeaturizer: encoder folder changed since training "
                f"(trained with {stored.get('encoder')}, found {current}); retrain the model."
            )
        featurizer = cls(config, execution_context, model_storage, resource)
        # Model load, not import, is when the weights come in: the first message after
        # a deploy would otherwise wait ~3 s for them.
        featurizer.encoder.warm_up()
        return featurizer

    def train(self, training_data: TrainingData) -> Resource:
        """Nothing to learn: persists the encoder fingerprint and returns the resource."""
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Writes the encoder fingerprint into model storage."""
        payload = {
            "version": FINGERPRINT_VERSION,
            "encoder": model_fingerprint(self._config.get("model_path")).as_dict(),
        }
        with self._model_storage.write_to(self._resource) as directory:
            (directory / FINGERPRINT_FILE).write_text(json.dumps(payload), "utf-8")

    @property
    def encoder(self) -> SentenceEncoder:
        """The process-wide encoder for this config (loaded once per process)."""
        if self._encoder is None:
            self._encoder = get_encoder(
                self._config.get("model_path"),
                max_length=self._config["max_length"],
                threads=self._config["threads"],
                quantize=self._config["quantize"],
            )
        return self._encoder

    def _batch_size(self) -> int:
        configured = self._config.get("batch_size")
        if configured:
            return int(configured)
        return 1 if self._config["quantize"] else 32

    def _set_features(self, message: Message, attribute: Text, vector: np.ndarray) -> None:
        vector = np.asarray(vector, dtype=np.float32)
        self.add_features_to_message(
            sequence=None, sentence=vector.reshape(1, -1), attribute=attribute, message=message
        )
        if attribute == TEXT:
            message.set(MINILM_EMBEDDING, vector)

    def _featurize(self, messages: List[Message], batch_size: int) -> None:
        for attribute in FEATURIZED_ATTRIBUTES:
            # Blank text too (as a zero vector): once trained with this feature, DIET
            # needs it on every message (an empty message crashed it otherwise), and
            # the embedding of "" would look like a real, confident sentence.
            todo = [m for m in messages if isinstance(m.get(attribute), str)]
            if not todo:
                continue
            texts = [m.get(attribute) for m in todo]
            filled = [i for i, text in enumerate(texts) if text.strip()]
            vectors = np.zeros((len(todo), self.encoder.dim), dtype=np.float32)
            if filled:
                vectors[filled] = self.encoder.encode([texts[i] for i in filled], batch_size)
            for message, vector in zip(todo, vectors):
                self._set_features(message, attribute, vector)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Adds the sentence feature to every training example (see `batch_size`)."""
        self._featurize(training_data.training_examples, self._batch_size())
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds the sentence feature to each incoming message."""
        self._featurize(messages, 1)
        return messages
