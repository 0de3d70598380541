"""`python -m socialcare.kb_lint` (`make kb-lint`): checks the curated knowledge.

Findings, one line each, and exit status 1 when there is any (2 when the folder does not
load at all):

* near-duplicate questions: two question variants of *different* entries whose MiniLM
  embeddings (the encoder retrieval uses) are at least `--similarity` alike; retrieval
  cannot tell such entries apart, so merge them or reword one;
* entries without an owner, without question variants or without a short answer, and
  short answers too long for a public reply;
* entries not reviewed for `--max-age-days` days (180), or with no valid `last_reviewed`.

    python -m socialcare.kb_lint [--dir bot/data/knowledge] [--similarity 0.9] [--today 2026-11-30]
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Sequence

import numpy as np

from bot.actions.knowledge_base import KnowledgeEntry, KnowledgeError, knowledge_dir, load_entries
from bot.components.minilm.model import get_encoder
from core.mlenv import offline_quiet_env

MAX_AGE_DAYS = 180
SIMILARITY = 0.9
PUBLIC_LIMIT = 280  # characters of a public post

Encode = Callable[[List[str]], np.ndarray]


@dataclass(frozen=True)
class Finding:
    """One problem: its kind, the entry (or entries) and a human-readable detail."""

    kind: str
    entry: str
    detail: str

    def line(self) -> str:
        """`kind  entry  detail`."""
        return f"{self.kind:<16} {self.entry:<40} {self.detail}"


def review_findings(entries: Sequence[KnowledgeEntry], today: dt.date, max_age_days: int) -> List[Finding]:
    """Owner, question, short-answer and review-date problems of each entry."""
    found: List[Finding] = []
    for entry in entries:
        where = f"{entry.id} ({entry.source})"
        if not entry.owner.strip():
            found.append(Finding("no-owner", where, "no owner"))
        if not entry.questions:
            found.append(Finding("no-questions", where, "no question variants: retrieval cannot find it"))
        if not entry.short_answer:
            found.append(Finding("no-short-answer", where, "no short answer for public replies"))
        elif len(entry.short_answer) > PUBLIC_LIMIT:
            size = len(entry.short_answer)
            found.append(Finding("long-short", where, f"short answer has {size} > {PUBLIC_LIMIT} chars"))
        try:
            reviewed = dt.date.fromisoformat(entry.last_reviewed.strip())
        except ValueError:
            found.append(Finding("not-reviewed", where, f"no valid last_reviewed date ({entry.last_reviewed!r})"))
            continue
        age = (today - reviewed).days
        if age > max_age_days:
            found.append(Finding("stale", where, f"last reviewed {reviewed} ({age} days > {max_age_days})"))
    return found


def duplicate_findings(entries: Sequence[KnowledgeEntry], encode: Encode, similarity: float) -> List[Finding]:
    """Question variants of different entries whose embeddings are >= `similarity` alike."""
    texts = [q for e in entries for q in e.questions]
    owners = np.asarray([i for i, e in enumerate(entries) for _ in e.questions])
    if len(texts) < 2:
        return []
    vectors = np.asarray(encode(texts), dtype=np.float32)
    sims = vectors @ vectors.T
    found: List[Finding] = []
    rows, cols = np.nonzero(np.triu(sims >= similarity, k=1))
    for a, b in zip(rows.tolist(), cols.tolist()):
        if owners[a] == owners[b]:
            continue
        first, second = entries[owners[a]], entries[owners[b]]
        found.append(Finding("near-duplicate", f"{first.id} ~ {second.id}",
                             f"{sims[a, b]:.2f}: {texts[a]!r} ~ {texts[b]!r}"))
    return found


def default_encode(texts: List[str]) -> np.ndarray:
    """The retrieval encoder (MiniLM int8, one text at a time)."""
    return get_encoder(max_length=64, threads=1, quantize=True).encode(texts, batch_size=1)


def lint(directory: Path, today: dt.date, max_age_days: int = MAX_AGE_DAYS, similarity: float = SIMILARITY,
         encode: Optional[Encode] = None) -> List[Finding]:
    """Every finding for the knowledge folder (raises KnowledgeError when it does not load)."""
    entries = load_entries(directory)
    return review_findings(entries, today, max_age_days) + duplicate_findings(
        entries, encode or default_encode, similarity)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point: prints findings; 0 clean, 1 findings, 2 unreadable knowledge."""
    offline_quiet_env()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=None, help="knowledge folder (default: KNOWLEDGE_DIR)")
    parser.add_argument("--max-age-days", type=int, default=MAX_AGE_DAYS)
    parser.add_argument("--similarity", type=float, default=SIMILARITY)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")
    args = parser.parse_args(argv)
    directory = args.dir or knowledge_dir()
    try:
        findings = lint(directory, args.today or dt.date.today(), args.max_age_days, args.similarity)
    except KnowledgeError as error:
        print(f"unreadable knowledge: {error}", file=sys.stderr)
        return 2
    for finding in findings:
        print(finding.line())
    print(f"{len(findings)} finding(s) in {directory}", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
