"""Urgency markers in a customer message. Pure code, no Rasa imports.

Five categories, each a set of weighted patterns written for social-media text:

* ``safety``: smoke or fire on board, bomb threats, emergency landings, unsafe aircraft,
  turbulence injuries, assaults;
* ``injury``: someone hurt, bleeding, fainted, an allergic reaction, an ambulance;
* ``legal``: lawyers, lawsuits, small claims, regulator complaints, chargebacks;
* ``no_answer``: the customer has been trying to reach us and nobody answers;
* ``vulnerable``: a vulnerable customer (wheelchair user, unaccompanied minor, pregnant
  passenger...) in distress. Needs a vulnerable subject *and* a distress word.

The text is normalised first: lower case, hashtags split into words (#LegalAction ->
"legal action"), a few emojis turned into words (🚑 -> ambulance), letters repeated three
times or more squeezed to one, and common misspellings of the key words corrected by a small
edit-distance match. Sentences that ask about a policy or a hypothetical ("can I bring a
medical device?", "what if I faint?") do not count for safety, injury and vulnerable.

The score is ``1 - prod(1 - w)`` over the best pattern weight of each category found.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Pattern, Tuple

from bot.components.triage.markers import (
    PATTERNS,
    POLICY_QUESTION,
    QUESTION_START,
    VETOES,
    VULNERABLE_DISTRESS,
    VULNERABLE_SUBJECT,
    VULNERABLE_WEIGHT,
)

# Only the start of a long message is read: bounded time per message.
MAX_CHARS = 4000
CATEGORIES: Tuple[str, ...] = ("safety", "injury", "legal", "no_answer", "vulnerable")
# Categories whose markers are ignored in policy questions and hypotheticals.
GUARDED: FrozenSet[str] = frozenset({"safety", "injury", "vulnerable"})


@dataclass(frozen=True)
class UrgencyResult:
    """Categories found (in CATEGORIES order) and a score in [0, 1]."""

    categories: Tuple[str, ...] = ()
    score: float = 0.0

    @property
    def urgent(self) -> bool:
        """Whether any marker was found."""
        return bool(self.categories)

    def as_dict(self) -> Dict[str, object]:
        """The JSON-able form attached to Rasa's parse data under `urgency`."""
        return {"categories": list(self.categories), "score": round(self.score, 4)}


# --------------------------------------------------------------------------- normalise

EMOJI_WORDS: Dict[str, str] = {
    "🚑": " ambulance ",
    "🔥": " fire ",
    "🧯": " fire ",
    "💨": " smoke ",
    "🩸": " bleeding ",
    "♿": " wheelchair ",
    "♿️": " wheelchair ",
    "🤰": " pregnant ",
    "🫄": " pregnant ",
    "💣": " bomb ",
    "⚖️": " lawyer ",
    "⚖": " lawyer ",
    "👨‍⚖️": " lawyer ",
    "👩‍⚖️": " lawyer ",
    "🧑‍⚖️": " lawyer ",
}
# Longest first, so ZWJ sequences are replaced before their parts.
_EMOJI_ORDER = sorted(EMOJI_WORDS, key=len, reverse=True)

_LINK = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_APOSTROPHES = re.compile(r"[’‘`´]")
_WORD = re.compile(r"[a-z]+")
_SENTENCE = re.compile(r"[^.!?\n;]+[.!?\n;]*")

# Hashtags written as one lower-case word: split the ones we look for.
HASHTAG_WORDS: Dict[str, str] = {
    "legalaction": "legal action",
    "smallclaims": "small claims",
    "seeyouincourt": "see you in court",
    "emergencylanding": "emergency landing",
    "nobodyanswers": "nobody answers",
    "noanswer": "still no answer",
    "noreply": "still no reply",
    "noresponse": "still no response",
    "stillwaiting": "still waiting",
    "stillnoreply": "still no reply",
    "unaccompaniedminor": "unaccompanied minor",
    "foodpoisoning": "food poisoning",
    "allergicreaction": "allergic reaction",
    "unsafeaircraft": "unsafe aircraft",
    "bombthreat": "bomb threat",
    "leftbehind": "left behind",
}

# Key words and the misspellings within one edit of them that we correct. Real words one
# edit away that must never be "corrected" are listed in FUZZY_BLOCKLIST.
FUZZY_KEYWORDS: Tuple[str, ...] = (
    "ambulance",
    "paramedic",
    "paramedics",
    "bleeding",
    "injured",
    "injuries",
    "unconscious",
    "collapsed",
    "allergic",
    "anaphylactic",
    "anaphylaxis",
    "hospital",
    "emergency",
    "turbulence",
    "evacuated",
    "evacuation",
    "lawsuit",
    "lawyer",
    "lawyers",
    "attorney",
    "solicitor",
    "chargeback",
    "ombudsman",
    "regulator",
    "wheelchair",
    "unaccompanied",
    "pregnant",
    "ignoring",
)
FUZZY_BLOCKLIST: FrozenSet[str] = frozenset(
    {
        "breeding",
        "bleeping",
        "insured",
        "injures",
        "evaluated",
        "evaluation",
        "emergence",
        "hospitals",
        "collapses",
        "lawyered",
        "regulated",
        "regulates",
        "regulators",
        "ignorant",
    }
)
_KEYWORD_SET = frozenset(FUZZY_KEYWORDS)


def _within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    if la > lb:
        a, b = b, a
    # b is one longer: find the first difference and skip it in b.
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _correct(word: str) -> str:
    if len(word) < 6 or word in _KEYWORD_SET or word in FUZZY_BLOCKLIST:
        return word
    for keyword in FUZZY_KEYWORDS:
        if keyword[0] == word[0] and abs(len(keyword) - len(word)) <= 1 and _within_one_edit(word, keyword):
            return keyword
    return word


def normalise(text: str) -> str:
    """Lower-cased text with links/handles dropped, hashtags and emojis turned into words."""
    text = (text or "")[:MAX_CHARS]
    for emoji in _EMOJI_ORDER:
        if emoji in text:
            text = text.replace(emoji, EMOJI_WORDS[emoji])
    text = _APOSTROPHES.sub("'", text)
    text = _LINK.sub(" ", text)
    text = _HANDLE.sub(" ", text)

    def _hashtag(match: "re.Match[str]") -> str:
        word = match.group(1)
        split = HASHTAG_WORDS.get(word.lower())
        if split is None:
            split = word if word.isupper() else _CAMEL.sub(" ", word)
        return " " + split.replace("_", " ") + " "

    text = _HASHTAG.sub(_hashtag, text).lower()
    text = _REPEATS.sub(r"\1", text)
    text = _WORD.sub(lambda m: _correct(m.group(0)), text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _policy_sentence(sentence: str) -> bool:
    """A question about a policy or a hypothetical ("can I bring a medical device?")."""
    stripped = sentence.strip()
    is_question = stripped.endswith("?") or bool(QUESTION_START.match(stripped))
    return is_question and bool(POLICY_QUESTION.search(stripped))


def _incident_text(text: str) -> str:
    """The normalised text without its policy-question sentences."""
    return " ".join(s for s in _SENTENCE.findall(text) if not _policy_sentence(s))


def _best(patterns: Iterable[Tuple[float, Pattern[str]]], text: str) -> float:
    return max((weight for weight, pattern in patterns if pattern.search(text)), default=0.0)


def combine(weights: Iterable[float]) -> float:
    """Noisy-or of per-category weights: 1 - prod(1 - w), in [0, 1]."""
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - max(0.0, min(1.0, weight))
    return 1.0 - remaining


def category_weights(text: str) -> Dict[str, float]:
    """The best marker weight of each category found in `text` (absent when none)."""
    clean = normalise(text)
    if not clean:
        return {}
    clean = re.sub(r"[ \t]+", " ", VETOES.sub(" ", clean)).strip()
    incident = _incident_text(clean)
    found: Dict[str, float] = {}
    for category, patterns in PATTERNS.items():
        weight = _best(patterns, incident if category in GUARDED else clean)
        if weight > 0:
            found[category] = weight
    if VULNERABLE_SUBJECT.search(incident) and VULNERABLE_DISTRESS.search(incident):
        found["vulnerable"] = VULNERABLE_WEIGHT
    return found


def detect_urgency(text: str) -> UrgencyResult:
    """Urgency categories in one customer message and a score in [0, 1]."""
    found = category_weights(text)
    categories: List[str] = [c for c in CATEGORIES if c in found]
    return UrgencyResult(tuple(categories), round(combine(found[c] for c in categories), 4))
