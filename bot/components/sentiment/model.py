"""Sentiment scoring that survives social-media writing. Pure code, no Rasa imports.

VADER (a lexicon built for social media: caps, emojis, punctuation, slang) scores the
text after light normalisation (handles and links removed, hashtags split into words),
with an airline-care lexicon on top and two corrections VADER does not make on its own:
complaint patterns ("on hold for 2 hours", "still waiting") and sarcasm ("great, another
delay 🙄"), where praise words sit next to a service failure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Tuple

# Words that are neutral in everyday writing but negative when written to an airline.
AIRLINE_LEXICON: Dict[str, float] = {
    "delayed": -1.6,
    "delay": -1.4,
    "delays": -1.6,
    "cancelled": -2.0,
    "canceled": -2.0,
    "cancellation": -1.3,
    "cancellations": -1.5,
    "stranded": -2.5,
    "stuck": -1.8,
    "diverted": -1.2,
    "overbooked": -2.0,
    "bumped": -1.5,
    "missed": -1.4,
    "missing": -1.4,
    "lost": -1.8,
    "damaged": -2.0,
    "broken": -1.8,
    "rude": -2.3,
    "unhelpful": -2.0,
    "useless": -2.2,
    "nobody": -0.9,
    "waiting": -0.8,
    "wait": -0.6,
    "refund": -0.3,
    "rebook": -0.6,
    "rebooked": -0.6,
    "disgusting": -2.8,
    "joke": -1.2,
    "neveragain": -2.5,
    "fail": -2.2,
    "epicfail": -2.6,
    "unacceptable": -2.6,
    "ridiculous": -2.2,
    "ugh": -1.6,
    "smh": -1.5,
    "wtf": -2.0,
    "dirty": -1.8,
    "cold": -0.6,
    "hungry": -0.8,
    "chaos": -2.0,
    "mess": -1.8,
}

COMPLAINT_PATTERNS: Tuple[re.Pattern, ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bon hold\b",
        r"\b(still|been) waiting\b",
        r"\bwaited\b",
        r"\b\d+\s*(\+\s*)?(hours?|hrs?|h)\b",
        r"\bno (one|body|answer|response|reply|info|information|help|update)\b",
        r"\bnobody (answers|responds|helps|cares)\b",
        r"\b(again|another|yet another)\b.*\b(delay|delayed|cancel\w*|late)\b",
        r"\b(where is|where's|wheres) my\b",
        r"\bwhy (is|are|did|does|do|would|can't|cant|won't|wont)\b",
        r"\b(can't|cant|couldn't|couldnt|unable to) (get|find|reach|check|book|change|log)\b",
        r"\bnever (again|arrived|showed|received|got)\b",
        r"\?\?+",
    )
)
SARCASM_MARKERS: Tuple[re.Pattern, ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"🙄|😒|🤦|😑|🙃",
        r"#sarcasm",
        r"\bthanks? (a lot|for nothing)\b",
        r"\byeah,? right\b",
        r"\b(just|so) (great|perfect|wonderful|fantastic)\b",
        r"\b(great|nice|good|fantastic|awesome) (job|work)\b",
        r"\bgotta love\b",
        r"\blove (how|that|it when)\b",
    )
)
FAILURE_WORDS = re.compile(
    r"\b(delay\w*|cancel\w*|late|lost|hold|wait\w*|stuck|stranded|missed|broken|again|hours?)\b",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(^|\s)@\w+")
LINK = re.compile(r"https?://\S+")
HASHTAG = re.compile(r"#(\w+)")
CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")

COMPLAINT_NUDGE = 0.2
SARCASM_FLOOR = -0.5


@dataclass(frozen=True)
class SentimentResult:
    """Compound score in [-1, 1] plus the markers behind it."""

    compound: float
    lexicon_compound: float
    complaint_markers: int
    sarcasm: bool

    def as_dict(self) -> Dict[str, object]:
        """The JSON-able form attached to Rasa's parse data under `sentiment`."""
        return {
            "compound": round(self.compound, 4),
            "lexicon": round(self.lexicon_compound, 4),
            "complaint_markers": self.complaint_markers,
            "sarcasm": self.sarcasm,
        }


def normalise(text: str) -> str:
    """Drop handles and links, turn hashtags into words (#NeverAgain -> Never Again)."""
    text = LINK.sub(" ", text)
    text = HANDLE.sub(" ", text)

    def _hashtag(match: "re.Match[str]") -> str:
        word = match.group(1)
        return " " + (CAMEL.sub(" ", word) if not word.isupper() else word) + " "

    text = HASHTAG.sub(_hashtag, text)
    return re.sub(r"\s+", " ", text).strip()


class SocialSentiment:
    """VADER plus the airline lexicon and the complaint/sarcasm corrections."""

    def __init__(self, extra_lexicon: Optional[Mapping[str, float]] = None) -> None:
        # Imported here: the lexicon file is read when the analyzer is built, not at import.
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._vader = SentimentIntensityAnalyzer()
        self._vader.lexicon.update(AIRLINE_LEXICON)
        if extra_lexicon:
            self._vader.lexicon.update({k.lower(): float(v) for k, v in extra_lexicon.items()})

    def score(self, text: str) -> SentimentResult:
        """Score one message."""
        raw = text or ""
        clean = normalise(raw)
        lexicon_compound = float(self._vader.polarity_scores(clean)["compound"]) if clean else 0.0
        markers = sum(1 for pattern in COMPLAINT_PATTERNS if pattern.search(clean))
        compound = lexicon_compound - COMPLAINT_NUDGE * markers
        sarcasm = any(p.search(raw) for p in SARCASM_MARKERS) and bool(FAILURE_WORDS.search(clean))
        if sarcasm:
            compound = min(-abs(compound), SARCASM_FLOOR)
        compound = max(-1.0, min(1.0, compound))
        return SentimentResult(compound, lexicon_compound, markers, sarcasm)
