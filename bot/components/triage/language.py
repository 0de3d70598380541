"""Which language a customer writes in. Pure code, no Rasa imports.

The statistical model is py3langid (langid.py: a naive Bayes model over byte n-grams,
shipped inside the wheel, deterministic), restricted to the languages customers are
likely to write in. Short social texts need more than the model:

* links, @handles, #hashtags, e-mail addresses, emojis, and codes with digits (AU451,
  K7P2QX, 12A) or without vowels (LHR, JFK) carry no language and are removed first;
* what is left must have a few words and letters, or the answer is "unknown"
  (`UNKNOWN`): "ok", "thx", "K7P2QX", "👍👍" are not an unsupported language;
* a few capitalised words alone ("Jean-Pierre Dubois") are a name, not a language;
* a message in which at least 40% of the words are common English (`english.py`, with
  slang and airline words) is English, whatever the model makes of "can i bring my dog"
  (Norwegian, it says).

`supported` is False only when a language outside the supported set is detected with at
least `min_confidence`; unknown and low-confidence guesses never count as unsupported.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

from bot.components.triage.english import ENGLISH_WORDS

UNKNOWN = "und"  # ISO 639-2 "undetermined"
# Only the start of a long message is read: bounded time per message.
MAX_CHARS = 1000

# Languages the model chooses between: widely written ones. Restricting the set keeps
# short texts from landing on rare neighbours (Occitan, Volapük, Norwegian Nynorsk...).
DEFAULT_CANDIDATES: Tuple[str, ...] = (
    "en", "fr", "es", "de", "it", "pt", "nl", "sv", "da", "no", "fi", "pl", "cs", "sk",
    "ro", "hu", "el", "tr", "ru", "uk", "bg", "hr", "sr", "sl", "lt", "lv", "et", "ga",
    "cy", "ca", "is", "sq", "ar", "he", "fa", "ur", "hi", "bn", "ta",
    "th", "vi", "id", "ms", "tl", "zh", "ja", "ko", "sw", "af",
)  # fmt: skip

_LINK = re.compile(r"https?://\S+|www\.\S+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_HASHTAG = re.compile(r"#\w+")
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_VOWELS = re.compile(r"[aeiouyAEIOUY]")
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly")


@dataclass(frozen=True)
class LanguageResult:
    """The detected language (ISO 639-1, or UNKNOWN), its confidence, and support."""

    code: str
    confidence: float
    supported: bool

    @property
    def known(self) -> bool:
        """Whether a language was determined at all."""
        return self.code != UNKNOWN

    def as_dict(self) -> Dict[str, Any]:
        """The JSON-able form attached to Rasa's parse data under `language`."""
        return {"code": self.code, "confidence": round(self.confidence, 4), "supported": self.supported}


def _is_latin(char: str) -> bool:
    return char.isascii() or "\u00c0" <= char <= "\u024f" or "\u1e00" <= char <= "\u1eff"


def words_of(text: str) -> List[str]:
    """The words that carry language: no links, handles, emojis, codes or numbers."""
    text = _LINK.sub(" ", (text or "")[:MAX_CHARS])
    text = _EMAIL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    text = _HASHTAG.sub(" ", text)  # #AuroraAir, #fail: brands and tags, not sentences
    words = []
    for token in _TOKEN.findall(text):
        if any(ch.isdigit() for ch in token):
            continue  # AU451, K7P2QX, 12A, 3pm
        if token.isascii() and not _VOWELS.search(token) and _plain(token) not in ENGLISH_WORDS:
            continue  # LHR, JFK, PNR, "jfjfjjf"; but "thx", "pls", "smh" are English
        words.append(token)
    return words


def _plain(word: str) -> str:
    return word.lower().replace("'", "").replace("’", "")


def is_english_word(word: str) -> bool:
    """In the English list, directly or through a regular ending (destinations, delayed)."""
    plain = _plain(word)
    if plain in ENGLISH_WORDS:
        return True
    for suffix in _SUFFIXES:
        if plain.endswith(suffix) and len(plain) > len(suffix) + 2 and plain[: -len(suffix)] in ENGLISH_WORDS:
            return True
    return False


def english_share(words: Sequence[str]) -> float:
    """Share of `words` that are common English words (apostrophes ignored)."""
    if not words:
        return 0.0
    hits = sum(1 for w in words if is_english_word(w))
    return hits / len(words)


class LanguageDetector:
    """Short-text language detection over a fixed set of candidate languages."""

    def __init__(
        self,
        supported: Iterable[str] = ("en",),
        min_confidence: float = 0.9,
        candidates: Iterable[str] = DEFAULT_CANDIDATES,
        min_words: int = 2,
        min_letters: int = 8,
        min_script_letters: int = 3,
        english_share_min: float = 0.4,
        max_name_words: int = 4,
    ) -> None:
        self.supported: FrozenSet[str] = frozenset(code.lower() for code in supported)
        self.min_confidence = float(min_confidence)
        self.candidates: Tuple[str, ...] = tuple(dict.fromkeys([*candidates, *sorted(self.supported)]))
        self.min_words = min_words
        self.min_letters = min_letters
        self.min_script_letters = min_script_letters
        self.english_share_min = english_share_min
        self.max_name_words = max_name_words
        self._identifier: Optional[Any] = None
        self._lock = threading.Lock()

    def _model(self) -> Any:
        # Imported and loaded on first use (about 0.5 s), never at import.
        if self._identifier is None:
            with self._lock:
                if self._identifier is None:
                    from py3langid.langid import MODEL_FILE, LanguageIdentifier

                    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
                    identifier.set_languages(list(self.candidates))
                    self._identifier = identifier
        return self._identifier

    def load(self) -> "LanguageDetector":
        """Load the model now (for a server's start-up); returns self."""
        self._model()
        return self

    def guess(self, text: str) -> Tuple[str, float]:
        """`(code, confidence)`; `(UNKNOWN, 0.0)` when the text is too short to tell."""
        words = words_of(text)
        letters = sum(len(w) for w in words)
        other_script = sum(1 for w in words for ch in w if ch.isalpha() and not _is_latin(ch))
        if other_script * 2 > letters:
            if other_script < self.min_script_letters:
                return UNKNOWN, 0.0
        elif len(words) < self.min_words or letters < self.min_letters:
            return UNKNOWN, 0.0
        if len(words) <= self.max_name_words and all(w[:1].isupper() and w[1:].islower() for w in words):
            return UNKNOWN, 0.0  # "Jean-Pierre Dubois": a name typed as an answer
        share = english_share(words)
        ranking = self._model().rank(" ".join(words))
        probabilities = dict(ranking)
        if "en" in self.candidates and share >= self.english_share_min:
            return "en", max(share, float(probabilities.get("en", 0.0)))
        code, confidence = ranking[0]
        return str(code), float(confidence)

    def detect(self, text: str) -> LanguageResult:
        """The language of one message, and whether it is supported."""
        code, confidence = self.guess(text)
        supported = code == UNKNOWN or code in self.supported or confidence < self.min_confidence
        return LanguageResult(code, confidence, supported)
