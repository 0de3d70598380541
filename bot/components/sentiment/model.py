"""Sentiment scoring that survives social-media writing. Pure code, no Rasa imports.

VADER (a lexicon built for social media: caps, emojis, punctuation, slang) scores the
text after light normalisation (handles and links removed, hashtags split into words),
with an airline-care lexicon on top and corrections VADER does not make on its own:

* complaint patterns ("on hold for 2 hours", "still waiting") push the score down, and
  politeness words ("please", "thanks") do not pull a complaint up;
* sarcasm ("great, another delay 🙄"): praise words next to a service failure;
* requests: in a calm request ("cancel my booking", "where is my delayed bag?") the
  domain words (cancel, delayed, refund, lost ...) name what the customer wants done and
  are scored as neutral; they keep their negative weight in statements and complaints.

The learnt part (a classifier head on MiniLM embeddings) is in head.py; the component
combines both.
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
# Domain words that name a request's subject; neutral inside a calm request.
DOMAIN_WORDS: Tuple[str, ...] = (
    "cancel", "cancelled", "canceled", "cancelling", "canceling", "cancellation", "cancellations",
    "delay", "delayed", "delays", "refund", "refunds", "refunded", "rebook", "rebooked", "rebooking",
    "lost", "missing", "claim", "compensation", "complaint", "wait", "waiting", "missed", "problem",
    "damaged", "broken", "charged", "fee", "fees", "no",
)
POLITENESS_WORDS: Tuple[str, ...] = (
    "please", "pls", "plz", "thanks", "thank", "thx", "ty", "kindly", "appreciate", "appreciated",
    "help", "nice", "happy", "good", "great", "glad", "hope", "ok", "okay", "yes", "sure", "like",
)
# A request starts the message or a clause ("my flight was cancelled, how do I ...").
REQUEST_START = re.compile(
    r"(?:^|[.,;:!?]\s*)(?:(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening))\b[\s,!.]*)?"
    r"(?:where|what|when|how|which|who|is|are|can|could|would|will|do|does|did|should|may|"
    r"please|pls|i(?:'d| would) like|i want|i need|i wanna|need to|want to|help me|"
    r"cancel|refund|rebook|change|check|track|find|look up|lookup|send|add|update|book|get me|"
    r"tell me|let me know)\b",
    re.IGNORECASE,
)
FRUSTRATION_CUES = re.compile(
    r"[!?]{2,}|😡|🤬|😤|😠|😭|😢|🙄|😒|\b(?:wtf|ffs|smh|ugh|seriously|ridiculous|joke|useless|"
    r"worst|terrible|awful|unacceptable|disgusting|pathetic|still|again|why)\b",
    re.IGNORECASE,
)
SHOUTED_WORD = re.compile(r"\b[A-Z]{4,}\b")
# "where is my ..." is a complaint marker in a statement, not in a calm request.
WHERE_IS_MY = next(p for p in COMPLAINT_PATTERNS if "where is" in p.pattern)
FAILURE_WORDS = re.compile(
    r"\b(delay\w*|cancel\w*|late|lost|los(?:e|es|ing)|hold|wait\w*|stuck|stranded|miss\w*|broke\w*|"
    r"damag\w*|crash\w*|ruin\w*|smash\w*|again|hours?)\b",
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
    """Compound score in [-1, 1] plus the markers behind it.

    `compound` is the lexicon score with the complaint/sarcasm corrections; when the
    classifier head ran, `head` holds its score (P(positive) - P(negative)) and
    `compound` the combination (see `combine`).
    """

    compound: float
    lexicon_compound: float
    complaint_markers: int
    sarcasm: bool
    request: bool = False
    head: Optional[float] = None

    def as_dict(self) -> Dict[str, object]:
        """The JSON-able form attached to Rasa's parse data under `sentiment`."""
        out: Dict[str, object] = {
            "compound": round(self.compound, 4),
            "lexicon": round(self.lexicon_compound, 4),
            "complaint_markers": self.complaint_markers,
            "sarcasm": self.sarcasm,
            "request": self.request,
        }
        if self.head is not None:
            out["head"] = round(self.head, 4)
        return out


def normalise(text: str) -> str:
    """Drop handles and links, turn hashtags into words (#NeverAgain -> Never Again)."""
    text = LINK.sub(" ", text)
    text = HANDLE.sub(" ", text)

    def _hashtag(match: "re.Match[str]") -> str:
        word = match.group(1)
        return " " + (CAMEL.sub(" ", word) if not word.isupper() else word) + " "

    text = HASHTAG.sub(_hashtag, text)
    return re.sub(r"\s+", " ", text).strip()


def is_calm_request(clean: str) -> bool:
    """A question or request without frustration cues (shouting, "??", "again", 😡 ...)."""
    if not REQUEST_START.search(clean) and not clean.rstrip().endswith("?"):
        return False
    return not FRUSTRATION_CUES.search(clean) and not SHOUTED_WORD.search(clean)


def combine(lexicon: float, head: float, head_weight: float) -> float:
    """Weighted mean of the lexicon and head scores, clipped to [-1, 1]."""
    value = head_weight * head + (1.0 - head_weight) * lexicon
    return max(-1.0, min(1.0, value))


class SocialSentiment:
    """VADER plus the airline lexicon and the complaint/sarcasm/request corrections."""

    def __init__(self, extra_lexicon: Optional[Mapping[str, float]] = None) -> None:
        # Imported here: the lexicon file is read when the analyzer is built, not at import.
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._vader = SentimentIntensityAnalyzer()
        self._vader.lexicon.update(AIRLINE_LEXICON)
        if extra_lexicon:
            self._vader.lexicon.update({k.lower(): float(v) for k, v in extra_lexicon.items()})
        self._lexicon = dict(self._vader.lexicon)
        self._variants: Dict[Tuple[bool, bool], Dict[str, float]] = {}

    def _lexicon_for(self, request: bool, complaint: bool) -> Dict[str, float]:
        """The lexicon with domain words (request) / politeness words (complaint) at 0."""
        key = (request, complaint)
        if key not in self._variants:
            muted = dict(self._lexicon)
            for word in (DOMAIN_WORDS if request else ()) + (POLITENESS_WORDS if complaint else ()):
                muted.pop(word, None)
            self._variants[key] = muted
        return self._variants[key]

    def _vader_score(self, clean: str, request: bool, complaint: bool) -> float:
        self._vader.lexicon = self._lexicon_for(request, complaint)
        try:
            return float(self._vader.polarity_scores(clean)["compound"])
        finally:
            self._vader.lexicon = self._lexicon

    def score(self, text: str) -> SentimentResult:
        """Score one message (lexicon and rules only)."""
        raw = text or ""
        clean = normalise(raw)
        if not clean:
            return SentimentResult(0.0, 0.0, 0, False)
        request = is_calm_request(clean)
        hits = [p for p in COMPLAINT_PATTERNS if p.search(clean) and not (request and p is WHERE_IS_MY)]
        markers = len(hits)
        lexicon_compound = self._vader_score(clean, request, complaint=markers > 0)
        compound = lexicon_compound - COMPLAINT_NUDGE * markers
        sarcasm = any(p.search(raw) for p in SARCASM_MARKERS) and bool(FAILURE_WORDS.search(clean))
        if sarcasm:
            compound = min(-abs(compound), SARCASM_FLOOR)
        compound = max(-1.0, min(1.0, compound))
        return SentimentResult(compound, lexicon_compound, markers, sarcasm, request)

    def with_head(self, result: SentimentResult, head: float, head_weight: float) -> SentimentResult:
        """`result` with the classifier head's score combined in (sarcasm keeps its floor)."""
        compound = combine(result.compound, head, head_weight)
        if result.sarcasm:
            compound = min(compound, SARCASM_FLOOR)
        return SentimentResult(compound, result.lexicon_compound, result.complaint_markers,
                               result.sarcasm, result.request, head)
