"""Deterministic demo data for the Aurora Air database, relative to a given `today`.

Pure functions returning plain rows; `seed.py` writes them. Day offsets are relative to
`today` (-1 = yesterday). Statuses are fixed per flight and day, not tied to the clock.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional, Tuple

SCHEMA_VERSION = 1

# Hours ahead of UK time; differences are the same in summer and winter for these airports.
UTC_OFFSET_VS_UK = {"LGW": 0, "MAN": 0, "EDI": 0, "DUB": 0, "AMS": 1, "CDG": 1, "BCN": 1,
                    "FCO": 1, "JFK": -5, "YYZ": -5}
TERMINALS = {"LGW": "North", "MAN": "2", "DUB": "1", "CDG": "2E", "BCN": "1", "FCO": "3",
             "JFK": "7", "YYZ": "3"}

# flight number, origin, destination, local departure, block minutes, day offsets operated
ROUTES: Tuple[Tuple[str, str, str, str, int, Tuple[int, ...]], ...] = (
    ("AU1", "LGW", "JFK", "11:15", 480, (-1, 0, 3, 5)),
    ("AU2", "JFK", "LGW", "19:30", 420, (-1, 0, 4)),
    ("AU7", "LGW", "YYZ", "13:05", 485, (0, 2)),
    ("AU8", "YYZ", "LGW", "21:10", 415, (6,)),
    ("AU101", "LGW", "MAN", "07:05", 65, (0, 1)),
    ("AU102", "MAN", "LGW", "08:50", 65, (1, 7)),
    ("AU211", "LGW", "EDI", "07:40", 85, (-1, 0, 3)),
    ("AU212", "EDI", "LGW", "09:55", 85, (3, 5)),
    ("AU305", "LGW", "DUB", "08:20", 80, (0, 2)),
    ("AU306", "DUB", "LGW", "11:10", 75, (2, 6)),
    ("AU451", "LGW", "AMS", "09:35", 75, (-1, 0, 1, 2, 3, 4, 5, 6, 7)),
    ("AU452", "AMS", "LGW", "12:20", 70, (-1, 0, 1, 3)),
    ("AU457", "LGW", "AMS", "22:10", 75, (0, 2)),
    ("AU517", "LGW", "CDG", "10:15", 75, (0, 3)),
    ("AU518", "CDG", "LGW", "13:30", 75, (6,)),
    ("AU623", "LGW", "BCN", "06:45", 125, (-1, 0)),
    ("AU624", "BCN", "LGW", "10:30", 130, (7,)),
    ("AU731", "LGW", "FCO", "14:20", 155, (1, 4)),
    ("AU732", "FCO", "LGW", "18:05", 165, (7,)),
    ("AU845", "MAN", "AMS", "16:40", 80, (0,)),
)

# (flight number, day offset) -> (status, delay minutes); others follow `_default_status`.
STATUS_OVERRIDES: Mapping[Tuple[str, int], Tuple[str, int]] = {
    ("AU452", -1): ("cancelled", 0),
    ("AU623", -1): ("landed", 25),
    ("AU623", 0): ("landed", 0),
    ("AU101", 0): ("departed", 0),
    ("AU211", 0): ("boarding", 0),
    ("AU451", 0): ("delayed", 95),
    ("AU1", 0): ("delayed", 40),
    ("AU517", 0): ("cancelled", 0),
    ("AU102", 1): ("delayed", 50),
}

# Well-known records that docs and tests rely on (day offsets relative to the seed date).
DEMO_RECORDS: Mapping[str, Mapping[str, Any]] = {
    "checkin_open_booking": {"reference": "K7P2QX", "last_name": "Smith",
                             "flight_number": "AU457", "day_offset": 0, "departure": "22:10",
                             "taken_seat": "12C", "fare_class": "standard"},
    "checkin_not_open_booking": {"reference": "M3R8TW", "last_name": "Garcia",
                                 "flight_number": "AU211", "day_offset": 3, "fare_class": "flex"},
    "checked_in_booking": {"reference": "H4N6ZB", "last_name": "Brown",
                           "flight_number": "AU731", "day_offset": 1, "fare_class": "light"},
    "cancelled_booking": {"reference": "Q9L4DV", "last_name": "Wilson", "refund_status": "approved"},
    "cancelled_flight_booking": {"reference": "T2C5JM", "last_name": "Lefèvre",
                                 "flight_number": "AU517", "day_offset": 0},
    "delayed_flight_booking": {"reference": "D8F3KS", "last_name": "Khan",
                               "flight_number": "AU451", "day_offset": 0, "passengers": 3},
    "apostrophe_booking": {"reference": "R5W7YA", "last_name": "O'Neill", "fare_class": "light"},
    "travel_started_booking": {"reference": "W6Y3HC", "last_name": "Anderson",
                               "refund_status": "rejected"},
    "bag_file": {"file_reference": "LGWAU12345", "last_name": "Patel", "status": "on_its_way"},
    "loyalty_member": {"member_number": "100200300", "last_name": "Okafor", "tier": "gold"},
    "delayed_flight": {"flight_number": "AU451", "day_offset": 0, "delay_minutes": 95},
    "cancelled_flight": {"flight_number": "AU517", "day_offset": 0},
}

# Passenger: first, last, seat per segment, checked bags, checked-in segment indexes.
Pax = Tuple[str, str, Tuple[Optional[str], ...], int, Tuple[int, ...]]
# Booking: reference, email, fare, total, taxes, status, booked (days offset, "HH:MM"),
# segments [(flight number, day offset)], passengers.
BOOKINGS: Tuple[Tuple[Any, ...], ...] = (
    ("K7P2QX", "j.smith@example.com", "standard", 298.00, 64.20, "confirmed", (-30, "19:42"),
     (("AU457", 0), ("AU452", 3)),
     (("John", "Smith", ("12A", "14A"), 1, ()), ("Emma", "Smith", ("12B", "14B"), 1, ()))),
    ("M3R8TW", "lucia.garcia@example.com", "flex", 246.00, 26.00, "confirmed", (-12, "08:15"),
     (("AU211", 3), ("AU212", 5)), (("Lucía", "Garcia", ("2A", "2F"), 2, ()),)),
    ("H4N6ZB", "olivia.brown@example.com", "light", 158.00, 42.60, "confirmed", (-45, "21:03"),
     (("AU731", 1),),
     (("Olivia", "Brown", ("7C",), 0, (0,)), ("Noah", "Brown", ("7D",), 0, (0,)))),
    ("Q9L4DV", "p.wilson@example.com", "standard", 412.00, 98.50, "cancelled", (-40, "12:30"),
     (("AU1", 5),), (("Peter", "Wilson", (None,), 1, ()),)),
    ("T2C5JM", "zoe.lefevre@example.com", "standard", 184.00, 31.80, "confirmed", (-20, "10:10"),
     (("AU517", 0), ("AU518", 6)), (("Zoë", "Lefèvre", ("9D", "9D"), 1, ()),)),
    ("D8F3KS", "amir.khan@example.com", "standard", 447.00, 96.30, "confirmed", (-60, "17:55"),
     (("AU451", 0), ("AU452", 3)),
     (("Amir", "Khan", ("3A", "21A"), 2, ()), ("Sara", "Khan", ("3B", "21B"), 1, ()),
      ("Zain", "Khan", ("3C", "21C"), 1, ()))),
    ("R5W7YA", "siobhan.oneill@example.com", "light", 78.00, 22.40, "confirmed", (-9, "13:20"),
     (("AU305", 2), ("AU306", 6)), (("Siobhán", "O'Neill", (None, None), 0, ()),)),
    ("W6Y3HC", "m.anderson@example.com", "standard", 236.00, 45.10, "confirmed", (-25, "09:45"),
     (("AU623", -1), ("AU624", 7)), (("Mark", "Anderson", ("18C", None), 1, (0,)),)),
    ("N4V8KT", "ivana.novak@example.com", "light", 49.00, 13.00, "confirmed", (-1, "20:00"),
     (("AU102", 7),), (("Ivana", "Novak", (None,), 0, ()),)),
    ("F2R9LB", "marco.rossi@example.com", "flex", 1240.00, 310.00, "confirmed", (-35, "16:05"),
     (("AU1", 0), ("AU2", 4)), (("Marco", "Rossi", ("4A", "4A"), 2, ()),)),
    ("J5N2PW", "ljohnson@example.com", "light", 598.00, 188.40, "confirmed", (-50, "22:40"),
     (("AU2", 4),),
     (("Laura", "Johnson", ("31A",), 0, ()), ("Ben", "Johnson", ("31B",), 0, ()))),
    ("U7M3RZ", "jonas.mueller@example.com", "standard", 132.00, 24.00, "confirmed", (-15, "07:50"),
     (("AU845", 0),), (("Jonas", "Müller", ("10F",), 1, ()),)),
    ("L6V9EH", "dan.smith@example.com", "light", 45.00, 13.00, "confirmed", (-5, "11:11"),
     (("AU102", 1),), (("Daniel", "Smith", (None,), 0, ()),)),
    ("Y8K4TS", "k.nakamura@example.com", "flex", 1390.00, 342.00, "confirmed", (-70, "06:30"),
     (("AU7", 2), ("AU8", 6)), (("Kenji", "Nakamura", ("6F", "6F"), 2, ()),)),
    ("B3V5DG", "vdberg@example.com", "standard", 216.00, 38.00, "confirmed", (-18, "14:25"),
     (("AU518", 6),),
     (("Sanne", "van der Berg", ("15E",), 1, ()), ("Thijs", "van der Berg", ("15F",), 1, ()))),
    ("E9C4NL", "cerys.evans@example.com", "standard", 119.00, 21.10, "confirmed", (-8, "18:00"),
     (("AU457", 0),), (("Cerys", "Evans", ("12C",), 1, ()),)),
    ("X4T7GM", "r.taylor@example.com", "light", 64.00, 38.40, "cancelled", (-28, "10:00"),
     (("AU452", 1),), (("Ruth", "Taylor", (None,), 0, ()),)),
    ("C6H2QA", "g.hughes@example.com", "flex", 1184.00, 260.00, "cancelled", (-33, "15:45"),
     (("AU7", 2),),
     (("Gareth", "Hughes", (None,), 2, ()), ("Megan", "Hughes", (None,), 2, ()))),
)

# refund id, booking, amount, status, requested (day offset), expected by (day offset | None)
REFUNDS = (
    ("RF100001", "Q9L4DV", 362.00, "approved", -3, 11),
    ("RF100002", "X4T7GM", 38.40, "paid", -20, -6),
    ("RF100003", "C6H2QA", 1184.00, "requested", -1, 13),
    ("RF100004", "W6Y3HC", 35.00, "rejected", -10, None),
)

# file, last name, status, description, last seen, updated (day, "HH:MM"), eta (day, "HH:MM")
BAG_FILES = (
    ("LGWAU12345", "Patel", "on_its_way", "Black hard-shell suitcase, 75 cm, red ribbon on the "
     "handle", "With our courier, leaving LGW North Terminal", (0, "08:30"), (0, "18:00")),
    ("AMSAU20418", "Jansen", "searching", "Navy soft holdall with a white stripe",
     "Last scanned at LGW baggage sorting", (-1, "20:15"), None),
    ("JFKAU30772", "Miller", "searching", "Green backpack, 65 litres", None, (0, "07:05"), None),
    ("CDGAU41206", "Martin", "located", "Grey spinner suitcase, 68 cm",
     "CDG Terminal 2E baggage office", (0, "10:40"), (1, "14:00")),
    ("MANAU15530", "Walsh", "located", "Purple suitcase with a luggage strap",
     "MAN Terminal 2 baggage office", (-1, "16:20"), (0, "19:30")),
    ("BCNAU62019", "Lopez", "on_its_way", "Red duffel bag", "With our courier in London",
     (0, "09:50"), (0, "20:00")),
    ("DUBAU73144", "Byrne", "delivered", "Brown leather suitcase", "Delivered to home address",
     (-1, "18:45"), None),
    ("FCOAU84402", "Bianchi", "delivered", "Silver aluminium cabin case", "Delivered to hotel",
     (-1, "12:10"), None),
    ("EDIAU51873", "Campbell", "closed", "Tartan holdall", "Collected at EDI", (-1, "09:00"), None),
    ("LGWAU99021", "Ahmed", "closed", "Blue suitcase, 55 cm", "Collected at LGW", (-1, "11:30"),
     None),
)

# member number, first, last, tier, miles, tier points, email
LOYALTY_ACCOUNTS = (
    ("100200300", "Chidi", "Okafor", "gold", 48250, 720, "chidi.okafor@example.com"),
    ("214365870", "Amelia", "Clarke", "blue", 1200, 40, "amelia.clarke@example.com"),
    ("305118942", "Liam", "Murphy", "silver", 18600, 340, "liam.murphy@example.com"),
    ("412907336", "Sofia", "Rossi", "silver", 22100, 455, "sofia.rossi@example.com"),
    ("523640018", "Hannah", "Schmidt", "gold", 61300, 880, "hannah.schmidt@example.com"),
    ("634271905", "Arjun", "Mehta", "platinum", 152400, 1460, "arjun.mehta@example.com"),
    ("745083216", "Grace", "O'Brien", "blue", 3400, 120, "grace.obrien@example.com"),
    ("856392047", "Lucas", "Moreau", "platinum", 98750, 1275, "lucas.moreau@example.com"),
)


def _at(today: dt.date, day: int, hhmm: str) -> dt.datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(today + dt.timedelta(days=day), dt.time(hours, minutes))


def _iso(value: Optional[dt.datetime]) -> Optional[str]:
    return value.isoformat(timespec="seconds") if value else None


def _minor(amount: float) -> int:
    return int(round(amount * 100))


def _default_status(day: int) -> str:
    if day < 0:
        return "landed"
    return "on_time" if day <= 2 else "scheduled"


def _gate(number: str, day: int, status: str) -> Optional[str]:
    if day > 0 or status == "cancelled":
        return None
    return str(1 + (int(number[2:]) * 7 + day + 1) % 45)


def flight_rows(today: dt.date) -> List[Dict[str, Any]]:
    """Every scheduled departure from yesterday to today + 7, ordered by departure."""
    rows = []
    for number, origin, dest, hhmm, minutes, days in ROUTES:
        for day in days:
            status, delay = STATUS_OVERRIDES.get((number, day), (_default_status(day), 0))
            departure = _at(today, day, hhmm)
            shift = UTC_OFFSET_VS_UK[dest] - UTC_OFFSET_VS_UK[origin]
            arrival = departure + dt.timedelta(minutes=minutes, hours=shift)
            estimated = departure + dt.timedelta(minutes=delay) if delay else None
            rows.append({
                "flight_number": number, "date": departure.date().isoformat(),
                "origin": origin, "destination": dest,
                "scheduled_departure": _iso(departure), "scheduled_arrival": _iso(arrival),
                "status": status, "delay_minutes": delay, "gate": _gate(number, day, status),
                "terminal": TERMINALS.get(origin), "estimated_departure": _iso(estimated),
            })
    rows.sort(key=lambda row: (row["scheduled_departure"], row["flight_number"]))
    return rows


def booking_rows(today: dt.date) -> List[Dict[str, Any]]:
    """Bookings with their segments (flight number, date) and passengers."""
    rows = []
    for ref, email, fare, total, taxes, status, booked, segments, pax in BOOKINGS:
        rows.append({
            "reference": ref, "contact_email": email, "fare_class": fare,
            "total_paid_minor": _minor(total), "taxes_minor": _minor(taxes),
            "currency": "GBP", "status": status, "booked_at": _iso(_at(today, *booked)),
            "segments": [(number, (today + dt.timedelta(days=day)).isoformat())
                         for number, day in segments],
            "passengers": [{"first_name": first, "last_name": last, "seats": list(seats),
                            "checked_bags": bags, "checked_in": set(checked)}
                           for first, last, seats, bags, checked in pax],
        })
    return rows


def refund_rows(today: dt.date) -> List[Tuple[Any, ...]]:
    """Refund rows in column order of the `refunds` table."""
    def day(offset: Optional[int]) -> Optional[str]:
        return None if offset is None else (today + dt.timedelta(days=offset)).isoformat()

    return [(rid, ref, _minor(amount), "GBP", status, day(requested), day(expected))
            for rid, ref, amount, status, requested, expected in REFUNDS]


def bag_file_rows(today: dt.date) -> List[Tuple[Any, ...]]:
    """Bag-file rows in column order of the `bag_files` table."""
    return [(ref, last, status, desc, seen, _iso(_at(today, *updated)),
             _iso(_at(today, *eta)) if eta else None)
            for ref, last, status, desc, seen, updated, eta in BAG_FILES]


def loyalty_rows() -> List[Tuple[Any, ...]]:
    """Loyalty-account rows in column order of the `loyalty_accounts` table."""
    return [tuple(row) for row in LOYALTY_ACCOUNTS]
