"""Suggested knowledge answers for an agent (pure): lexical overlap, no external service.

Scores each curated entry (questions, tags, intent, answer) against the customer's words;
an entry whose intent the NLU saw in the conversation gets a bonus.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any, Dict, Iterable, List, Sequence

_WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    "a an and are at be but by can could did do does for from get got had has have how i i'm if in "
    "is it its it's me my no not of on or our please so that the their them then there they this to "
    "up us was we were what when where which who why will with would you your yes hi hello thanks "
    "thank just still any some been am im dont can't cant".split()
)


def words(text: str) -> List[str]:
    """Lower-case content words of `text` (stop words dropped, naive plural folding)."""
    out = []
    for word in _WORD.findall((text or "").lower()):
        if word in STOPWORDS or len(word) < 2:
            continue
        out.append(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word)
    return out


def suggest_answers(customer_texts: Sequence[str], entries: Iterable[Any], intents: Iterable[str] = (),
                    limit: int = 3, min_score: float = 0.15) -> List[Dict[str, Any]]:
    """Up to `limit` entries as ``{"id", "intent", "answer", "short_answer", "score"}``.

    `entries` are KnowledgeEntry-like objects (id, intent, answer, short_answer,
    questions, tags). Scores are in [0, 1]; entries under `min_score` are dropped.
    """
    query = Counter(w for text in customer_texts for w in words(text))
    if not query:
        return []
    seen_intents = set(intents)
    scored = []
    for entry in entries:
        vocabulary = set(words(" ".join([*getattr(entry, "questions", ()), *getattr(entry, "tags", ()),
                                         str(getattr(entry, "intent", "")).replace("_", " "),
                                         getattr(entry, "short_answer", "") or ""])))
        if not vocabulary:
            continue
        hits = sum(count for word, count in query.items() if word in vocabulary)
        score = hits / math.sqrt(sum(query.values()) * len(vocabulary)) * 2
        if getattr(entry, "intent", None) in seen_intents:
            score += 0.3
        score = min(1.0, score)
        if score >= min_score:
            scored.append((score, entry))
    scored.sort(key=lambda pair: (-pair[0], str(pair[1].id)))
    return [
        {"id": e.id, "intent": e.intent, "answer": e.answer, "short_answer": getattr(e, "short_answer", ""),
         "score": round(s, 3)}
        for s, e in scored[:limit]
    ]
