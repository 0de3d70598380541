"""Create and seed the demo airline SQLite database.

Usage: ``python -m bot.backend.seed PATH [--force] [--today YYYY-MM-DD]``.
Plain (sync) sqlite3: it runs once at setup, never inside a conversation.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
from pathlib import Path
from typing import Optional, Sequence

from bot.backend.seed_data import (
    DEMO_RECORDS,
    SCHEMA_VERSION,
    bag_file_rows,
    booking_rows,
    flight_rows,
    loyalty_rows,
    refund_rows,
)

__all__ = ["DEMO_RECORDS", "SCHEMA_VERSION", "ensure_database", "main", "seed"]

SCHEMA_PATH = Path(__file__).with_name("schema.sql")


def _insert_flights(conn: sqlite3.Connection, today: dt.date) -> None:
    conn.executemany(
        "INSERT INTO flights (flight_number, date, origin, destination, scheduled_departure,"
        " scheduled_arrival, status, delay_minutes, gate, terminal, estimated_departure)"
        " VALUES (:flight_number, :date, :origin, :destination, :scheduled_departure,"
        " :scheduled_arrival, :status, :delay_minutes, :gate, :terminal, :estimated_departure)",
        flight_rows(today),
    )


def _insert_bookings(conn: sqlite3.Connection, today: dt.date) -> None:
    flight_ids = {(number, date): fid for fid, number, date in
                  conn.execute("SELECT id, flight_number, date FROM flights")}
    for booking in booking_rows(today):
        ref = booking["reference"]
        conn.execute(
            "INSERT INTO bookings (reference, contact_email, fare_class, total_paid_minor,"
            " taxes_minor, currency, status, booked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (ref, booking["contact_email"], booking["fare_class"], booking["total_paid_minor"],
             booking["taxes_minor"], booking["currency"], booking["status"], booking["booked_at"]),
        )
        segment_flights = [flight_ids[segment] for segment in booking["segments"]]
        conn.executemany(
            "INSERT INTO booking_flights (booking_reference, segment, flight_id) VALUES (?, ?, ?)",
            [(ref, index, fid) for index, fid in enumerate(segment_flights)],
        )
        for position, pax in enumerate(booking["passengers"]):
            cursor = conn.execute(
                "INSERT INTO passengers (booking_reference, position, first_name, last_name,"
                " checked_bags) VALUES (?, ?, ?, ?, ?)",
                (ref, position, pax["first_name"], pax["last_name"], pax["checked_bags"]),
            )
            conn.executemany(
                "INSERT INTO passenger_segments (passenger_id, segment, flight_id, seat,"
                " checked_in) VALUES (?, ?, ?, ?, ?)",
                [(cursor.lastrowid, index, fid, pax["seats"][index],
                  int(index in pax["checked_in"])) for index, fid in enumerate(segment_flights)],
            )


def seed(conn_path: str, today: dt.date) -> None:
    """Create the schema in `conn_path` and fill it with demo data relative to `today`.

    Deterministic: the same `today` always yields the same rows. Expects an empty database.
    """
    conn = sqlite3.connect(conn_path)
    try:
        with conn:
            conn.executescript(SCHEMA_PATH.read_text(encoding="utf-8"))
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("schema_version", str(SCHEMA_VERSION)), ("seeded_for", today.isoformat())],
            )
            _insert_flights(conn, today)
            _insert_bookings(conn, today)
            conn.executemany("INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?, ?)",
                             refund_rows(today))
            conn.executemany("INSERT INTO bag_files VALUES (?, ?, ?, ?, ?, ?, ?)",
                             bag_file_rows(today))
            conn.executemany("INSERT INTO loyalty_accounts VALUES (?, ?, ?, ?, ?, ?, ?)",
                             loyalty_rows())
    finally:
        conn.close()


def ensure_database(path: str, today: Optional[dt.date] = None, *, force: bool = False) -> bool:
    """Create and seed the database at `path` when it is missing (or when `force`).

    Seeds into a temporary file first and moves it into place, so a concurrent reader never
    sees a half-seeded database. Returns True when it seeded, False when the file existed.
    """
    target = Path(path)
    if target.exists() and not force:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        seed(str(tmp), today or dt.date.today())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command-line entry point: seed PATH unless it exists (``--force`` re-seeds)."""
    parser = argparse.ArgumentParser(prog="python -m bot.backend.seed", description=__doc__)
    parser.add_argument("path", help="SQLite file to create, e.g. var/airline.db")
    parser.add_argument("--force", action="store_true", help="replace an existing database")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="seed relative to this date (default: today)")
    args = parser.parse_args(argv)
    seeded = ensure_database(args.path, args.today, force=args.force)
    print(f"{'seeded' if seeded else 'exists, left unchanged'}: {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
