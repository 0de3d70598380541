"""The learnt half of the sentiment score: a classifier head on MiniLM sentence embeddings.

Pure numpy at inference (softmax of one linear layer); scikit-learn's logistic regression
fits it, imported only when training. Trained on the team's own written examples in
`bot/data/sentiment/*.yml` (labels negative / neutral / positive); its score is
P(positive) - P(negative), in [-1, 1] like VADER's compound.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
import yaml

from bot.components.intent_head.model import softmax

LABELS: Tuple[str, ...] = ("negative", "neutral", "positive")


class ExamplesError(ValueError):
    """The sentiment examples are missing or malformed."""


def load_examples(directory: Path) -> Tuple[List[str], List[str]]:
    """(texts, labels) from every *.yml file of `directory`: mappings label -> list of texts."""
    texts: List[str] = []
    labels: List[str] = []
    files = sorted(Path(directory).glob("*.yml")) + sorted(Path(directory).glob("*.yaml"))
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ExamplesError(f"{path.name}: expected a mapping of label -> examples")
        for label, items in data.items():
            if label == "version":
                continue
            if label not in LABELS or not isinstance(items, list):
                raise ExamplesError(f"{path.name}: unknown label {label!r} or not a list")
            for item in items:
                if not isinstance(item, str) or not item.strip():
                    raise ExamplesError(f"{path.name}: {label}: every example must be a non-empty string")
                texts.append(item)
                labels.append(label)
    missing = [label for label in LABELS if label not in labels]
    if missing:
        raise ExamplesError(f"no sentiment examples for {', '.join(missing)} in {directory}")
    return texts, labels


@dataclass(frozen=True)
class SentimentHead:
    """Multinomial logistic regression over embeddings: weights (3, dim), bias (3,)."""

    weights: np.ndarray
    bias: np.ndarray

    @property
    def dim(self) -> int:
        """Embedding size the head expects."""
        return int(self.weights.shape[1])

    @classmethod
    def fit(cls, embeddings: np.ndarray, labels: Sequence[str], c: float = 1.0, seed: int = 7) -> "SentimentHead":
        """Fit on (n, dim) embeddings with labels from LABELS (L2-regularised, 1/c)."""
        from sklearn.linear_model import LogisticRegression  # deferred: heavy, training only

        y = np.asarray([LABELS.index(label) for label in labels])
        model = LogisticRegression(C=c, max_iter=3000, random_state=seed)
        model.fit(np.asarray(embeddings, dtype=np.float64), y)
        if list(model.classes_) != list(range(len(LABELS))):
            raise ExamplesError("the head needs examples of every label")
        return cls(model.coef_.astype(np.float32), model.intercept_.astype(np.float32))

    def proba(self, embeddings: np.ndarray) -> np.ndarray:
        """(n, 3) class probabilities in LABELS order."""
        x = np.atleast_2d(np.asarray(embeddings, dtype=np.float32))
        return softmax(x @ self.weights.T + self.bias)

    def scores(self, embeddings: np.ndarray) -> np.ndarray:
        """P(positive) - P(negative) per row, in [-1, 1]."""
        p = self.proba(embeddings)
        return p[:, LABELS.index("positive")] - p[:, LABELS.index("negative")]

    def score(self, embedding: np.ndarray) -> float:
        """The score of one embedding."""
        return float(self.scores(embedding)[0])

    def to_arrays(self) -> Dict[str, np.ndarray]:
        """Arrays for `np.savez` (persisted with the Rasa model)."""
        return {"weights": self.weights, "bias": self.bias}

    @classmethod
    def from_arrays(cls, arrays: Dict[str, np.ndarray]) -> "SentimentHead":
        """Inverse of `to_arrays`."""
        weights = np.asarray(arrays["weights"], dtype=np.float32)
        bias = np.asarray(arrays["bias"], dtype=np.float32)
        if weights.ndim != 2 or weights.shape[0] != len(LABELS) or bias.shape != (len(LABELS),):
            raise ExamplesError("sentiment head arrays have the wrong shape")
        return cls(weights, bias)
