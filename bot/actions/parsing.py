"""Pure parsers for what customers type: references, flight numbers, seats, names, dates.

`parse_*` reads a message typed as the answer to a question ("k7p2qx", "it's au 451") and
returns the normalised value or None. `find_*` pulls a value out of a longer sentence
("status of AU 451 tmrw pls") and is stricter, so ordinary words are not mistaken for
values. No Rasa imports, no I/O; safe on any string.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Iterable, Optional

from bot.actions.dates import find_date, parse_date  # noqa: F401  (re-exported)
from bot.actions.words import COMMON_WORDS, NON_NAME_WORDS
from bot.actions.words import FILLERS as _FILLERS

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})

_REF_TOKEN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]{6})(?![A-Za-z0-9@.])")
_REF_AFTER_KEYWORD = re.compile(
    r"\b(?:ref(?:erence)?|booking|pnr|code|confirmation)(?:\s+(?:no|number|code|is|:|#))*"
    r"\s*[:#=]?\s*([A-Za-z0-9]{6})(?![A-Za-z0-9])", re.IGNORECASE)
_AU_FLIGHT = re.compile(r"(?<![A-Za-z0-9])AU\s?-?\s?0*(\d{1,4})(?!\d)", re.IGNORECASE)
_FOREIGN_FLIGHT = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2}|[A-Z]\d|\d[A-Z]|[A-Z]{3})\s?(\d{1,4})(?![\dA-Za-z])")
_NOT_AIRLINE_CODES = frozenset("AM PM KG CM MM NO ON AT IN IS TO MY ME OF OR SO UP WE IT BY AN AS BE DO GO "
                               "HE IF US TH ST ND RD HR UK EU GBP EUR USD ROW REF".split())
_SEAT_ROW_LETTER = re.compile(r"\brow\s*0*(\d{1,2})\s*,?\s*(?:seat\s*)?([A-Za-z])\b", re.IGNORECASE)
_SEAT_TOKEN = re.compile(r"(?<![A-Za-z0-9])0*(\d{1,2})([A-Za-z])(?![A-Za-z0-9])")
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})(?![\w-])")
_BAG_FILE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{3})\s?-?\s?(AU)\s?-?\s?(\d{5})(?!\d)", re.IGNORECASE)
_MEMBER = re.compile(r"(?<![\d])(\d{3})[\s-]?(\d{3})[\s-]?(\d{3})(?![\d])")
_NAME_WORD = r"[^\W\d_]+(?:['\-][^\W\d_]+)*"
_NAME = re.compile(r"^" + _NAME_WORD + r"(?: " + _NAME_WORD + r")*$")
_NAME_AFTER_KEYWORD = re.compile(
    r"\b(?:last\s*name|surname|family\s*name|name)\s*(?:is|:|=|-)?\s*(" + _NAME_WORD
    + r"(?:\s+" + _NAME_WORD + r"){0,3})", re.IGNORECASE)
_YES = re.compile(r"^(?:y|yes|yeah|yea|yep|yup|sure|ok|okay|go ahead|please do|do it|confirm|"
                  r"confirmed|correct|absolutely|definitely|of course|please|yes please)\b")
_NO = re.compile(r"^(?:n|no|nope|nah|don'?t|do not|not now|no thanks|no thank you|never)\b")


def _clean(text: Optional[str]) -> str:
    """NFC-normalised text with typographic apostrophes straightened and outer space trimmed."""
    return unicodedata.normalize("NFC", text or "").translate(_APOSTROPHES).strip()


def _strip_fillers(text: str) -> str:
    """Drop filler words ("it's", "my ref is", "please") around a typed value."""
    words = re.split(r"[\s,;:=!?#()\[\]/]+", text)
    kept = [w for w in words if w and w.lower().strip(".") not in _FILLERS]
    return " ".join(kept).strip(" .")


def _is_reference(candidate: str) -> bool:
    return bool(re.fullmatch(r"[A-Z0-9]{6}", candidate)) and candidate.lower() not in COMMON_WORDS


def parse_booking_reference(text: Optional[str]) -> Optional[str]:
    """A booking reference typed as an answer ("k7p 2qx", "it's K7P2QX") in upper case, or None.

    Six letters and/or digits; plain common words ("thanks", "cancel") are rejected.
    """
    core = _strip_fillers(_clean(text))
    compact = re.sub(r"[\s\-]+", "", core).upper()
    if _is_reference(compact):
        return compact
    return find_booking_reference(text)


def find_booking_reference(text: Optional[str]) -> Optional[str]:
    """A booking reference inside a sentence ("look up booking K7P2QX pls"), or None.

    A six-character token must mix letters and digits (and not be an AU flight number),
    unless it directly follows a word like "ref", "booking" or "PNR".
    """
    clean = _clean(text)
    for match in _REF_AFTER_KEYWORD.finditer(clean):
        candidate = match.group(1).upper()
        if _is_reference(candidate) and not _AU_FLIGHT.fullmatch(candidate):
            return candidate
    for match in _REF_TOKEN.finditer(clean):
        candidate = match.group(1).upper()
        mixed = re.search(r"[A-Z]", candidate) and re.search(r"\d", candidate)
        if mixed and not _AU_FLIGHT.fullmatch(candidate) and not _BAG_FILE.search(candidate):
            return candidate
    return None


def find_flight_number(text: Optional[str]) -> Optional[str]:
    """An Aurora Air flight number inside a message ("au 0451" -> "AU451"), or None."""
    for match in _AU_FLIGHT.finditer(_clean(text)):
        number = int(match.group(1))
        if number > 0:
            return f"AU{number}"
    return None


def parse_flight_number(text: Optional[str]) -> Optional[str]:
    """A flight number typed as an answer: "AU123", "au 0451", or just digits "451"."""
    found = find_flight_number(text)
    if found:
        return found
    bare = re.fullmatch(r"0*(\d{1,4})", _strip_fillers(_clean(text)))
    if bare and int(bare.group(1)) > 0:
        return f"AU{int(bare.group(1))}"
    return None


def find_other_airline_flight(text: Optional[str]) -> Optional[str]:
    """Another airline's flight number ("BA123", "EZY 8741") in the message, or None.

    Used to explain that only Aurora Air (AU) flights can be checked.
    """
    clean = _clean(text)
    for match in _FOREIGN_FLIGHT.finditer(clean.upper()):
        code = match.group(1)
        original = clean[match.start(1):match.end(1)]
        if code == "AU" or code in _NOT_AIRLINE_CODES:
            continue
        if original != code and not re.match(r"[A-Za-z0-9]{2,3}\d", clean[match.start(1):match.end(2)]):
            continue  # lower-case words followed by a number ("is 12") are not flight numbers
        return f"{code}{int(match.group(2))}"
    return None


def _seat(row: str, letter: str) -> Optional[str]:
    number, letter = int(row), letter.upper()
    if 1 <= number <= 40 and letter in "ABCDEF":
        return f"{number}{letter}"
    return None


def find_seat(text: Optional[str]) -> Optional[str]:
    """A seat inside a message ("window seat 3A", "row 12 seat C", "07c" -> "7C"), or None.

    Rows 1-40 and letters A-F only; "41A" or "12G" are not seats on our aircraft.
    """
    clean = _clean(text)
    match = _SEAT_ROW_LETTER.search(clean)
    if match:
        return _seat(match.group(1), match.group(2))
    for match in _SEAT_TOKEN.finditer(clean):
        seat = _seat(match.group(1), match.group(2))
        if seat:
            return seat
    return None


def parse_seat(text: Optional[str]) -> Optional[str]:
    """A seat typed as an answer ("14c", "seat 1 A please"), or None."""
    found = find_seat(text)
    if found:
        return found
    spaced = re.fullmatch(r"0*(\d{1,2})\s+([A-Za-z])", _strip_fillers(_clean(text)))
    return _seat(spaced.group(1), spaced.group(2)) if spaced else None


def find_email(text: Optional[str]) -> Optional[str]:
    """An email address inside a message, trimmed, with its domain in lower case, or None."""
    match = _EMAIL.search(_clean(text))
    if not match:
        return None
    local, _, domain = match.group(1).rpartition("@")
    local = local.strip(".")
    if not local or ".." in local or len(match.group(1)) > 254:
        return None
    return f"{local}@{domain.lower()}"


parse_email = find_email


def find_bag_file_reference(text: Optional[str]) -> Optional[str]:
    """A delayed-bag file reference ("lgw au 12345" -> "LGWAU12345"), or None."""
    match = _BAG_FILE.search(_clean(text))
    return "".join(match.groups()).upper() if match else None


parse_bag_file_reference = find_bag_file_reference


def find_member_number(text: Optional[str]) -> Optional[str]:
    """A nine-digit Aurora Miles member number ("100 200 300" -> "100200300"), or None."""
    match = _MEMBER.search(_clean(text))
    return "".join(match.groups()) if match else None


parse_member_number = find_member_number


def _normalise_name(value: str) -> Optional[str]:
    value = " ".join(value.split())
    if not (1 <= len(value) <= 40) or not _NAME.match(value):
        return None
    if any(word.lower() in NON_NAME_WORDS for word in value.split()):
        return None
    if value.islower() or value.isupper():
        value = value.title()
    return value


def parse_last_name(text: Optional[str]) -> Optional[str]:
    """A last name typed as an answer ("smith", "it's O'Neill", "surname van der berg").

    Letters of any alphabet, spaces, hyphens and apostrophes; 1-40 characters, at most four
    words. All-lower or all-upper names are title-cased ("o'neill" -> "O'Neill").
    """
    clean = _clean(text)
    found = find_last_name(clean)
    if found:
        return found
    clean = re.sub(r"^(?:(?:it'?s|it is|i'?m|sure|ok(?:ay)?|yes|yeah|hi|hello|this is)[\s,!.]+)+",
                   "", clean, flags=re.IGNORECASE)
    clean = re.sub(r"[\s,!.]+(?:please|pls|thanks|thank you|thx|ty)?[\s!.]*$", "", clean,
                   flags=re.IGNORECASE)
    if len(clean.split()) > 4:
        return None
    return _normalise_name(clean)


def find_last_name(text: Optional[str], exclude: Iterable[str] = (), tail_only: bool = False) -> Optional[str]:
    """A last name introduced by "name", "surname" or "last name" in a sentence, or None.

    With `exclude` (values already found in the same message, e.g. "K7P2QX"), a short
    message that is only those values, a name and common words ("K7P2QX smith") also
    yields the name; with `tail_only`, only words after the last value count
    ("cancel K7P2QX smith", but not "miles balance for 100200300").
    """
    clean = _clean(text)
    for match in _NAME_AFTER_KEYWORD.finditer(clean):
        words = match.group(1).split()
        while words and words[-1].lower() in _FILLERS | NON_NAME_WORDS:
            words.pop()
        name = _normalise_name(" ".join(words)) if words else None
        if name:
            return name
    excluded = [e for e in exclude if e]
    if not excluded:
        return None
    patterns = [r"\s*-?\s*".join(re.escape(ch) for ch in value) for value in excluded]
    if tail_only:
        ends = [m.end() for p in patterns for m in re.finditer(p, clean, flags=re.IGNORECASE)]
        clean = clean[max(ends):] if ends else ""
    rest = clean
    for pattern in patterns:
        rest = re.sub(pattern, " ", rest, flags=re.IGNORECASE)
    rest = re.sub(r"\b(?:seat|row)\s*\d{1,2}\s?[A-Za-z]?\b", " ", rest, flags=re.IGNORECASE)
    rest = re.sub(r"\b\d{1,2}[A-Fa-f]\b", " ", rest)
    words = [w for w in _strip_fillers(rest).split() if w.lower() not in NON_NAME_WORDS]
    if not words or len(words) > 2:
        return None
    return _normalise_name(" ".join(words))


def parse_yes_no(text: Optional[str]) -> Optional[bool]:
    """True for "yes"/"go ahead"/"ok", False for "no"/"don't", None when unclear."""
    low = _clean(text).lower().strip(" !.")
    if _NO.match(low):
        return False
    if _YES.match(low):
        return True
    return None


def iso_date(value: Optional[dt.date]) -> Optional[str]:
    """A date as the ISO string stored in the `flight_date` slot."""
    return value.isoformat() if value else None
