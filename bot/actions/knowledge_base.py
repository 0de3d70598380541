"""Curated knowledge answers (bot/data/knowledge/*.yml): loading and lookup. Pure, no Rasa.

File format: `entries:` a list of {id, intent, questions, answer, short_answer, tags,
owner, last_reviewed, default}. Today the answer to an intent is its `default: true` entry;
`KnowledgeBase.best_entry` is the one place where a later change can add retrieval over
`questions` (e.g. semantic search) without touching the action. Files load on first use and
stay cached; `KNOWLEDGE_DIR` points elsewhere.
"""
from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

logger = logging.getLogger(__name__)
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "data" / "knowledge"
REQUIRED_FIELDS = ("id", "intent", "answer")


class KnowledgeError(ValueError):
    """A knowledge file is malformed."""


@dataclass(frozen=True)
class KnowledgeEntry:
    """One curated answer."""

    id: str
    intent: str
    answer: str
    short_answer: str = ""
    questions: Tuple[str, ...] = ()
    tags: Tuple[str, ...] = ()
    owner: str = ""
    last_reviewed: str = ""
    default: bool = False

    def text(self, public: bool) -> str:
        """The short answer for public replies (when there is one), else the full answer."""
        return self.short_answer if public and self.short_answer else self.answer


def parse_entry(raw: Mapping[str, Any], source: str = "") -> KnowledgeEntry:
    """A KnowledgeEntry from one YAML mapping; raises KnowledgeError when malformed."""
    if not isinstance(raw, Mapping):
        raise KnowledgeError(f"{source}: every entry must be a mapping")
    missing = [name for name in REQUIRED_FIELDS if not str(raw.get(name) or "").strip()]
    if missing:
        raise KnowledgeError(f"{source}: entry {raw.get('id')!r} lacks {', '.join(missing)}")
    return KnowledgeEntry(
        id=str(raw["id"]), intent=str(raw["intent"]), answer=" ".join(str(raw["answer"]).split()),
        short_answer=" ".join(str(raw.get("short_answer") or "").split()),
        questions=tuple(str(q) for q in raw.get("questions") or ()),
        tags=tuple(str(t) for t in raw.get("tags") or ()), owner=str(raw.get("owner") or ""),
        last_reviewed=str(raw.get("last_reviewed") or ""), default=bool(raw.get("default", False)),
    )


def load_entries(directory: Path) -> List[KnowledgeEntry]:
    """Every entry of every *.yml / *.yaml file in `directory`, in file-name order."""
    entries: List[KnowledgeEntry] = []
    files = sorted(list(directory.glob("*.yml")) + list(directory.glob("*.yaml")))
    for path in files:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        raw_entries = data.get("entries") if isinstance(data, Mapping) else None
        if not isinstance(raw_entries, list):
            raise KnowledgeError(f"{path.name}: needs an 'entries' list")
        entries.extend(parse_entry(raw, path.name) for raw in raw_entries)
    return entries


@dataclass
class KnowledgeBase:
    """Entries indexed by intent."""

    entries: List[KnowledgeEntry]
    by_intent: Dict[str, List[KnowledgeEntry]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_intent = {}
        for entry in self.entries:
            self.by_intent.setdefault(entry.intent, []).append(entry)

    def default_entry(self, intent: str) -> Optional[KnowledgeEntry]:
        """The intent's `default: true` entry (or its only entry), else None."""
        candidates = self.by_intent.get(intent, [])
        default = next((e for e in candidates if e.default), None)
        if default is None and len(candidates) == 1:
            return candidates[0]
        return default

    def best_entry(self, intent: str, text: str = "") -> Optional[KnowledgeEntry]:
        """The entry that answers `text` asked with `intent` (today: the default entry)."""
        return self.default_entry(intent)

    def answer(self, intent: str, text: str = "", public: bool = False) -> Optional[str]:
        """The answer text for a question, short when `public`, or None when none is curated."""
        entry = self.best_entry(intent, text)
        return entry.text(public) if entry else None


def knowledge_dir() -> Path:
    """The knowledge folder: KNOWLEDGE_DIR, else bot/data/knowledge."""
    value = os.environ.get("KNOWLEDGE_DIR")
    return Path(value) if value else DEFAULT_DIR


@functools.lru_cache(maxsize=4)
def _load(directory: str) -> KnowledgeBase:
    entries = load_entries(Path(directory))
    logger.info("loaded %d knowledge entries", len(entries))
    return KnowledgeBase(entries)


def get_knowledge_base() -> KnowledgeBase:
    """The knowledge base of the configured folder, loaded once and cached."""
    return _load(str(knowledge_dir()))


def clear_cache() -> None:
    """Forget loaded knowledge (tests; a reload after content changes)."""
    _load.cache_clear()
