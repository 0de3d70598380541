"""Row loading and row-to-model mapping for the SQLite demo backend.

Functions take an open `aiosqlite.Connection`; timeouts, locking and error translation
are the repository's job (`sqlite.py`).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, List, Optional, Set

import aiosqlite

from bot.backend.models import BagFile, Flight, LoyaltyAccount, Refund
from bot.backend.records import BookingRecord, PaxRecord

_FLIGHT_COLUMNS = ("f.id, f.flight_number, f.date, f.origin, f.destination, f.scheduled_departure,"
                   " f.scheduled_arrival, f.status, f.delay_minutes, f.gate, f.terminal,"
                   " f.estimated_departure")


def _dt(value: Optional[str]) -> Optional[dt.datetime]:
    return dt.datetime.fromisoformat(value) if value else None


def _date(value: Optional[str]) -> Optional[dt.date]:
    return dt.date.fromisoformat(value) if value else None


def money(minor: int) -> float:
    """Minor units (pence) to a two-decimal amount."""
    return round(minor / 100, 2)


def flight_from_row(row: Any) -> Flight:
    """Map a `flights` row (selected with _FLIGHT_COLUMNS) to a Flight."""
    return Flight(
        flight_number=row["flight_number"], date=dt.date.fromisoformat(row["date"]),
        origin=row["origin"], destination=row["destination"],
        scheduled_departure=dt.datetime.fromisoformat(row["scheduled_departure"]),
        scheduled_arrival=dt.datetime.fromisoformat(row["scheduled_arrival"]),
        status=row["status"], delay_minutes=row["delay_minutes"], gate=row["gate"],
        terminal=row["terminal"], estimated_departure=_dt(row["estimated_departure"]),
    )


async def load_booking(conn: aiosqlite.Connection, reference: str) -> Optional[BookingRecord]:
    """The booking with that (canonical) reference, or None."""
    async with conn.execute("SELECT * FROM bookings WHERE reference = ?", (reference,)) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    async with conn.execute(
        f"SELECT {_FLIGHT_COLUMNS} FROM booking_flights bf JOIN flights f ON f.id = bf.flight_id"
        " WHERE bf.booking_reference = ? ORDER BY bf.segment", (reference,)
    ) as cur:
        flight_rows = list(await cur.fetchall())
    async with conn.execute(
        "SELECT id, first_name, last_name, checked_bags FROM passengers"
        " WHERE booking_reference = ? ORDER BY position", (reference,)
    ) as cur:
        pax = [PaxRecord(r["id"], r["first_name"], r["last_name"], r["checked_bags"],
                         [None] * len(flight_rows), [False] * len(flight_rows))
               for r in await cur.fetchall()]
    by_id = {p.passenger_id: p for p in pax}
    async with conn.execute(
        "SELECT ps.passenger_id, ps.segment, ps.seat, ps.checked_in FROM passenger_segments ps"
        " JOIN passengers p ON p.id = ps.passenger_id WHERE p.booking_reference = ?", (reference,)
    ) as cur:
        for r in await cur.fetchall():
            if r["segment"] < len(flight_rows):
                by_id[r["passenger_id"]].seats[r["segment"]] = r["seat"]
                by_id[r["passenger_id"]].checked_in[r["segment"]] = bool(r["checked_in"])
    return BookingRecord(
        reference=row["reference"], contact_email=row["contact_email"],
        fare_class=row["fare_class"], total_paid=money(row["total_paid_minor"]),
        taxes=money(row["taxes_minor"]), currency=row["currency"], status=row["status"],
        booked_at=dt.datetime.fromisoformat(row["booked_at"]),
        flight_ids=[r["id"] for r in flight_rows],
        flights=[flight_from_row(r) for r in flight_rows], passengers=pax,
    )


async def load_flight(conn: aiosqlite.Connection, number: str, date: dt.date) -> Optional[Flight]:
    """The flight with that canonical number on that date, or None."""
    async with conn.execute(f"SELECT {_FLIGHT_COLUMNS} FROM flights f"
                            " WHERE f.flight_number = ? AND f.date = ?",
                            (number, date.isoformat())) as cur:
        row = await cur.fetchone()
    return flight_from_row(row) if row else None


async def taken_seats(conn: aiosqlite.Connection, flight_id: int) -> Set[str]:
    """Seats held on that flight by anyone."""
    async with conn.execute("SELECT seat FROM passenger_segments WHERE flight_id = ?"
                            " AND seat IS NOT NULL", (flight_id,)) as cur:
        return {r["seat"] for r in await cur.fetchall()}


async def load_refunds(conn: aiosqlite.Connection, reference: str) -> List[Refund]:
    """Refunds on the booking, newest first."""
    async with conn.execute("SELECT * FROM refunds WHERE booking_reference = ?"
                            " ORDER BY requested_on DESC, refund_id DESC", (reference,)) as cur:
        rows = await cur.fetchall()
    return [refund_from_row(r) for r in rows]


def refund_from_row(row: Any) -> Refund:
    """Map a `refunds` row to a Refund."""
    return Refund(refund_id=row["refund_id"], booking_reference=row["booking_reference"],
                  amount=money(row["amount_minor"]), currency=row["currency"],
                  status=row["status"], requested_on=dt.date.fromisoformat(row["requested_on"]),
                  expected_by=_date(row["expected_by"]))


async def next_refund_id(conn: aiosqlite.Connection) -> str:
    """A new refund id ("RF" + 6 digits), one above the highest so far."""
    async with conn.execute("SELECT MAX(CAST(substr(refund_id, 3) AS INTEGER)) AS n"
                            " FROM refunds WHERE refund_id LIKE 'RF%'") as cur:
        row = await cur.fetchone()
    highest = row["n"] if row is not None else None  # an aggregate: always one row
    return f"RF{max(highest or 0, 100000) + 1:06d}"


async def load_bag_file(conn: aiosqlite.Connection, reference: str) -> Optional[BagFile]:
    """The bag file with that canonical reference, or None."""
    async with conn.execute("SELECT * FROM bag_files WHERE file_reference = ?",
                            (reference,)) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    return BagFile(file_reference=row["file_reference"], last_name=row["last_name"],
                   status=row["status"], description=row["description"],
                   last_seen=row["last_seen"], updated_at=_dt(row["updated_at"]),
                   delivery_eta=_dt(row["delivery_eta"]))


async def load_loyalty(conn: aiosqlite.Connection, member: str) -> Optional[LoyaltyAccount]:
    """The loyalty account with that member number, or None."""
    async with conn.execute("SELECT * FROM loyalty_accounts WHERE member_number = ?",
                            (member,)) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    return LoyaltyAccount(member_number=row["member_number"], first_name=row["first_name"],
                          last_name=row["last_name"], tier=row["tier"], miles=row["miles"],
                          tier_points=row["tier_points"], email=row["email"])
