"""A summary an agent reads in ten seconds, extracted from the conversation (pure).

Three to five short lines: who and why (reasons in words), the customer's own key
sentences (the one that triggered the handoff, the angriest, the one with references),
what the bot already did (look-ups and outcomes), and the mood trend. Every customer
sentence is quoted as written (extractive), trimmed to `MAX_QUOTE` characters.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Sequence

MAX_QUOTE = 140
REASON_WORDS = {
    "route": "asked for something a person handles",
    "frustration": "frustrated",
    "negative_sentiment": "unhappy",
    "urgency": "urgent",
    "language": "writes in an unsupported language",
    "clarification_failed": "bot could not understand twice",
    "action_error": "the bot failed",
    "backend_error": "our systems failed",
    "vip": "VIP customer",
    "reach": "public post from a large account",
    "public_channel": "posted publicly",
    "accepted_offer": "accepted the offer of a person",
    "no_knowledge": "no checked answer",
    "not_allowed": "the system refused the change",
    "intent": "asked for a person",
}
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_REFERENCE = re.compile(r"\b(?:[A-Z0-9]{6}|[A-Z]{2}\d{2,4}|\d{9}|[A-Z]{5}\d{5})\b")


def sentiment_trajectory(customer_turns: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """``{"points": [{"timestamp", "score"}], "first", "last", "min", "trend"}``.

    Trend compares the mean of the later half with the earlier half: ``worsening`` /
    ``improving`` when they differ by 0.15 or more, else ``steady`` (``unknown`` without scores).
    """
    points = [{"timestamp": t.get("timestamp"), "score": t.get("sentiment")}
              for t in customer_turns if t.get("sentiment") is not None]
    scores = [p["score"] for p in points]
    if not scores:
        return {"points": [], "first": None, "last": None, "min": None, "trend": "unknown"}
    trend = "steady"
    if len(scores) >= 2:
        half = len(scores) // 2
        early, late = scores[:half] or scores[:1], scores[half:]
        delta = sum(late) / len(late) - sum(early) / len(early)
        trend = "worsening" if delta <= -0.15 else "improving" if delta >= 0.15 else "steady"
    return {"points": points, "first": scores[0], "last": scores[-1], "min": min(scores), "trend": trend}


def _quote(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1].rsplit(" ", 1)[0] + "…"


def key_sentences(customer_turns: Sequence[Mapping[str, Any]], limit: int = 3) -> List[str]:
    """The customer's most telling sentences, in conversation order.

    Picks the last message before the handoff (why we are here), the most negative
    message, and the first one quoting a reference (booking, flight, member number).
    """
    turns = [t for t in customer_turns if str(t.get("text") or "").strip()
             and not str(t.get("text")).startswith("/")]
    if not turns:
        return []
    chosen: List[int] = [len(turns) - 1]
    scored = [(t.get("sentiment"), i) for i, t in enumerate(turns) if t.get("sentiment") is not None]
    if scored:
        worst = min(scored)
        if worst[0] < 0:
            chosen.append(worst[1])
    for index, turn in enumerate(turns):
        if _REFERENCE.search(str(turn.get("text"))) or turn.get("entities"):
            chosen.append(index)
            break
    picked = sorted(dict.fromkeys(chosen))[-limit:] if len(set(chosen)) > limit else sorted(set(chosen))
    return [_quote(_best_sentence(str(turns[i]["text"]))) for i in picked]


def _best_sentence(text: str) -> str:
    """The message itself when short; else its sentences with a reference (or its first
    two), skipping pleasantries of fewer than three words."""
    sentences = [s for s in _SENTENCE.split(text.strip()) if s]
    if len(sentences) <= 1:
        return text
    meaty = [s for s in sentences if len(s.split()) >= 3] or sentences
    with_ref = [s for s in meaty if _REFERENCE.search(s)]
    return " ".join((with_ref or meaty)[:2])


def _reason_words(reasons: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for reason in reasons:
        code = str(reason.get("code"))
        words = REASON_WORDS.get(code, code.replace("_", " "))
        if code == "route":
            detail = str(reason.get("detail") or "")
            words = detail.split(":")[-1].replace("_", " ") if detail else words
        parts.append(f"{words} ({float(reason.get('score') or 0):.2f})")
    return ", ".join(dict.fromkeys(parts)) or "unspecified"


def _who(profile: Mapping[str, Any], channel: str) -> str:
    name = profile.get("display_name") or profile.get("handle") or "Customer"
    bits = [str(name)]
    if profile.get("handle") and profile.get("display_name"):
        bits.append(f"@{profile['handle']}")
    extras = []
    if profile.get("loyalty_tier"):
        extras.append(f"{profile['loyalty_tier']} tier")
    if isinstance(profile.get("followers"), int):
        extras.append(f"{profile['followers']:,} followers")
    if profile.get("earlier_tickets"):
        extras.append(f"{len(profile['earlier_tickets'])} earlier ticket(s)")
    tail = f" ({', '.join(extras)})" if extras else ""
    return f"{' '.join(bits)} on {channel.replace('_', ' ')}{tail}"


def _lookups_line(lookups: Sequence[Mapping[str, Any]]) -> Optional[str]:
    if not lookups:
        return None
    parts = []
    for item in lookups[-3:]:
        what = str(item.get("action", "")).replace("action_submit_", "").replace("validate_", "").replace("_", " ")
        parts.append(f"{what.replace(' form', '')}: {item.get('outcome')}")
    return "Bot already checked: " + "; ".join(parts) + "."


def summarise(dossier: Mapping[str, Any]) -> Dict[str, Any]:
    """``{"headline", "lines", "text"}`` from a dossier dict (see `build_dossier`)."""
    customer = [t for t in dossier.get("transcript") or [] if t.get("speaker") == "customer"]
    profile = dossier.get("profile") or {}
    headline = f"{_who(profile, str(dossier.get('channel') or ''))}: {_reason_words(dossier.get('reasons') or [])}."
    lines = [f"“{q}”" for q in key_sentences(customer)]
    lookups = _lookups_line(dossier.get("lookups") or [])
    if lookups:
        lines.append(lookups)
    mood = dossier.get("sentiment") or {}
    if mood.get("trend") not in (None, "unknown"):
        lines.append(f"Mood {mood['trend']} ({mood['first']:+.2f} → {mood['last']:+.2f}), "
                     f"{len(customer)} message(s).")
    window = (dossier.get("thread") or {}).get("window") or {}
    if window.get("state") in ("human_agent", "closed"):
        lines.append("Messenger window: " + ("HUMAN_AGENT tag needed." if window["state"] == "human_agent"
                                             else "closed, use another channel."))
    return {"headline": headline, "lines": lines, "text": "\n".join([headline, *lines])}
