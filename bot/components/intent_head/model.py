"""A multinomial logistic-regression head over sentence embeddings. Pure numpy at inference.

scikit-learn fits it (imported only when training); the weights are plain arrays, so a
trained head is persisted as an .npz file plus its class names, and predicting is one
matrix product and a softmax. Used for intents on MiniLM embeddings: on our own NLU data
it beats DIET over sparse + MiniLM features (see the figures in socialcare/bench/nlu_compare.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

import numpy as np


class HeadError(ValueError):
    """Training data or persisted arrays that cannot make a head."""


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class LinearHead:
    """weights (n_classes, dim), bias (n_classes,), class names in the same order."""

    weights: np.ndarray
    bias: np.ndarray
    classes: Tuple[str, ...]

    @property
    def dim(self) -> int:
        """Embedding size the head expects."""
        return int(self.weights.shape[1])

    @classmethod
    def fit(cls, embeddings: np.ndarray, labels: Sequence[str], c: float = 50.0, seed: int = 7,
            max_iter: int = 3000) -> "LinearHead":
        """L2-regularised (strength 1/c) multinomial logistic regression; needs >= 2 classes."""
        from sklearn.linear_model import LogisticRegression  # deferred: heavy, training only

        x = np.asarray(embeddings, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] != len(labels):
            raise HeadError("embeddings and labels do not line up")
        if len(set(labels)) < 2:
            raise HeadError("a head needs at least two classes")
        model = LogisticRegression(C=c, max_iter=max_iter, random_state=seed)
        model.fit(x, list(labels))
        weights, bias = model.coef_, model.intercept_
        if len(model.classes_) == 2:  # sklearn keeps one row for two classes
            weights = np.vstack([-weights[0], weights[0]]) / 2.0
            bias = np.array([-bias[0], bias[0]]) / 2.0
        return cls(weights.astype(np.float32), bias.astype(np.float32), tuple(str(c) for c in model.classes_))

    def proba(self, embeddings: np.ndarray) -> np.ndarray:
        """(n, n_classes) probabilities in `classes` order."""
        x = np.atleast_2d(np.asarray(embeddings, dtype=np.float32))
        return softmax(x @ self.weights.T + self.bias)

    def ranking(self, embedding: np.ndarray, top: int = 10) -> List[Tuple[str, float]]:
        """(class, probability) pairs, best first, at most `top` (all when top <= 0)."""
        p = self.proba(embedding)[0]
        order = np.argsort(-p, kind="stable")
        if top > 0:
            order = order[:top]
        return [(self.classes[i], float(p[i])) for i in order]

    def to_arrays(self) -> Dict[str, np.ndarray]:
        """Arrays for `np.savez`."""
        return {"weights": self.weights, "bias": self.bias, "classes": np.asarray(self.classes)}

    @classmethod
    def from_arrays(cls, arrays: Dict[str, np.ndarray]) -> "LinearHead":
        """Inverse of `to_arrays`."""
        weights = np.asarray(arrays["weights"], dtype=np.float32)
        bias = np.asarray(arrays["bias"], dtype=np.float32)
        classes = tuple(str(c) for c in np.asarray(arrays["classes"]).tolist())
        if weights.ndim != 2 or weights.shape[0] != len(classes) or bias.shape != (len(classes),):
            raise HeadError("head arrays have inconsistent shapes")
        return cls(weights, bias, classes)
