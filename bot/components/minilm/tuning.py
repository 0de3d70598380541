"""Rasa-side helpers shared by the components whose heads can fine-tune the encoder
(bot/components/sentiment, bot/components/intent_head): config checks, training from the
component config, and the component's own encoder with the fine-tuned overlay.

Config keys read: epochs, learning_rate, C, model_path, max_length, threads, quantize.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence

from rasa.shared.exceptions import InvalidConfigException

from bot.components.minilm.finetune import FineTuned, FineTuneSettings, fine_tune, load_overlay
from bot.components.minilm.model import SentenceEncoder, resolve_model_dir


def validate_tuning_config(component: str, config: Mapping[str, Any]) -> None:
    """C and learning_rate positive numbers, epochs a whole number >= 0."""
    for key in ("C", "learning_rate"):
        value = config.get(key, 1.0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value) > 0:
            raise InvalidConfigException(f"{component}: {key} must be a positive number.")
    epochs = config.get("epochs", 0)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise InvalidConfigException(f"{component}: epochs must be a whole number >= 0.")


def fine_tune_from_config(config: Mapping[str, Any], texts: Sequence[str], labels: Sequence[str],
                          classes: Sequence[str], **recipe: Any) -> FineTuned:
    """Fine-tunes the configured encoder (`epochs`, `learning_rate`, plus `recipe`
    overrides of FineTuneSettings) on all CPUs."""
    settings = FineTuneSettings(epochs=int(config["epochs"]), learning_rate=float(config["learning_rate"]),
                                **recipe)
    return fine_tune(resolve_model_dir(config.get("model_path")), texts, labels, classes, settings,
                     max_length=int(config["max_length"]),
                     threads=max(int(config["threads"]), os.cpu_count() or 1))


def read_overlay(directory: Path, name: str) -> Optional[Dict[str, Any]]:
    """The overlay file `name` in a model-storage directory, or None when not fine-tuned."""
    path = Path(directory) / name
    return load_overlay(path) if path.exists() else None


def tuned_encoder(config: Mapping[str, Any], overlay: Dict[str, Any]) -> Any:
    """A SentenceEncoder with the configured settings and `overlay` (its own instance:
    the process-wide cache holds the packaged weights only)."""
    return SentenceEncoder(config.get("model_path"), max_length=int(config["max_length"]),
                           threads=int(config["threads"]), quantize=bool(config["quantize"]), overlay=overlay)
