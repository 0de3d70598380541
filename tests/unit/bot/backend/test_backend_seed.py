"""The demo seed: deterministic, realistic, consistent with docs/airline-facts.md."""
from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path
from typing import Dict, List

import pytest

from bot.backend.seed import DEMO_RECORDS, SCHEMA_VERSION, ensure_database, main, seed

TABLES = ("meta", "flights", "bookings", "booking_flights", "passengers", "passenger_segments",
          "refunds", "bag_files", "loyalty_accounts")
AIRPORTS = {"LGW", "MAN", "EDI", "DUB", "AMS", "CDG", "BCN", "FCO", "JFK", "YYZ"}


def dump(path: str) -> Dict[str, List[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}
    finally:
        conn.close()


def query(path: str, sql: str, *args: object) -> List[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_same_today_gives_same_data(tmp_path: Path, today: dt.date) -> None:
    first, second, other = (str(tmp_path / n) for n in ("a.db", "b.db", "c.db"))
    seed(first, today)
    seed(second, today)
    seed(other, today + dt.timedelta(days=1))
    assert dump(first) == dump(second)
    assert dump(first)["flights"] != dump(other)["flights"]


def test_meta_has_schema_version(db_path: str) -> None:
    meta = dict(query(db_path, "SELECT key, value FROM meta"))
    assert meta["schema_version"] == str(SCHEMA_VERSION)


def test_flights_cover_the_window_airports_and_statuses(db_path: str, today: dt.date) -> None:
    rows = query(db_path, "SELECT flight_number, date, origin, destination, status,"
                 " delay_minutes, estimated_departure FROM flights")
    assert 35 <= len(rows) <= 50
    dates = {dt.date.fromisoformat(r[1]) for r in rows}
    assert min(dates) == today - dt.timedelta(days=1)
    assert max(dates) == today + dt.timedelta(days=7)
    for number, _, origin, dest, status, delay, estimated in rows:
        assert re.fullmatch(r"AU[1-9]\d{0,2}", number)
        assert {origin, dest} <= AIRPORTS and origin != dest
        if status == "delayed":
            assert delay > 0 and estimated is not None
    statuses = {r[4] for r in rows}
    assert {"on_time", "delayed", "cancelled", "boarding", "departed", "landed"} <= statuses


def test_bookings_refunds_bags_and_loyalty_are_varied(db_path: str) -> None:
    assert len(query(db_path, "SELECT 1 FROM bookings")) >= 15
    counts = [n for (n,) in query(db_path, "SELECT COUNT(*) FROM passengers"
                                   " GROUP BY booking_reference")]
    assert min(counts) == 1 and max(counts) == 3
    assert {s for (s,) in query(db_path, "SELECT fare_class FROM bookings")} == {
        "light", "standard", "flex"}
    assert {s for (s,) in query(db_path, "SELECT status FROM refunds")} == {
        "requested", "approved", "paid", "rejected"}
    assert {s for (s,) in query(db_path, "SELECT status FROM bag_files")} == {
        "searching", "located", "on_its_way", "delivered", "closed"}
    for ref, in query(db_path, "SELECT file_reference FROM bag_files"):
        assert re.fullmatch(r"[A-Z]{3}AU\d{5}", ref) and ref[:3] in AIRPORTS
    thresholds = {"blue": 0, "silver": 300, "gold": 600, "platinum": 1200}
    accounts = query(db_path, "SELECT member_number, tier, tier_points FROM loyalty_accounts")
    assert len(accounts) >= 8 and {a[1] for a in accounts} == set(thresholds)
    for number, tier, points in accounts:
        assert re.fullmatch(r"\d{9}", number) and points >= thresholds[tier]


def test_seats_are_valid_and_unique_per_flight(db_path: str) -> None:
    rows = query(db_path, "SELECT flight_id, seat FROM passenger_segments WHERE seat IS NOT NULL")
    for _, seat in rows:
        match = re.fullmatch(r"(\d{1,2})([A-F])", seat)
        assert match and 1 <= int(match.group(1)) <= 40
    assert len(rows) == len(set(rows))


def test_demo_records_exist(db_path: str, today: dt.date) -> None:
    for key, record in DEMO_RECORDS.items():
        if "reference" in record:
            names = {n for (n,) in query(db_path, "SELECT last_name FROM passengers"
                                         " WHERE booking_reference = ?", record["reference"])}
            assert record["last_name"] in names, key
        if "flight_number" in record:
            date = (today + dt.timedelta(days=record["day_offset"])).isoformat()
            assert query(db_path, "SELECT 1 FROM flights WHERE flight_number = ? AND date = ?",
                         record["flight_number"], date), key
    bag = DEMO_RECORDS["bag_file"]
    assert query(db_path, "SELECT last_name FROM bag_files WHERE file_reference = ?",
                 bag["file_reference"]) == [(bag["last_name"],)]
    member = DEMO_RECORDS["loyalty_member"]
    assert query(db_path, "SELECT last_name FROM loyalty_accounts WHERE member_number = ?",
                 member["member_number"]) == [(member["last_name"],)]
    assert query(db_path, "SELECT status, delay_minutes FROM flights WHERE flight_number = 'AU451'"
                 " AND date = ?", today.isoformat()) == [("delayed", 95)]


def test_ensure_database_seeds_only_when_missing(tmp_path: Path, today: dt.date) -> None:
    path = tmp_path / "var" / "airline.db"
    assert ensure_database(str(path), today) is True
    assert path.exists()
    assert ensure_database(str(path), today) is False
    assert ensure_database(str(path), today + dt.timedelta(days=1), force=True) is True
    assert dict(query(str(path), "SELECT key, value FROM meta"))["seeded_for"] == (
        today + dt.timedelta(days=1)).isoformat()
    assert [p.name for p in path.parent.iterdir()] == ["airline.db"]


def test_ensure_database_defaults_to_the_real_today(tmp_path: Path) -> None:
    path = tmp_path / "airline.db"
    assert ensure_database(str(path))
    seeded_for = dict(query(str(path), "SELECT key, value FROM meta"))["seeded_for"]
    assert seeded_for == dt.date.today().isoformat()


def test_cli_seeds_and_respects_force(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = str(tmp_path / "cli.db")
    assert main([path, "--today", "2025-01-31"]) == 0
    assert main([path]) == 0
    assert main([path, "--force", "--today", "2025-02-01"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == ["seeded", "exists, left unchanged", "seeded"]
    assert dict(query(path, "SELECT key, value FROM meta"))["seeded_for"] == "2025-02-01"
