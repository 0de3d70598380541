"""SqliteAirlineRepository write paths: seats, check-in windows, cancellation, email, bags."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Callable

import pytest

from bot.backend.errors import NotAllowed
from bot.backend.sqlite import SqliteAirlineRepository

Day = Callable[[int], dt.date]


async def reason(call) -> str:
    with pytest.raises(NotAllowed) as info:
        await call
    return info.value.reason


@pytest.mark.asyncio
async def test_change_seat_moves_the_named_passenger(repo: SqliteAirlineRepository,
                                                     db_path: str, clock) -> None:
    booking = await repo.change_seat("K7P2QX", "smith", " 14c ")
    assert booking.passengers[0].seats == ("14C", "14A")
    assert booking.passengers[1].seats == ("12B", "14B")
    other = SqliteAirlineRepository(db_path, clock=clock)
    try:
        assert (await other.find_booking("K7P2QX", "Smith")).passengers[0].seats[0] == "14C"
        # the old seat is free again for someone else on that flight
        assert (await other.change_seat("E9C4NL", "Evans", "12A")).passengers[0].seats == ("12A",)
    finally:
        await other.close()
    # choosing your own seat again is a no-op, not "taken"
    assert (await repo.change_seat("K7P2QX", "Smith", "14C")).passengers[0].seats[0] == "14C"


@pytest.mark.asyncio
async def test_change_seat_refusals(repo: SqliteAirlineRepository, clock) -> None:
    assert await reason(repo.change_seat("K7P2QX", "Smith", "12C")) == "seat_taken"  # Evans
    assert await reason(repo.change_seat("K7P2QX", "Smith", "12B")) == "seat_taken"  # Emma
    assert await reason(repo.change_seat("K7P2QX", "Smith", "41A")) == "invalid_seat"
    assert await reason(repo.change_seat("K7P2QX", "Smith", "12G")) == "invalid_seat"
    assert await reason(repo.change_seat("Q9L4DV", "Wilson", "20A")) == "cancelled"
    assert await reason(repo.change_seat("T2C5JM", "Lefevre", "20A")) == "cancelled"
    clock.at(0, "21:30")  # within 1 h of AU457's 22:10 departure
    assert await reason(repo.change_seat("K7P2QX", "Smith", "20A")) == "checkin_closed"
    # a light fare may choose a seat (no fee logic)
    assert (await repo.change_seat("R5W7YA", "O'Neill", "5A")).passengers[0].seats[0] == "5A"
    assert (await repo.find_booking("K7P2QX", "Smith")).passengers[0].seats[0] == "12A"


@pytest.mark.asyncio
async def test_check_in_when_open(repo: SqliteAirlineRepository) -> None:
    result = await repo.check_in("K7P2QX", "Smith")
    assert (result.booking_reference, result.flight_number, result.seats) == (
        "K7P2QX", "AU457", ("12A", "12B"))
    assert result.boarding_pass_url.endswith("/K7P2QX/AU457")
    booking = await repo.find_booking("K7P2QX", "Smith")
    assert all(p.checked_in for p in booking.passengers)
    assert await reason(repo.check_in("K7P2QX", "Smith")) == "already_checked_in"


@pytest.mark.asyncio
async def test_check_in_assigns_free_seats(repo: SqliteAirlineRepository) -> None:
    # L6V9EH: light fare, no seat, AU102 tomorrow 08:50 delayed 50 min (window is open)
    result = await repo.check_in("L6V9EH", "Smith")
    assert (result.flight_number, result.seats) == ("AU102", ("20A",))
    assert (await repo.find_booking("L6V9EH", "Smith")).passengers[0].seats == ("20A",)


@pytest.mark.asyncio
@pytest.mark.parametrize("day_offset, hhmm, expected", [
    (-1, "22:09", "checkin_not_open"),  # AU457 leaves TODAY 22:10
    (0, "21:10", "checkin_closed"),
    (0, "21:59", "checkin_closed"),
])
async def test_check_in_window_edges(repo: SqliteAirlineRepository, clock, day_offset: int,
                                     hhmm: str, expected: str) -> None:
    clock.at(day_offset, hhmm)
    assert await reason(repo.check_in("K7P2QX", "Smith")) == expected


@pytest.mark.asyncio
@pytest.mark.parametrize("day_offset, hhmm", [(-1, "22:10"), (0, "21:09")])
async def test_check_in_window_open_edges(repo: SqliteAirlineRepository, clock, day_offset: int,
                                          hhmm: str) -> None:
    clock.at(day_offset, hhmm)
    assert (await repo.check_in("K7P2QX", "Smith")).flight_number == "AU457"


@pytest.mark.asyncio
async def test_check_in_refusals(repo: SqliteAirlineRepository, clock) -> None:
    assert await reason(repo.check_in("M3R8TW", "Garcia")) == "checkin_not_open"  # in 3 days
    assert await reason(repo.check_in("H4N6ZB", "Brown")) == "already_checked_in"
    assert await reason(repo.check_in("T2C5JM", "Lefèvre")) == "cancelled"  # flight
    assert await reason(repo.check_in("Q9L4DV", "Wilson")) == "cancelled"  # booking
    assert await reason(repo.check_in("W6Y3HC", "Anderson")) == "checkin_not_open"  # return leg
    clock.at(2, "08:00")
    assert (await repo.check_in("M3R8TW", "Garcia")).flight_number == "AU211"


@pytest.mark.asyncio
async def test_check_in_moves_on_to_the_next_segment(repo: SqliteAirlineRepository,
                                                     clock) -> None:
    clock.at(0, "23:00")  # AU457 has left; the return AU452 is in 3 days
    assert await reason(repo.check_in("K7P2QX", "Smith")) == "checkin_not_open"
    clock.at(2, "13:00")
    assert (await repo.check_in("K7P2QX", "Smith")).seats == ("14A", "14B")
    clock.at(8, "12:00")  # everything flown
    assert await reason(repo.check_in("K7P2QX", "Smith")) == "checkin_closed"


@pytest.mark.asyncio
async def test_cancel_booking_opens_a_refund_once(repo: SqliteAirlineRepository,
                                                  day: Day) -> None:
    refund = await repo.cancel_booking("K7P2QX", "Smith")
    assert (refund.booking_reference, refund.amount, refund.currency, refund.status) == (
        "K7P2QX", 248.0, "GBP", "requested")
    assert (refund.requested_on, refund.expected_by) == (day(0), day(14))
    assert refund.refund_id == "RF100005"
    booking = await repo.find_booking("K7P2QX", "Smith")
    assert booking.status == "cancelled"
    assert all(seat is None for p in booking.passengers for seat in p.seats)
    assert await repo.refund_status("K7P2QX", "Smith") == [refund]
    assert await reason(repo.cancel_booking("K7P2QX", "Smith")) == "already_cancelled"
    assert await reason(repo.check_in("K7P2QX", "Smith")) == "cancelled"
    assert (await repo.change_seat("E9C4NL", "Evans", "12A")).passengers[0].seats == ("12A",)


@pytest.mark.asyncio
async def test_cancel_refunds_follow_fare_rules(repo: SqliteAirlineRepository) -> None:
    assert (await repo.cancel_booking("R5W7YA", "o'neill")).amount == 22.4
    assert (await repo.cancel_booking("M3R8TW", "garcia")).amount == 246.0
    assert (await repo.cancel_booking("T2C5JM", "lefevre")).amount == 184.0
    assert await reason(repo.cancel_booking("W6Y3HC", "Anderson")) == "travel_started"
    assert (await repo.find_booking("W6Y3HC", "Anderson")).status == "confirmed"


@pytest.mark.asyncio
async def test_update_email(repo: SqliteAirlineRepository) -> None:
    booking = await repo.update_email("K7P2QX", "Smith", "  new.address@example.org ")
    assert booking.contact_email == "new.address@example.org"
    assert (await repo.find_booking("K7P2QX", "Smith")).contact_email == "new.address@example.org"
    assert await reason(repo.update_email("K7P2QX", "Smith", "not-an-email")) == "invalid_email"
    assert (await repo.find_booking("K7P2QX", "Smith")).contact_email == "new.address@example.org"


@pytest.mark.asyncio
async def test_add_checked_bag(repo: SqliteAirlineRepository) -> None:
    booking = await repo.add_checked_bag("D8F3KS", "Khan")
    assert [p.checked_bags for p in booking.passengers] == [3, 1, 1]
    assert (await repo.quote_checked_bag("D8F3KS", "Khan")).bags_after == 4
    assert await reason(repo.add_checked_bag("Q9L4DV", "Wilson")) == "cancelled"


@pytest.mark.asyncio
async def test_concurrent_calls_share_one_connection(repo: SqliteAirlineRepository) -> None:
    results = await asyncio.gather(
        *(repo.find_booking("K7P2QX", "Smith") for _ in range(10)),
        repo.change_seat("K7P2QX", "Smith", "30F"), repo.add_checked_bag("K7P2QX", "Smith"))
    assert {r.reference for r in results} == {"K7P2QX"}
    booking = await repo.find_booking("K7P2QX", "Smith")
    assert booking.passengers[0].seats[0] == "30F" and booking.passengers[0].checked_bags == 2
