"""`AirlineRepository` over the seeded demo SQLite database (aiosqlite).

One connection, opened lazily in read-write mode (a missing file is an error, never a new
empty database) and shared by all calls through a lock. Every operation is bounded by
`asyncio.wait_for(..., timeout)`; sqlite errors and timeouts become `BackendError`.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import Awaitable, Callable, List, Optional, Tuple, TypeVar

import aiosqlite

from bot.backend import records, rules
from bot.backend import sqlite_queries as q
from bot.backend.errors import BackendError, NotAllowed, NotFound
from bot.backend.models import (
    BagAddQuote,
    BagFile,
    Booking,
    CheckInResult,
    Flight,
    LoyaltyAccount,
    Refund,
    RefundQuote,
)

T = TypeVar("T")
Op = Callable[[aiosqlite.Connection], Awaitable[T]]


class SqliteAirlineRepository:
    """The demo airline backend. Implements `bot.backend.repository.AirlineRepository`."""

    def __init__(self, path: str, *, timeout: float = 5.0,
                 clock: Callable[[], dt.datetime] = dt.datetime.now) -> None:
        """`path`: an existing seeded database; `clock`: local "now" (inject it in tests)."""
        self._uri = Path(os.path.abspath(path)).as_uri() + "?mode=rw"
        self._timeout = timeout
        self._clock = clock
        self._conn: Optional[aiosqlite.Connection] = None
        self._lock = asyncio.Lock()

    # -- plumbing ---------------------------------------------------------------------------

    def _now(self) -> dt.datetime:
        now = self._clock()
        return now.astimezone().replace(tzinfo=None) if now.tzinfo else now

    async def _connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            conn = await aiosqlite.connect(self._uri, uri=True, timeout=self._timeout,
                                           isolation_level=None)
            conn.row_factory = aiosqlite.Row
            self._conn = conn
            await conn.execute("PRAGMA foreign_keys = ON")
        return self._conn

    async def _discard(self) -> None:
        """Drop the connection after a failure; closing it rolls back any transaction."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(conn.close(), self._timeout)

    async def _locked(self, op: Op[T], write: bool) -> T:
        async with self._lock:
            try:
                conn = await self._connection()
                if not write:
                    return await op(conn)
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    result = await op(conn)
                except (NotFound, NotAllowed):
                    await conn.execute("ROLLBACK")
                    raise
                await conn.execute("COMMIT")
                return result
            except (NotFound, NotAllowed):
                raise
            except BaseException:
                await self._discard()
                raise

    async def _run(self, op: Op[T], *, write: bool = False) -> T:
        try:
            return await asyncio.wait_for(self._locked(op, write), self._timeout)
        except BackendError:
            raise
        except asyncio.TimeoutError:
            raise BackendError("airline database timed out") from None
        except (sqlite3.Error, OSError, ValueError) as exc:
            raise BackendError(f"airline database error ({type(exc).__name__})") from exc

    async def _booking(self, conn: aiosqlite.Connection, reference: str,
                       last_name: str) -> Tuple[records.BookingRecord, records.PaxRecord]:
        ref = rules.normalize_reference(reference)
        record = await q.load_booking(conn, ref) if ref else None
        pax = record.passenger_named(last_name) if record else None
        if record is None or pax is None:
            raise NotFound("no booking matches that reference and last name")
        return record, pax

    # -- AirlineRepository ------------------------------------------------------------------

    async def flight_status(self, flight_number: str, date: dt.date) -> Optional[Flight]:
        """The flight with that number on that date, or None if it does not operate."""
        number = rules.normalize_flight_number(flight_number)
        if number is None:
            return None
        return await self._run(lambda conn: q.load_flight(conn, number, date))

    async def find_booking(self, reference: str, last_name: str) -> Booking:
        """The booking when reference and a passenger's last name match; else NotFound."""
        async def op(conn: aiosqlite.Connection) -> Booking:
            record, _ = await self._booking(conn, reference, last_name)
            return record.to_model(self._now())
        return await self._run(op)

    async def change_seat(self, reference: str, last_name: str, seat: str) -> Booking:
        """Move the named passenger to `seat` on the next flight."""
        async def op(conn: aiosqlite.Connection) -> Booking:
            record, pax = await self._booking(conn, reference, last_name)
            wanted = rules.normalize_seat(seat)
            if wanted is None:
                raise NotAllowed("invalid_seat", "seats are rows 1-40, letters A-F")
            now = self._now()
            index = records.upcoming_index(record, now)
            flight = record.flights[index]
            if flight.status == "cancelled":
                raise NotAllowed("cancelled", "the flight is cancelled")
            if flight.status == "boarding" or rules.checkin_state(
                    rules.effective_departure(flight), now) == "closed":
                raise NotAllowed("checkin_closed", "seat changes close 1 h before departure")
            if pax.seats[index] != wanted:
                if wanted in await q.taken_seats(conn, record.flight_ids[index]):
                    raise NotAllowed("seat_taken")
                try:
                    await conn.execute("UPDATE passenger_segments SET seat = ?"
                                       " WHERE passenger_id = ? AND segment = ?",
                                       (wanted, pax.passenger_id, index))
                except sqlite3.IntegrityError:
                    raise NotAllowed("seat_taken") from None
                pax.seats[index] = wanted
            return record.to_model(now)
        return await self._run(op, write=True)

    async def quote_cancellation(self, reference: str, last_name: str) -> RefundQuote:
        """What cancelling would refund, without cancelling."""
        async def op(conn: aiosqlite.Connection) -> RefundQuote:
            record, _ = await self._booking(conn, reference, last_name)
            return records.cancellation_quote(record, self._now())
        return await self._run(op)

    async def cancel_booking(self, reference: str, last_name: str) -> Refund:
        """Cancel the booking, free its seats and open a refund ("requested", 14 days)."""
        async def op(conn: aiosqlite.Connection) -> Refund:
            record, _ = await self._booking(conn, reference, last_name)
            now = self._now()
            quote = records.cancellation_quote(record, now)
            refund = Refund(refund_id=await q.next_refund_id(conn),
                            booking_reference=record.reference,
                            amount=quote.refundable_amount, currency=quote.currency,
                            status="requested", requested_on=now.date(),
                            expected_by=now.date() + rules.REFUND_EXPECTED_WITHIN)
            await conn.execute(
                "INSERT INTO refunds (refund_id, booking_reference, amount_minor, currency,"
                " status, requested_on, expected_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (refund.refund_id, refund.booking_reference, round(refund.amount * 100),
                 refund.currency, refund.status, refund.requested_on.isoformat(),
                 refund.expected_by.isoformat() if refund.expected_by else None))
            await conn.execute("UPDATE bookings SET status = 'cancelled' WHERE reference = ?",
                               (record.reference,))
            await conn.execute(
                "UPDATE passenger_segments SET seat = NULL, checked_in = 0 WHERE passenger_id IN"
                " (SELECT id FROM passengers WHERE booking_reference = ?)", (record.reference,))
            return refund
        return await self._run(op, write=True)

    async def refund_status(self, reference: str, last_name: str) -> List[Refund]:
        """Refunds on the booking, newest first (empty list when none)."""
        async def op(conn: aiosqlite.Connection) -> List[Refund]:
            record, _ = await self._booking(conn, reference, last_name)
            return await q.load_refunds(conn, record.reference)
        return await self._run(op)

    async def bag_file(self, file_reference: str, last_name: str) -> BagFile:
        """The delayed-bag report; NotFound when reference and name do not match."""
        ref = rules.normalize_bag_file(file_reference)
        found = await self._run(lambda conn: q.load_bag_file(conn, ref)) if ref else None
        if found is None or not rules.names_match(last_name, found.last_name):
            raise NotFound("no bag file matches that reference and last name")
        return found

    async def loyalty_account(self, member_number: str, last_name: str) -> LoyaltyAccount:
        """The loyalty account; NotFound when number and name do not match."""
        number = rules.normalize_member_number(member_number)
        found = await self._run(lambda conn: q.load_loyalty(conn, number)) if number else None
        if found is None or not rules.names_match(last_name, found.last_name):
            raise NotFound("no loyalty account matches that number and last name")
        return found

    async def update_email(self, reference: str, last_name: str, email: str) -> Booking:
        """Change the booking's contact email; NotAllowed("invalid_email")."""
        async def op(conn: aiosqlite.Connection) -> Booking:
            record, _ = await self._booking(conn, reference, last_name)
            address = rules.normalize_email(email)
            if address is None:
                raise NotAllowed("invalid_email")
            await conn.execute("UPDATE bookings SET contact_email = ? WHERE reference = ?",
                               (address, record.reference))
            record.contact_email = address
            return record.to_model(self._now())
        return await self._run(op, write=True)

    async def quote_checked_bag(self, reference: str, last_name: str) -> BagAddQuote:
        """Price of one more checked bag (35 GBP online) for the named passenger."""
        async def op(conn: aiosqlite.Connection) -> BagAddQuote:
            record, pax = await self._booking(conn, reference, last_name)
            records.upcoming_index(record, self._now())
            return BagAddQuote(booking_reference=record.reference,
                               price=rules.EXTRA_BAG_PRICE_ONLINE, currency=rules.CURRENCY,
                               bags_after=pax.checked_bags + 1)
        return await self._run(op)

    async def add_checked_bag(self, reference: str, last_name: str) -> Booking:
        """Add one checked bag for the named passenger (after they accepted the quote)."""
        async def op(conn: aiosqlite.Connection) -> Booking:
            record, pax = await self._booking(conn, reference, last_name)
            now = self._now()
            records.upcoming_index(record, now)
            await conn.execute("UPDATE passengers SET checked_bags = checked_bags + 1"
                               " WHERE id = ?", (pax.passenger_id,))
            pax.checked_bags += 1
            return record.to_model(now)
        return await self._run(op, write=True)

    async def check_in(self, reference: str, last_name: str) -> CheckInResult:
        """Check in all passengers on the next flight, assigning free seats where needed."""
        async def op(conn: aiosqlite.Connection) -> CheckInResult:
            record, _ = await self._booking(conn, reference, last_name)
            index = records.checkin_index(record, self._now())
            flight = record.flights[index]
            taken = await q.taken_seats(conn, record.flight_ids[index])
            seats = []
            for pax in record.passengers:
                seat = pax.seats[index] or rules.first_free_seat(taken)
                if seat is None:
                    raise NotAllowed("no_seat_available")
                taken.add(seat)
                seats.append(seat)
                await conn.execute("UPDATE passenger_segments SET seat = ?, checked_in = 1"
                                   " WHERE passenger_id = ? AND segment = ?",
                                   (seat, pax.passenger_id, index))
            return CheckInResult(booking_reference=record.reference,
                                 flight_number=flight.flight_number, seats=tuple(seats),
                                 boarding_pass_url=rules.boarding_pass_url(
                                     record.reference, flight.flight_number))
        return await self._run(op, write=True)

    async def close(self) -> None:
        """Close the connection (a later call reopens it)."""
        try:
            await asyncio.wait_for(self._lock.acquire(), self._timeout)
        except asyncio.TimeoutError:  # an operation is stuck: drop the connection anyway
            await self._discard()
            return
        try:
            await self._discard()
        finally:
            self._lock.release()
