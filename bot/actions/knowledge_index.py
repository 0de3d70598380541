"""Semantic retrieval over the curated knowledge with the MiniLM encoder. Pure, no Rasa.

Every question variant of every entry is embedded with the same sentence encoder as the
NLU pipeline (bot/components/minilm/model.py, int8, one thread). A message is answered by
the entry whose closest variant is most similar (cosine); the NLU intent breaks near-ties
in favour of its own entries. Decisions, on the chosen entry's score:

  * score >= `answer_threshold`      -> answer with that entry (a specific answer);
  * score >= `agree_floor` and the entry belongs to the NLU intent
                                     -> two independent signals agree on the topic: answer
                                        with the intent's general (`default`) entry;
  * score >= `clarify_floor`         -> ask the customer to clarify (never a guess);
  * below                            -> hand to a person.

The encoder loads lazily on the first lookup (one per process, shared with anything else
that asks `get_encoder` for the same settings). Embeddings are cached per question text, so
when trainers edit the knowledge only new or changed questions are embedded again.
Thresholds come from `RetrievalSettings` (bot/actions/settings.py; environment:
KNOWLEDGE_ANSWER_THRESHOLD, KNOWLEDGE_AGREE_FLOOR, KNOWLEDGE_CLARIFY_FLOOR). Importing
this module loads no model: bot/components/minilm/model.py imports torch on first encode.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Tuple

import numpy as np

from bot.actions.knowledge_entries import KnowledgeBase, KnowledgeEntry
from bot.actions.settings import RetrievalSettings, action_settings
from bot.components.minilm.model import get_encoder
from handoff.reasons import Reason, scored

logger = logging.getLogger(__name__)

ANSWER = "answer"
CLARIFY = "clarify"
HANDOFF = "handoff"

Encode = Callable[[List[str]], np.ndarray]


@dataclass(frozen=True)
class Retrieval:
    """The outcome of one lookup: what to do, the entry behind it and its score."""

    decision: str
    entry: Optional[KnowledgeEntry]
    score: float
    runner_up: Optional[KnowledgeEntry] = None
    runner_up_score: float = -1.0
    basis: str = "similarity"  # or "intent_agreement"

    def reason(self) -> str:
        """A reason code for handoff records and logs (entry id and score, never message text)."""
        return self.handoff_reason().raw

    def handoff_reason(self) -> Reason:
        """`knowledge_<decision>:<entry id>@<score>` as a typed handoff reason."""
        return scored(f"knowledge_{self.decision}", self.entry.id if self.entry else "none", self.score)


def rank_entries(
    entries: List[KnowledgeEntry], owners: np.ndarray, sims: np.ndarray
) -> List[Tuple[float, int]]:
    """(best similarity, entry index) per entry, best first. `owners[i]` owns `sims[i]`."""
    best: Dict[int, float] = {}
    for owner, sim in zip(owners.tolist(), sims.tolist()):
        if sim > best.get(owner, -2.0):
            best[owner] = sim
    return sorted(((s, i) for i, s in best.items()), key=lambda t: (-t[0], t[1]))


def decide(
    ranked: List[Tuple[float, KnowledgeEntry]],
    intent: str,
    settings: RetrievalSettings,
    defaults: Optional[Mapping[str, Optional[KnowledgeEntry]]] = None,
) -> Retrieval:
    """Pure decision over (score, entry) pairs sorted best first.

    `defaults` maps an intent to its general entry (used on intent agreement).
    """
    if not ranked:
        return Retrieval(HANDOFF, None, -1.0)
    top_score, top = ranked[0]
    chosen_score, chosen = top_score, top
    if intent and top.intent != intent:
        own = next(((s, e) for s, e in ranked if e.intent == intent), None)
        if own is not None and own[0] >= top_score - settings.intent_margin:
            chosen_score, chosen = own
    others = [(s, e) for s, e in ranked if e.id != chosen.id]
    runner_score, runner = others[0] if others else (-1.0, None)
    if chosen_score >= settings.answer_threshold:
        return Retrieval(ANSWER, chosen, float(chosen_score), runner, float(runner_score))
    if intent and chosen.intent == intent and chosen_score >= settings.agree_floor:
        general = (defaults or {}).get(intent) or chosen
        return Retrieval(ANSWER, general, float(chosen_score), runner, float(runner_score), "intent_agreement")
    decision = CLARIFY if chosen_score >= settings.clarify_floor else HANDOFF
    return Retrieval(decision, chosen, float(chosen_score), runner, float(runner_score))


class KnowledgeIndex:
    """Question-variant embeddings of a KnowledgeBase, rebuilt when the base changes.

    Args:
        encode: texts -> unit-norm embeddings (n, dim); None -> the shared MiniLM encoder.
        settings: thresholds; None -> those of the process's `action_settings()`.
    """

    def __init__(self, encode: Optional[Encode] = None, settings: Optional[RetrievalSettings] = None) -> None:
        self._encode_fn = encode
        self.settings = settings or action_settings().retrieval
        self._lock = threading.Lock()
        self._vectors: Dict[str, np.ndarray] = {}
        self._built_for: Optional[int] = None
        self._built_entries: List[KnowledgeEntry] = []
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._owners = np.zeros(0, dtype=np.int64)
        self.embedded_texts = 0  # how many texts were encoded so far (tests, logs)

    def _encode(self, texts: List[str]) -> np.ndarray:
        if self._encode_fn is None:
            encoder = get_encoder(max_length=64, threads=1, quantize=True)
            self._encode_fn = lambda items: encoder.encode(items, batch_size=1)
        self.embedded_texts += len(texts)
        return np.asarray(self._encode_fn(texts), dtype=np.float32)

    def _build(self, kb: KnowledgeBase) -> None:
        texts = [q for e in kb.entries for q in e.questions]
        new = sorted({t for t in texts if t not in self._vectors})
        if new:
            for text, vector in zip(new, self._encode(new)):
                self._vectors[text] = vector
        wanted = set(texts)
        for stale in [t for t in self._vectors if t not in wanted]:
            del self._vectors[stale]
        owners = [i for i, e in enumerate(kb.entries) for _ in e.questions]
        self._matrix = np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)
        self._owners = np.asarray(owners, dtype=np.int64)
        self._built_entries = list(kb.entries)
        self._built_for = id(kb)
        logger.info("knowledge index: %d questions, %d newly embedded", len(texts), len(new))

    def ranked(self, kb: KnowledgeBase, text: str) -> List[Tuple[float, KnowledgeEntry]]:
        """(score, entry) for every entry with questions, best first."""
        with self._lock:
            if self._built_for != id(kb) or self._built_entries != kb.entries:
                self._build(kb)
            matrix, owners, entries = self._matrix, self._owners, self._built_entries
        if not len(owners) or not text.strip():
            return []
        query = self._encode([text])[0]
        sims = matrix @ query
        return [(s, entries[i]) for s, i in rank_entries(entries, owners, sims)]

    def lookup(self, kb: KnowledgeBase, text: str, intent: str = "") -> Retrieval:
        """The retrieval decision for `text` (asked with NLU intent `intent`)."""
        defaults = {name: kb.default_entry(name) for name in kb.by_intent}
        return decide(self.ranked(kb, text), intent, self.settings, defaults)


_INDEX: Optional[KnowledgeIndex] = None
_INDEX_LOCK = threading.Lock()


def get_index() -> KnowledgeIndex:
    """The process-wide index (created on first use; the encoder loads on first lookup)."""
    global _INDEX
    with _INDEX_LOCK:
        if _INDEX is None:
            _INDEX = KnowledgeIndex()
        return _INDEX


def clear_index() -> None:
    """Forget the process-wide index (tests)."""
    global _INDEX
    with _INDEX_LOCK:
        _INDEX = None
