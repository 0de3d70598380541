"""Pure text helpers shared by the outbound builders: length measures and splitting."""
from __future__ import annotations

import re
from typing import Callable

__all__ = ["utf16_len", "split_text", "fit_prefix"]

Measure = Callable[[str], int]

# End of a sentence: terminal punctuation, optional closing quotes/brackets, then space.
_SENTENCE_END = re.compile(r"[.!?\u2026\u3002\uff01\uff1f][\"'\u2019\u201d)\]]*(?=\s)")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (an emoji outside the BMP counts 2), a safe upper
    bound for platforms that count characters the JavaScript way."""
    return len(text.encode("utf-16-le")) // 2


def fit_prefix(text: str, limit: int, measure: Measure = len) -> int:
    """The largest ``n`` such that ``measure(text[:n]) <= limit`` (measure is monotonic)."""
    if measure is len:
        return min(len(text), max(0, limit))
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def _cut_position(text: str, window: int) -> int:
    """Where to cut ``text`` so the first part is ``text[:cut]`` with ``cut <= window``.

    Preference: paragraph break, line break, sentence end, word gap, each only if it
    keeps at least half the window; then the latest boundary of any kind; then a
    hard cut at ``window``.
    """
    # text[window] may itself be the whitespace right after a word that fits exactly.
    head = text[: window + 1]
    candidates: list[int] = []
    paragraph = head.rfind("\n\n", 0, window + 1)
    candidates.append(paragraph)
    line = head.rfind("\n", 0, window + 1)
    candidates.append(line)
    sentence = -1
    for match in _SENTENCE_END.finditer(head):
        if match.end() <= window:
            sentence = match.end()
    candidates.append(sentence)
    word = -1
    for index in range(min(window, len(text) - 1), 0, -1):
        if text[index].isspace():
            word = index
            break
    candidates.append(word)
    half = window // 2
    for position in candidates:
        if position >= max(1, half):
            return position
    best = max(candidates)
    return best if best > 0 else window


def split_text(text: str, limit: int, *, measure: Measure = len) -> list[str]:
    """Split ``text`` into ordered chunks with ``measure(chunk) <= limit`` each.

    Cuts on paragraph, then line, sentence and word boundaries (see ``_cut_position``);
    a single word longer than ``limit`` is cut hard. Whitespace at the cuts is dropped,
    whitespace inside a chunk is kept, and no chunk is empty. Empty or blank text gives
    an empty list.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    chunks: list[str] = []
    rest = text.strip()
    while rest:
        if measure(rest) <= limit:
            chunks.append(rest)
            break
        window = fit_prefix(rest, limit, measure)
        if window == 0:  # one character wider than the limit: nothing sensible fits
            raise ValueError("limit is smaller than a single character")
        cut = _cut_position(rest, window)
        chunk = rest[:cut].rstrip()
        if not chunk:  # only whitespace before the cut: cut hard instead
            chunk, cut = rest[:window], window
        chunks.append(chunk)
        rest = rest[cut:].lstrip()
    return chunks
