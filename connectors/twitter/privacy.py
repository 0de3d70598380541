"""Is a bot answer safe to post publicly on X? (pure, standard library only)

A public reply must never carry personal data. ``public_safe`` looks for booking
references (6 letters/digits with at least one digit), e-mail addresses, phone numbers
(8-15 digits), delayed-bag file references (``LGWAU12345``), 9-digit member numbers and
any known personal value passed in (slot values such as the last name), and returns
``(ok, redacted)``: ``ok`` is False when anything was found and ``redacted`` has each
finding replaced by ``***``. The rules err on the side of caution: a false alarm only
moves the answer to a DM.
"""
from __future__ import annotations

import re
from typing import Iterable

__all__ = ["public_safe", "findings", "REDACTION", "PERSONAL_SLOTS"]

# Slots whose values are the customer's personal data (bot/domain/slots.yml): never in a
# public reply, whether the bot or an agent writes it.
PERSONAL_SLOTS = ("booking_ref", "last_name", "new_email", "bag_file_ref", "member_number")

REDACTION = "***"
_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_BAG_FILE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{3}[\s-]?AU[\s-]?\d{5}(?!\d)", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w+])\+?\d(?:[\s().\-]{0,2}\d){7,14}(?!\w)")
_MEMBER = re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{3}(?!\d)")
_TOKEN6 = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{6}(?![A-Za-z0-9])")
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
_FLIGHT = re.compile(r"AU\d{1,4}", re.IGNORECASE)
_MEASURE = re.compile(r"\d+(?:x\d+)?(?:kg|cm|mm|ml|lbs?|km|mi|hrs?|h|min|am|pm|th|st|nd|rd|gb|mb|eur|usd|gbp)",
                      re.IGNORECASE)


def _reference_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _TOKEN6.finditer(text):
        token = match.group()
        if not any(c.isdigit() for c in token):
            continue
        if _FLIGHT.fullmatch(token) or _MEASURE.fullmatch(token):
            continue
        spans.append(match.span())
    return spans


def _phone_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PHONE.finditer(text) if not _DATE.fullmatch(m.group().strip())]


def _value_spans(text: str, values: Iterable[str]) -> list[tuple[int, int]]:
    spans = []
    for value in values:
        value = " ".join(str(value or "").split())
        if len(value) < 3:
            continue
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(part) for part in value.split()) + r"(?!\w)"
        spans.extend(m.span() for m in re.finditer(pattern, text, re.IGNORECASE))
    return spans


def findings(text: str, personal_values: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Spans of personal data in ``text``, merged and sorted."""
    spans: list[tuple[int, int]] = []
    spans += [m.span() for m in _EMAIL.finditer(text)]
    spans += [m.span() for m in _BAG_FILE.finditer(text)]
    spans += [m.span() for m in _MEMBER.finditer(text)]
    spans += _phone_spans(text)
    spans += _reference_spans(text)
    spans += _value_spans(text, personal_values)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def public_safe(text: str, personal_values: Iterable[str] = ()) -> tuple[bool, str]:
    """``(True, text)`` when ``text`` may be posted publicly, else ``(False, redacted)``."""
    text = text or ""
    spans = findings(text, personal_values)
    if not spans:
        return True, text
    parts, position = [], 0
    for start, end in spans:
        parts.append(text[position:start])
        parts.append(REDACTION)
        position = end
    parts.append(text[position:])
    return False, "".join(parts)
