"""Pure airline rules: identifier normalisation, fare rules, check-in windows, seats.

No I/O here; the SQLite repository (and any brand's backend) can reuse these. The numbers
agree with docs/airline-facts.md.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import AbstractSet, Optional, Sequence, Tuple

from bot.backend.models import Flight

CURRENCY = "GBP"
STANDARD_CANCELLATION_FEE = 50.0
EXTRA_BAG_PRICE_ONLINE = 35.0
INCLUDED_CHECKED_BAGS = {"light": 0, "standard": 1, "flex": 2}
CHECKIN_OPENS_BEFORE = dt.timedelta(hours=24)
CHECKIN_CLOSES_BEFORE = dt.timedelta(hours=1)
FREE_CANCELLATION_WINDOW = dt.timedelta(hours=24)
FREE_CANCELLATION_MIN_NOTICE = dt.timedelta(days=7)
REFUND_EXPECTED_WITHIN = dt.timedelta(days=14)
SEAT_ROWS = range(1, 41)
SEAT_LETTERS = "ABCDEF"
FLOWN_STATUSES = frozenset({"departed", "landed"})

_REFERENCE_RE = re.compile(r"^[A-Z0-9]{6}$")
_FLIGHT_RE = re.compile(r"^AU0*(\d{1,4})$")
_BAG_FILE_RE = re.compile(r"^[A-Z]{3}AU\d{5}$")
_MEMBER_RE = re.compile(r"^\d{9}$")
_SEAT_RE = re.compile(r"^0*(\d{1,2})([A-Z])$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})


def normalize_name(value: str) -> str:
    """Comparable form of a last name: accents dropped, whitespace collapsed, casefolded."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.translate(_APOSTROPHES).split()).casefold()


def names_match(given: str, stored: str) -> bool:
    """True when a non-empty given last name matches the stored one."""
    key = normalize_name(given)
    return bool(key) and key == normalize_name(stored)


def _compact(value: str) -> str:
    return re.sub(r"[\s\-]+", "", value or "").upper()


def normalize_reference(value: str) -> Optional[str]:
    """Booking reference in canonical form ("k7p 2qx" -> "K7P2QX"), or None if malformed."""
    ref = _compact(value)
    return ref if _REFERENCE_RE.match(ref) else None


def normalize_flight_number(value: str) -> Optional[str]:
    """Flight number in canonical form ("au 0451" -> "AU451"), or None if malformed."""
    match = _FLIGHT_RE.match(_compact(value))
    return f"AU{int(match.group(1))}" if match else None


def normalize_bag_file(value: str) -> Optional[str]:
    """Delayed-bag file reference ("lgw au 12345" -> "LGWAU12345"), or None if malformed."""
    ref = _compact(value)
    return ref if _BAG_FILE_RE.match(ref) else None


def normalize_member_number(value: str) -> Optional[str]:
    """Nine-digit Aurora Miles number with spaces/dashes removed, or None if malformed."""
    number = _compact(value)
    return number if _MEMBER_RE.match(number) else None


def normalize_seat(value: str) -> Optional[str]:
    """Seat in canonical form ("07c" -> "7C") when row is 1-40 and letter A-F, else None."""
    match = _SEAT_RE.match(_compact(value))
    if not match:
        return None
    row, letter = int(match.group(1)), match.group(2)
    if row not in SEAT_ROWS or letter not in SEAT_LETTERS:
        return None
    return f"{row}{letter}"


def normalize_email(value: str) -> Optional[str]:
    """Trimmed email address when it looks valid (one @, a dotted domain), else None."""
    email = (value or "").strip()
    return email if len(email) <= 254 and _EMAIL_RE.match(email) else None


def first_free_seat(taken: AbstractSet[str], start_row: int = 20) -> Optional[str]:
    """The first seat not in `taken`, scanning from `start_row` to row 40 then from row 1."""
    rows = list(range(start_row, SEAT_ROWS.stop)) + list(range(SEAT_ROWS.start, start_row))
    for row in rows:
        for letter in SEAT_LETTERS:
            seat = f"{row}{letter}"
            if seat not in taken:
                return seat
    return None


def effective_departure(flight: Flight) -> dt.datetime:
    """The estimated departure when the flight is delayed, else the scheduled one."""
    return flight.estimated_departure or flight.scheduled_departure


def segment_done(flight: Flight, now: dt.datetime) -> bool:
    """True when the segment can no longer be travelled (flown, departed, or in the past).

    A cancelled flight stays "current" through its scheduled day so the customer hears
    that it was cancelled rather than about a later segment.
    """
    if flight.status in FLOWN_STATUSES:
        return True
    if flight.status == "cancelled":
        return flight.scheduled_departure.date() < now.date()
    return effective_departure(flight) <= now


def next_segment_index(flights: Sequence[Flight], now: dt.datetime) -> Optional[int]:
    """Index of the booking's next segment still to be travelled, or None."""
    for index, flight in enumerate(flights):
        if not segment_done(flight, now):
            return index
    return None


def travel_started(flights: Sequence[Flight], now: dt.datetime) -> bool:
    """True when any (not cancelled) segment of the booking has been flown or has left."""
    return any(f.status != "cancelled" and segment_done(f, now) for f in flights)


def checkin_state(departure: dt.datetime, now: dt.datetime) -> str:
    """"not_open", "open" or "closed": online check-in opens 24 h and closes 1 h before."""
    if now < departure - CHECKIN_OPENS_BEFORE:
        return "not_open"
    if now >= departure - CHECKIN_CLOSES_BEFORE:
        return "closed"
    return "open"


def free_cancellation_applies(
    booked_at: dt.datetime, first_departure: dt.datetime, now: dt.datetime
) -> bool:
    """Within 24 h of booking, when booked at least 7 days before departure."""
    return (
        now - booked_at <= FREE_CANCELLATION_WINDOW
        and first_departure - booked_at >= FREE_CANCELLATION_MIN_NOTICE
    )


def refund_amounts(
    fare_class: str, total_paid: float, taxes: float, *, full_refund: bool = False
) -> Tuple[float, float]:
    """(refundable amount, cancellation fee) for cancelling a booking.

    Flex (or `full_refund`, e.g. airline-cancelled flight or free 24 h window) refunds
    everything; Standard refunds all minus a 50 GBP fee; Light refunds the taxes only
    (no fee is charged, the fare itself is non-refundable).
    """
    if full_refund or fare_class == "flex":
        return round(total_paid, 2), 0.0
    if fare_class == "standard":
        fee = min(STANDARD_CANCELLATION_FEE, total_paid)
        return round(total_paid - fee, 2), round(fee, 2)
    if fare_class == "light":
        return round(min(taxes, total_paid), 2), 0.0
    raise ValueError(f"unknown fare class: {fare_class!r}")


def boarding_pass_url(reference: str, flight_number: str) -> str:
    """Where the demo airline would serve the boarding passes (example domain)."""
    return f"https://aurora-air.example/boarding-pass/{reference}/{flight_number}"
