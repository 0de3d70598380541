"""Curated knowledge answers (bot/data/knowledge/*.yml): the entries and reading them. Pure, no Rasa.

File format: `entries:` a list of {id, intent, questions, answer, short_answer, tags,
owner, last_reviewed, default}. Which entry answers a message is decided by semantic
retrieval over the `questions` (bot/actions/knowledge_index.py); the intent's
`default: true` entry is the fallback when the encoder is unavailable. The process-wide,
reloading copy of a folder is kept by bot/actions/knowledge_base.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

REQUIRED_FIELDS = ("id", "intent", "answer")
PATTERNS = ("*.yml", "*.yaml")

Fingerprint = Tuple[Tuple[str, int, int], ...]


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
    source: str = ""

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
    questions = raw.get("questions") or ()
    if isinstance(questions, str) or not all(isinstance(q, str) for q in questions):
        raise KnowledgeError(f"{source}: entry {raw['id']!r}: questions must be a list of strings")
    return KnowledgeEntry(
        id=str(raw["id"]), intent=str(raw["intent"]), answer=" ".join(str(raw["answer"]).split()),
        short_answer=" ".join(str(raw.get("short_answer") or "").split()),
        questions=tuple(" ".join(q.split()) for q in questions if q.strip()),
        tags=tuple(str(t) for t in raw.get("tags") or ()), owner=str(raw.get("owner") or ""),
        last_reviewed=str(raw.get("last_reviewed") or ""), default=bool(raw.get("default", False)),
        source=source,
    )


def knowledge_files(directory: Path) -> List[Path]:
    """The knowledge files of `directory`, in name order."""
    return sorted({p for pattern in PATTERNS for p in Path(directory).glob(pattern)})


def load_entries(directory: Path) -> List[KnowledgeEntry]:
    """Every entry of every *.yml / *.yaml file in `directory`, in file-name order.

    Raises KnowledgeError on a malformed file or a duplicate entry id.
    """
    entries: List[KnowledgeEntry] = []
    for path in knowledge_files(directory):
        with open(path, encoding="utf-8") as handle:
            try:
                data = yaml.safe_load(handle) or {}
            except yaml.YAMLError as error:
                raise KnowledgeError(f"{path.name}: not valid YAML ({type(error).__name__})") from error
        raw_entries = data.get("entries") if isinstance(data, Mapping) else None
        if not isinstance(raw_entries, list):
            raise KnowledgeError(f"{path.name}: needs an 'entries' list")
        entries.extend(parse_entry(raw, path.name) for raw in raw_entries)
    seen: Dict[str, str] = {}
    for entry in entries:
        if entry.id in seen:
            raise KnowledgeError(f"{entry.source}: duplicate entry id {entry.id!r} (also in {seen[entry.id]})")
        seen[entry.id] = entry.source
    return entries


def folder_fingerprint(directory: Path) -> Fingerprint:
    """(name, size, mtime_ns) of every knowledge file: changes whenever a file does."""
    out = []
    for path in knowledge_files(directory):
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed between glob and stat
            continue
        out.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(out)


@dataclass
class KnowledgeBase:
    """Entries indexed by intent."""

    entries: List[KnowledgeEntry]
    fingerprint: Fingerprint = ()
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

    def answer(self, intent: str, public: bool = False) -> Optional[str]:
        """The default answer for an intent, short when `public`, or None when none is curated."""
        entry = self.default_entry(intent)
        return entry.text(public) if entry else None
