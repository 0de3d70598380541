"""How each form slot's value is read from a message. Pure, no Rasa imports.

`parse_slot` reads a message typed as the answer to that slot's question (lenient);
`find_slot` pulls the value out of any sentence (strict). Both return the value as stored in
the slot (strings; `flight_date` as an ISO date) or None.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, Dict, Iterable, List, Optional

from bot.actions import parsing as p

# Flight status covers the past week (recent disruption) up to a year ahead.
DATE_WINDOW_PAST = dt.timedelta(days=7)
DATE_WINDOW_FUTURE = dt.timedelta(days=365)

Reader = Callable[[str, dt.date], Optional[Any]]


def _no_date(reader: Callable[[str], Optional[str]]) -> Reader:
    return lambda text, today: reader(text)


PARSERS: Dict[str, Reader] = {
    "booking_ref": _no_date(p.parse_booking_reference),
    "flight_number": _no_date(p.parse_flight_number),
    "flight_date": lambda text, today: p.iso_date(p.parse_date(text, today)),
    "seat": _no_date(p.parse_seat),
    "new_email": _no_date(p.parse_email),
    "bag_file_ref": _no_date(p.parse_bag_file_reference),
    "member_number": _no_date(p.parse_member_number),
    "last_name": _no_date(p.parse_last_name),
}
FINDERS: Dict[str, Reader] = {
    "booking_ref": _no_date(p.find_booking_reference),
    "flight_number": _no_date(p.find_flight_number),
    "flight_date": lambda text, today: p.iso_date(p.find_date(text, today)),
    "seat": _no_date(p.find_seat),
    "new_email": _no_date(p.find_email),
    "bag_file_ref": _no_date(p.find_bag_file_reference),
    "member_number": _no_date(p.find_member_number),
    "last_name": _no_date(p.find_last_name),
}
_IDENTIFIER_SLOTS = ("booking_ref", "flight_number", "seat", "new_email", "bag_file_ref", "member_number")


def parse_slot(slot: str, text: str, today: dt.date) -> Optional[Any]:
    """The value of `slot` in a message typed as the answer to its question, or None."""
    reader = PARSERS.get(slot)
    return reader(text, today) if reader else None


def find_slot(slot: str, text: str, today: dt.date) -> Optional[Any]:
    """The value of `slot` mentioned anywhere in `text`, or None."""
    reader = FINDERS.get(slot)
    return reader(text, today) if reader else None


def identifiers_in(text: str) -> List[str]:
    """Every reference, flight number, seat, email or number mentioned in `text`."""
    today = dt.date.today()  # identifiers do not depend on the date
    found = [find_slot(slot, text, today) for slot in _IDENTIFIER_SLOTS]
    flights = re.findall(r"\bAU\s?-?\s?\d{1,4}\b", text or "", flags=re.IGNORECASE)
    return [str(v) for v in found if v] + flights


def name_beside_values(text: str, exclude: Iterable[str], tail_only: bool = False) -> Optional[str]:
    """The last name in a short message of values ("K7P2QX smith"), or None."""
    return p.find_last_name(text, exclude, tail_only=tail_only)


def date_in_window(iso: str, today: dt.date) -> bool:
    """True when the ISO date lies within the flight-status window around `today`."""
    try:
        value = dt.date.fromisoformat(iso)
    except (TypeError, ValueError):
        return False
    return today - DATE_WINDOW_PAST <= value <= today + DATE_WINDOW_FUTURE
