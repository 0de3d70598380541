"""Fine-tuning the MiniLM encoder with a linear classification head. Pure torch, no Rasa.

The frozen sentence embedding was trained for semantic similarity: "the crew were great
about the delay" and "the crew were useless about the delay" sit close together, and a
linear head on it separates praise from complaints, or a lost-bag report from a general
complaint, only so far. Fine-tuning the encoder's transformer layers (word embeddings
frozen, so the shared vocabulary stays as it was) for a few epochs on the team's written
examples moves those distinctions into the embedding. Used by the sentiment analyser
(bot/components/sentiment) and the intent classifier (bot/components/intent_head); the
figures are in the README ("Measured quality").

The result is an *overlay*: the fine-tuned parameters (fp16) that `SentenceEncoder`
applies over the packaged weights, plus the linear head's weights on the fine-tuned,
unit-norm embedding (the fixed `scale` folded in).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Sequence

import numpy as np

from bot.components.minilm.model import mean_pool

# Parameters that stay as packaged (not saved in the overlay).
FROZEN_PREFIX = "embeddings."


class FineTuneError(ValueError):
    """Bad training data or a file that is not an overlay."""


@dataclass(frozen=True)
class FineTuneSettings:
    """Training settings (each component passes its measured recipe).

    epochs: passes over the examples.
    learning_rate: AdamW rate of the transformer layers; head_learning_rate: of the head.
    batch_size, seed: mini-batch size and the seed of shuffling and head initialisation.
    scale: the unit-norm embedding is multiplied by this before the linear head (a fixed
        temperature, folded into the saved head's weights).
    """

    epochs: int = 2
    learning_rate: float = 3e-5
    head_learning_rate: float = 1e-3
    batch_size: int = 16
    seed: int = 7
    scale: float = 10.0
    weight_decay: float = 0.01


@dataclass(frozen=True)
class FineTuned:
    """The overlay (parameter name -> fp16 tensor) and the linear head on the new
    embedding: weights (n_classes, dim) with the scale folded in, bias (n_classes,)."""

    overlay: Dict[str, Any]
    weights: np.ndarray
    bias: np.ndarray


def fine_tune(
    model_dir: Path,
    texts: Sequence[str],
    labels: Sequence[str],
    classes: Sequence[str],
    settings: FineTuneSettings = FineTuneSettings(),
    max_length: int = 64,
    threads: int = 1,
) -> FineTuned:
    """Fine-tunes the encoder in `model_dir` with a head over `classes`; returns the
    overlay and the head (rows in `classes` order)."""
    import torch  # deferred on purpose: torch and transformers are heavy, loaded at training only
    from transformers import AutoModel, AutoTokenizer

    if len(texts) != len(labels) or not texts:
        raise FineTuneError("fine-tuning needs as many labels as texts, and at least one")
    if set(labels) - set(classes):
        raise FineTuneError(f"labels outside the classes: {sorted(set(labels) - set(classes))[:5]}")
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(max(1, int(threads)))
    try:
        torch.manual_seed(settings.seed)
        order_rng = random.Random(settings.seed)
        tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        model = AutoModel.from_pretrained(str(model_dir), local_files_only=True)
        for name, param in model.named_parameters():
            param.requires_grad = not name.startswith(FROZEN_PREFIX)
        head = torch.nn.Linear(model.config.hidden_size, len(classes))
        optimiser = torch.optim.AdamW(
            [
                {"params": [p for p in model.parameters() if p.requires_grad], "lr": settings.learning_rate},
                {"params": head.parameters(), "lr": settings.head_learning_rate},
            ],
            weight_decay=settings.weight_decay,
        )
        index_of = {name: i for i, name in enumerate(classes)}
        targets = torch.tensor([index_of[label] for label in labels])
        items = list(texts)
        index = list(range(len(items)))
        model.train()
        for _ in range(max(0, int(settings.epochs))):
            order_rng.shuffle(index)
            for start in range(0, len(index), settings.batch_size):
                batch_idx = index[start : start + settings.batch_size]
                batch = tokenizer([items[i] for i in batch_idx], padding=True, truncation=True,
                                  max_length=max_length, return_tensors="pt")
                hidden = model(**batch).last_hidden_state
                pooled = torch.nn.functional.normalize(mean_pool(hidden, batch["attention_mask"]), dim=1)
                loss = torch.nn.functional.cross_entropy(head(pooled * settings.scale), targets[batch_idx])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
        model.eval()
        overlay = {
            name: tensor.detach().to(torch.float16).clone()
            for name, tensor in model.state_dict().items()
            if not name.startswith(FROZEN_PREFIX)
        }
        weights = (head.weight.detach().numpy() * settings.scale).astype(np.float32)
        bias = head.bias.detach().numpy().astype(np.float32)
        return FineTuned(overlay, weights, bias)
    finally:
        torch.set_num_threads(previous_threads)


def save_overlay(overlay: Dict[str, Any], path: Path) -> None:
    """Writes the overlay with torch.save (tensors only)."""
    import torch  # deferred: heavy, loaded at training only

    torch.save(overlay, str(path))


def load_overlay(path: Path) -> Dict[str, Any]:
    """Reads an overlay written by `save_overlay` (tensors only: weights_only)."""
    import torch  # deferred: heavy, loaded with a fine-tuned model only

    data = torch.load(str(path), map_location="cpu", weights_only=True)
    if not isinstance(data, dict) or not data:
        raise FineTuneError(f"{Path(path).name}: not an encoder overlay")
    return data

