"""The satisfaction question after a resolved handoff, and reading the answer (pure)."""
from __future__ import annotations

import re
from typing import Optional

CSAT_QUESTION = ("Your conversation with our team is closed. How did we do? Reply with a number from "
                 "1 (poor) to 5 (excellent); this is optional.")
CSAT_THANKS = "Thank you for rating us, it helps the team."
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_RATING = re.compile(r"^\s*([1-5])\s*(?:/\s*5|out of 5|stars?|⭐+)?\s*[.!]*\s*$", re.IGNORECASE)
_STARS = re.compile(r"^\s*(⭐{1,5}|★{1,5})\s*$")


def parse_rating(text: Optional[str]) -> Optional[int]:
    """1..5 when `text` is only a rating ("4", "4/5", "5 stars", "five", "⭐⭐⭐"), else None."""
    if not text:
        return None
    match = _RATING.match(text)
    if match:
        return int(match.group(1))
    stars = _STARS.match(text)
    if stars:
        return len(stars.group(1))
    word = text.strip().strip(".!").lower()
    return _WORDS.get(word)
