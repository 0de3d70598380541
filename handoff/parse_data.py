"""Reading Rasa's parse data: the intent, sentiment, urgency, language and follower count
the NLU pipeline and the channel attached to one message (pure).

Every reader tolerates missing or malformed values (a message parsed without the
sentiment or triage components still routes). `sentiment_compound` is the one place that
reads the sentiment score; everyone else calls it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Tuple

FALLBACK_INTENT = "nlu_fallback"
UNKNOWN_LANGUAGE = "und"  # what the language detector reports when it cannot tell


@dataclass(frozen=True)
class Urgency:
    """Urgency markers the NLU pipeline attached (categories in a fixed order, score)."""

    categories: Tuple[str, ...] = ()
    score: float = 0.0


@dataclass(frozen=True)
class Language:
    """The language the NLU pipeline detected (`und` when it could not tell)."""

    code: str = UNKNOWN_LANGUAGE
    confidence: float = 0.0


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def top_intent(parse: Mapping[str, Any]) -> Tuple[str, float]:
    """The best real intent and its confidence, looking past the NLU fallback label."""
    intent = parse.get("intent") or {}
    name = intent.get("name") or FALLBACK_INTENT
    confidence = float(intent.get("confidence") or 0.0)
    if name == FALLBACK_INTENT:
        for candidate in parse.get("intent_ranking") or []:
            if candidate.get("name") and candidate.get("name") != FALLBACK_INTENT:
                return candidate["name"], float(candidate.get("confidence") or 0.0)
    return name, confidence


def sentiment_compound(parse: Mapping[str, Any]) -> Optional[float]:
    """The compound sentiment score as attached (``sentiment.compound``, or a bare number);
    None when there is none."""
    value = parse.get("sentiment")
    if isinstance(value, Mapping):
        value = value.get("compound")
    return float(value) if isinstance(value, (int, float)) else None


def sentiment_score(parse: Mapping[str, Any]) -> float:
    """The compound sentiment in [-1, 1] for routing (0.0 when absent)."""
    value = sentiment_compound(parse)
    return max(-1.0, min(1.0, value if value is not None else 0.0))


def is_request(parse: Mapping[str, Any]) -> bool:
    """True when the sentiment analyser read the message as a calm question or request."""
    sentiment = parse.get("sentiment")
    return bool(sentiment.get("request")) if isinstance(sentiment, Mapping) else False


def urgency_of(parse: Mapping[str, Any]) -> Urgency:
    """The urgency markers the NLU pipeline attached (none when absent)."""
    urgency = parse.get("urgency")
    if not isinstance(urgency, Mapping):
        return Urgency()
    categories = urgency.get("categories") or ()
    if isinstance(categories, str):
        categories = (categories,)
    score = max(0.0, min(1.0, _number(urgency.get("score"))))
    return Urgency(tuple(str(c) for c in categories), score)


def language_of(parse: Mapping[str, Any]) -> Language:
    """The language the NLU pipeline detected (unknown when absent)."""
    language = parse.get("language")
    if not isinstance(language, Mapping):
        return Language()
    code = str(language.get("code") or UNKNOWN_LANGUAGE).lower()
    return Language(code, max(0.0, min(1.0, _number(language.get("confidence")))))


def followers_of(parse: Mapping[str, Any]) -> Optional[int]:
    """The author's follower count the X channel put in the message metadata, if any."""
    metadata = parse.get("metadata")
    value = metadata.get("author_followers") if isinstance(metadata, Mapping) else None
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
