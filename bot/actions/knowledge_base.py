"""The curated knowledge of the configured folder, loaded on first use and reloaded on edits.

Trainers edit the files while the action server runs: `get_knowledge_base()` compares a
cheap fingerprint of the folder (file names, sizes and modification times) on every call
and reloads only when it changed. Nothing is read at import; `KNOWLEDGE_DIR` points
elsewhere (bot/actions/settings.py). The entries themselves and the file format are in
bot/actions/knowledge_entries.py; the names importers used to find here are still here.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Dict, List

from bot.actions.knowledge_entries import (
    Fingerprint,
    KnowledgeBase,
    KnowledgeEntry,
    KnowledgeError,
    folder_fingerprint,
    load_entries,
)
from bot.actions.knowledge_index import clear_index
from bot.actions.settings import action_settings, use_action_settings

# Re-exported: socialcare/kb_lint.py and older importers take these from here.
__all__ = [
    "KnowledgeBase", "KnowledgeEntry", "KnowledgeError", "load_entries",
    "clear_cache", "get_knowledge_base", "knowledge_dir", "loaded_folders",
]

logger = logging.getLogger(__name__)


def knowledge_dir() -> Path:
    """The knowledge folder: KNOWLEDGE_DIR, else bot/data/knowledge."""
    return action_settings().knowledge_dir


class _Store:
    """The loaded knowledge per folder, reloaded when the folder's fingerprint changes.

    A reload that fails (a trainer saved a broken file) keeps serving the last good
    version and logs the error once per fingerprint; the first load raises.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: Dict[str, KnowledgeBase] = {}
        self._bad: Dict[str, Fingerprint] = {}

    def get(self, directory: Path) -> KnowledgeBase:
        key = str(directory)
        current = folder_fingerprint(directory)
        kb = self._loaded.get(key)
        if kb is not None and (kb.fingerprint == current or self._bad.get(key) == current):
            return kb
        with self._lock:
            kb = self._loaded.get(key)
            if kb is not None and kb.fingerprint == current:
                return kb
            try:
                fresh = KnowledgeBase(load_entries(directory), current)
            except (KnowledgeError, OSError) as error:
                if kb is None:
                    raise
                self._bad[key] = current
                logger.error("knowledge reload failed, keeping the previous version: %s", error)
                return kb
            self._bad.pop(key, None)
            self._loaded[key] = fresh
            logger.info("loaded %d knowledge entries from %d files", len(fresh.entries), len(current))
            return fresh

    def clear(self) -> None:
        with self._lock:
            self._loaded.clear()
            self._bad.clear()


_STORE = _Store()


def loaded_folders() -> List[str]:
    """The knowledge folders loaded so far in this process (nothing loads at import)."""
    return list(_STORE._loaded)


def get_knowledge_base() -> KnowledgeBase:
    """The knowledge of the configured folder, reloaded when a file changed since last call."""
    return _STORE.get(knowledge_dir())


def clear_cache() -> None:
    """Forget loaded knowledge, its embeddings and the settings read (tests)."""
    _STORE.clear()
    clear_index()
    use_action_settings(None)
