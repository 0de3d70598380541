"""Rasa glue: attaches `sentiment` (model.py + head.py) to every parsed message.

`parse["sentiment"]["compound"]` in [-1, 1] is what the routing reads: the lexicon score
(VADER + airline rules) combined with a classifier head on the MiniLM sentence embedding,
`head_weight * head + (1 - head_weight) * lexicon`, sarcasm keeping its floor.

The head is trained with the model (`rasa train`) on the examples in `examples_dir`
(not on the NLU data Rasa passes in) and persisted through Rasa's model storage with the
fingerprint of the encoder it was trained with.

With `epochs` > 0 (the default) the encoder's transformer layers are fine-tuned for
sentiment first (finetune.py); the fine-tuned layers are persisted as an overlay and the
head scores that encoder's embedding: one more MiniLM pass per message. With `epochs: 0`
the head is a logistic regression on the featurizer's embedding (`minilm_embedding`),
reused from the message when there is one.
"""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException, RasaException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.minilm.component import MINILM_EMBEDDING
from bot.components.minilm.finetune import save_overlay
from bot.components.minilm.model import get_encoder, model_fingerprint
from bot.components.minilm.tuning import fine_tune_from_config, read_overlay, tuned_encoder, validate_tuning_config
from bot.components.sentiment.head import LABELS, SentimentHead, load_examples
from bot.components.sentiment.model import SocialSentiment

logger = logging.getLogger(__name__)

SENTIMENT = "sentiment"
HEAD_FILE = "sentiment_head.npz"
META_FILE = "sentiment_head.json"
OVERLAY_FILE = "sentiment_encoder.pt"
PROJECT_ROOT = Path(__file__).resolve().parents[3]


class SentimentHeadMissing(RasaException):
    """The trained model has no sentiment head although `head_weight` asks for one."""


def resolve_dir(value: str) -> Path:
    """`value` as given when it exists (relative to the working directory), else relative
    to the project root."""
    path = Path(value).expanduser()
    return path if path.is_absolute() or path.exists() else PROJECT_ROOT / path


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True
)
class SentimentAnalyzer(GraphComponent):
    """Adds `{"compound": float, "lexicon", "head", ...}` under `sentiment` to the parse data."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Config keys (all optional).

        extra_lexicon: word -> valence additions a brand can make.
        examples_dir: the head's training examples (label -> texts YAML files).
        head_weight: share of the head in the compound score (0 -> lexicon only).
        epochs: fine-tuning epochs of the encoder for sentiment (0 -> no fine-tuning: a
            logistic-regression head on the shared embedding).
        learning_rate: fine-tuning learning rate of the transformer layers.
        C: inverse L2 regularisation of the logistic-regression head (epochs 0).
        model_path, max_length, threads, quantize: the encoder, as in MiniLMFeaturizer
            (keep them equal to the featurizer's so its embedding can be reused).
        """
        return {
            "extra_lexicon": {},
            "examples_dir": "bot/data/sentiment",
            "head_weight": 0.6,
            "epochs": 2,
            "learning_rate": 3e-5,
            "C": 4.0,
            "model_path": None,
            "max_length": 64,
            "threads": 1,
            "quantize": True,
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """head_weight in [0, 1], C and learning_rate positive, epochs a whole number >= 0."""
        weight = config.get("head_weight", 0.6)
        if not isinstance(weight, (int, float)) or not 0.0 <= float(weight) <= 1.0:
            raise InvalidConfigException("SentimentAnalyzer: head_weight must be in [0, 1].")
        validate_tuning_config("SentimentAnalyzer", config)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Hash of the examples and the encoder: editing either retrains the head
        (Rasa's training cache only sees the NLU data otherwise)."""
        digest = hashlib.sha256(json.dumps(model_fingerprint(config.get("model_path")).as_dict()).encode())
        directory = resolve_dir(str(config.get("examples_dir") or "bot/data/sentiment"))
        for path in sorted(directory.glob("*.y*ml")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 head: Optional[SentimentHead] = None, overlay: Optional[Dict[str, Any]] = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._head = head
        self._overlay = overlay
        self._tuned_encoder: Any = None
        self._model: Optional[SocialSentiment] = None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentimentAnalyzer":
        """Creates the component; `train` fits the head."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SentimentAnalyzer":
        """Loads the trained head and the fine-tuned overlay (none needed when head_weight is 0)."""
        head = overlay = None
        if float(config.get("head_weight", 0.6)) > 0:
            try:
                with model_storage.read_from(resource) as directory:
                    with np.load(directory / HEAD_FILE) as arrays:
                        head = SentimentHead.from_arrays(dict(arrays))
                    overlay = read_overlay(directory, OVERLAY_FILE)
            except (ValueError, FileNotFoundError, KeyError, RuntimeError) as error:
                raise SentimentHeadMissing(
                    f"SentimentAnalyzer: no trained head in resource {resource.name!r}; retrain the model."
                ) from error
        component = cls(config, model_storage, resource, head, overlay)
        if overlay is not None:
            component._tuned().warm_up()  # load and trace now, not on the first customer message
        return component

    def _encoder(self) -> Any:
        return get_encoder(self._config.get("model_path"), max_length=self._config["max_length"],
                           threads=self._config["threads"], quantize=self._config["quantize"])

    def _tuned(self) -> Any:
        """The fine-tuned encoder (this component's own; loads on first use)."""
        if self._tuned_encoder is None:
            self._tuned_encoder = tuned_encoder(self._config, self._overlay)
        return self._tuned_encoder

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the head (fine-tuning the encoder first when `epochs` > 0) on `examples_dir`
        (not on the NLU data) and persists it."""
        if float(self._config.get("head_weight", 0.6)) <= 0:
            return self._resource
        directory = resolve_dir(self._config["examples_dir"])
        texts, labels = load_examples(directory)
        epochs = int(self._config.get("epochs", 0))
        meta: Dict[str, Any] = {"version": 2, "examples": len(texts), "epochs": epochs,
                                "encoder": model_fingerprint(self._config.get("model_path")).as_dict()}
        if epochs > 0:
            tuned = fine_tune_from_config(self._config, texts, labels, LABELS)
            self._head = SentimentHead(tuned.weights, tuned.bias)
            self._overlay, self._tuned_encoder = tuned.overlay, None
            meta["learning_rate"] = float(self._config["learning_rate"])
        else:
            embeddings = self._encoder().encode(texts, batch_size=1)
            self._head = SentimentHead.fit(embeddings, labels, c=float(self._config.get("C", 4.0)))
            self._overlay, meta["C"] = None, float(self._config.get("C", 4.0))
        with self._model_storage.write_to(self._resource) as out:
            np.savez(out / HEAD_FILE, **self._head.to_arrays())
            if self._overlay is not None:
                save_overlay(self._overlay, out / OVERLAY_FILE)
            (out / META_FILE).write_text(json.dumps(meta), "utf-8")
        logger.info("sentiment head trained on %d examples (fine-tuning epochs: %d)", len(texts), epochs)
        return self._resource

    def _scorer(self) -> SocialSentiment:
        if self._model is None:
            self._model = SocialSentiment(self._config.get("extra_lexicon") or {})
        return self._model

    def _embedding(self, message: Message, text: str) -> np.ndarray:
        if self._overlay is not None:
            return self._tuned().encode([text], batch_size=1)[0]
        vector = message.get(MINILM_EMBEDDING)
        if vector is not None and np.shape(vector) == (self._head.dim,) and np.any(vector):
            return np.asarray(vector, dtype=np.float32)
        return self._encoder().encode([text], batch_size=1)[0]

    def process(self, messages: List[Message]) -> List[Message]:
        """Scores each message's text."""
        scorer = self._scorer()
        weight = float(self._config.get("head_weight", 0.6))
        for message in messages:
            text = message.get("text") or ""
            result = scorer.score(text)
            if self._head is not None and weight > 0 and text.strip():
                head = self._head.score(self._embedding(message, text))
                result = scorer.with_head(result, head, weight)
            message.set(SENTIMENT, result.as_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data needs no sentiment."""
        return training_data
