"""X outbound request bodies and text shaping (pure, no I/O).

* v2 DMs (``POST /2/dm_conversations/with/{id}/messages``) take only ``text`` and
  attachments: no quick replies (platforms.md A.5). Options are rendered as a short
  numbered list (``render_options``) and a reply is mapped back with ``match_option``.
  DM text is at most 10,000 characters; longer text is split.
* Public replies (``POST /2/tweets``) must fit 280 and are never split into a thread:
  ``fit_public_reply`` shortens on a word boundary with an ellipsis. Length is counted
  conservatively after X's weighted rule (twitter-text v3, recalled: code points in a
  few Latin/punctuation ranges count 1, others such as CJK and emoji count 2, a link
  counts 23), so a reply that fits here is not refused for length.
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from connectors.text import fit_prefix, split_text

__all__ = [
    "DM_TEXT_LIMIT",
    "TWEET_LIMIT",
    "ELLIPSIS",
    "option_title",
    "option_payload",
    "render_options",
    "match_option",
    "split_dm",
    "weighted_length",
    "fit_public_reply",
    "dm_request",
    "reply_request",
    "check_id",
]

DM_TEXT_LIMIT = 10_000
TWEET_LIMIT = 280
URL_LENGTH = 23
ELLIPSIS = "\u2026"
_ID = re.compile(r"[0-9]{1,19}")
# Ranges that count 1 (twitter-text v3 config); every other code point counts 2.
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
# Links: with a scheme, www., or a bare domain (X counts each as 23).
_URL = re.compile(r"(?:https?://|www\.)\S+|(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?:/\S*)?", re.IGNORECASE)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
_EDGE_PUNCTUATION = " \t\n.!?,;:)(#*\"'\u2019\u201d"


def option_title(option: Mapping[str, Any]) -> str:
    """The option's title with whitespace collapsed."""
    return " ".join(str(option.get("title") or "").split())


def option_payload(option: Mapping[str, Any]) -> str:
    """The option's payload, or its title when it has none."""
    payload = option.get("payload")
    return option_title(option) if payload is None else str(payload)


def render_options(text: str, options: Sequence[Mapping[str, Any]] | None) -> str:
    """``text`` followed by a blank line and a numbered list ("1. Yes\\n2. No")."""
    if not options:
        return text
    listing = "\n".join(f"{number}. {option_title(option)}" for number, option in enumerate(options, 1))
    body = (text or "").rstrip()
    return f"{body}\n\n{listing}" if body else listing


def _normalize(value: str) -> str:
    return " ".join(value.casefold().split()).strip(_EDGE_PUNCTUATION)


def match_option(reply_text: str | None, options: Sequence[Mapping[str, Any]] | None) -> str | None:
    """Map a DM reply back to an option's payload, or ``None``.

    Accepts the option title (case-insensitive, surrounding punctuation ignored), its
    number ("1", "1.", "1)", "#1"), the number as a word ("one" .. "ten"), or a copied
    list line ("1. Yes"). Anything else, or a number out of range, gives ``None``.
    """
    if not reply_text or not options:
        return None
    reply = _normalize(reply_text)
    if not reply:
        return None
    for option in options:
        if reply == _normalize(option_title(option)):
            return option_payload(option)
    number: int | None = None
    if reply.isdigit():
        number = int(reply)
    elif reply in _NUMBER_WORDS:
        number = _NUMBER_WORDS[reply]
    else:
        line = re.fullmatch(r"(\d+)[.)]?\s+(.+)", reply)
        if line and 1 <= int(line.group(1)) <= len(options):
            if _normalize(line.group(2)) == _normalize(option_title(options[int(line.group(1)) - 1])):
                number = int(line.group(1))
    if number is not None and 1 <= number <= len(options):
        return option_payload(options[number - 1])
    return None


def split_dm(text: str, options: Sequence[Mapping[str, Any]] | None = None) -> list[str]:
    """DM texts of at most 10,000 characters; the option list rides on the last one
    (or goes alone when it would not fit there). Raises ``ValueError`` for blank text
    without options."""
    chunks = split_text(text or "", DM_TEXT_LIMIT)
    if options:
        listing = render_options("", options)
        if chunks and len(render_options(chunks[-1], options)) <= DM_TEXT_LIMIT:
            chunks[-1] = render_options(chunks[-1], options)
        else:
            chunks.extend(split_text(listing, DM_TEXT_LIMIT))
    if not chunks:
        raise ValueError("DM text is empty")
    return chunks


def _char_weight(char: str) -> int:
    point = ord(char)
    return 1 if any(start <= point <= end for start, end in _LIGHT_RANGES) else 2


def weighted_length(text: str) -> int:
    """Conservative X length: weighted characters, each link counted as at least 23."""
    total, position = 0, 0
    for match in _URL.finditer(text):
        total += sum(_char_weight(c) for c in text[position:match.start()])
        total += max(URL_LENGTH, sum(_char_weight(c) for c in match.group()))
        position = match.end()
    return total + sum(_char_weight(c) for c in text[position:])


def fit_public_reply(text: str, limit: int = TWEET_LIMIT) -> str:
    """``text`` if it fits ``limit``; else cut on a word boundary and end with "…".

    Never splits into several posts. Trailing punctuation before the ellipsis is
    dropped; a single word longer than the limit is cut hard. Raises ``ValueError``
    for blank text.
    """
    text = (text or "").strip()
    if not text:
        raise ValueError("reply text is empty")
    if weighted_length(text) <= limit:
        return text
    room = limit - weighted_length(ELLIPSIS)
    end = fit_prefix(text, room, weighted_length)
    while end > 0:
        gap = max((i for i in range(min(end, len(text) - 1), 0, -1) if text[i].isspace()), default=-1)
        kept = text[:gap] if gap > 0 else text[:end]
        kept = kept.rstrip().rstrip(",;:-\u2013\u2014").rstrip()
        candidate = kept + ELLIPSIS
        if kept and weighted_length(candidate) <= limit:
            return candidate
        end = gap - 1 if gap > 0 else end - 1
    raise ValueError("limit too small for any text")


def check_id(value: str, what: str) -> str:
    """``value`` as a string if it is an X numeric id (1-19 digits), else ``ValueError``."""
    value = str(value)
    if not _ID.fullmatch(value):
        raise ValueError(f"{what} is not a numeric X id")
    return value


def dm_request(text: str) -> dict[str, Any]:
    """Body of ``POST /2/dm_conversations/with/{participant_id}/messages``."""
    if not text or not text.strip():
        raise ValueError("DM text is empty")
    if len(text) > DM_TEXT_LIMIT:
        raise ValueError("DM text too long; use split_dm")
    return {"text": text}


def reply_request(tweet_id: str, text: str) -> dict[str, Any]:
    """Body of ``POST /2/tweets`` replying to ``tweet_id`` (text fitted to 280)."""
    return {"text": fit_public_reply(text), "reply": {"in_reply_to_tweet_id": check_id(tweet_id, "tweet id")}}

