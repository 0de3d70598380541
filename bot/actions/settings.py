"""The action server's settings: where the curated knowledge is, and the retrieval thresholds.

Read once per process from the environment: `ActionSettings.from_env(env)` is pure; the
entry point (bot/actions/serve.py) installs what it read with `use_action_settings`, and
`action_settings()` reads `os.environ` on first use when nothing was installed (the action
server started as `rasa run actions` has no other start hook). Nothing is read at import.

Variables: KNOWLEDGE_DIR (default bot/data/knowledge), KNOWLEDGE_ANSWER_THRESHOLD,
KNOWLEDGE_AGREE_FLOOR, KNOWLEDGE_CLARIFY_FLOOR (cosine similarities, see
bot/actions/knowledge_index.py).
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parents[1] / "data" / "knowledge"


@dataclass(frozen=True)
class RetrievalSettings:
    """Similarity thresholds (cosine in [-1, 1]) and the intent tie-break margin."""

    answer_threshold: float = 0.62
    agree_floor: float = 0.45
    clarify_floor: float = 0.35
    intent_margin: float = 0.06

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "RetrievalSettings":
        """Defaults, overridden by KNOWLEDGE_ANSWER_THRESHOLD / _AGREE_FLOOR / _CLARIFY_FLOOR of `env`."""
        base = cls()
        return cls(
            answer_threshold=float(env.get("KNOWLEDGE_ANSWER_THRESHOLD", base.answer_threshold)),
            agree_floor=float(env.get("KNOWLEDGE_AGREE_FLOOR", base.agree_floor)),
            clarify_floor=float(env.get("KNOWLEDGE_CLARIFY_FLOOR", base.clarify_floor)),
            intent_margin=base.intent_margin,
        )


@dataclass(frozen=True)
class ActionSettings:
    """Everything the actions read from the environment."""

    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "ActionSettings":
        """The settings of `env` (KNOWLEDGE_DIR when set and not empty, else bot/data/knowledge)."""
        folder = env.get("KNOWLEDGE_DIR")
        return cls(
            knowledge_dir=Path(folder) if folder else DEFAULT_KNOWLEDGE_DIR,
            retrieval=RetrievalSettings.from_env(env),
        )


_current: Optional[ActionSettings] = None
_lock = threading.Lock()


def action_settings() -> ActionSettings:
    """The process's settings: the installed ones, else read from `os.environ` once."""
    global _current
    with _lock:
        if _current is None:
            _current = ActionSettings.from_env(os.environ)
        return _current


def use_action_settings(settings: Optional[ActionSettings]) -> None:
    """Install `settings` for this process; None forgets them (read again on next use, tests)."""
    global _current
    with _lock:
        _current = settings
