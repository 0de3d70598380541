"""SqliteAirlineRepository read paths: matching, flight status, quotes, bags, loyalty."""
from __future__ import annotations

import datetime as dt
import inspect
from typing import Callable

import pytest

from bot.backend.errors import NotAllowed, NotFound
from bot.backend.repository import AirlineRepository
from bot.backend.sqlite import SqliteAirlineRepository

Day = Callable[[int], dt.date]


def test_implements_the_interface_exactly() -> None:
    for name, member in inspect.getmembers(AirlineRepository, inspect.isfunction):
        if name.startswith("_"):
            continue
        impl = getattr(SqliteAirlineRepository, name)
        assert inspect.iscoroutinefunction(impl), name
        assert list(inspect.signature(impl).parameters) == list(
            inspect.signature(member).parameters), name


@pytest.mark.asyncio
async def test_flight_status(repo: SqliteAirlineRepository, day: Day) -> None:
    flight = await repo.flight_status("au 451", day(0))
    assert flight is not None
    assert (flight.flight_number, flight.origin, flight.destination) == ("AU451", "LGW", "AMS")
    assert flight.status == "delayed" and flight.delay_minutes == 95
    assert flight.estimated_departure == flight.scheduled_departure + dt.timedelta(minutes=95)
    assert flight.terminal == "North"
    assert (await repo.flight_status("AU517", day(0))).status == "cancelled"
    assert await repo.flight_status("AU451", day(30)) is None
    assert await repo.flight_status("AU999", day(0)) is None
    assert await repo.flight_status("not a flight", day(0)) is None


@pytest.mark.asyncio
async def test_find_booking(repo: SqliteAirlineRepository, day: Day) -> None:
    booking = await repo.find_booking("k7p 2qx", "  SMITH ")
    assert booking.reference == "K7P2QX" and booking.status == "confirmed"
    assert booking.fare_class == "standard" and booking.currency == "GBP"
    assert [(f.flight_number, f.date) for f in booking.flights] == [
        ("AU457", day(0)), ("AU452", day(3))]
    assert [(p.first_name, p.seats) for p in booking.passengers] == [
        ("John", ("12A", "14A")), ("Emma", ("12B", "14B"))]
    assert not any(p.checked_in for p in booking.passengers)


@pytest.mark.asyncio
@pytest.mark.parametrize("reference, name", [
    ("T2C5JM", "lefevre"), ("T2C5JM", "LEFÈVRE"), ("R5W7YA", "o'neill"),
    ("R5W7YA", "O\u2019NEILL"), ("B3V5DG", "Van  Der Berg"), ("U7M3RZ", "müller"),
])
async def test_find_booking_tolerates_case_accents_whitespace(
        repo: SqliteAirlineRepository, reference: str, name: str) -> None:
    assert (await repo.find_booking(reference, name)).reference == reference


@pytest.mark.asyncio
@pytest.mark.parametrize("reference, name", [
    ("K7P2QX", "Jones"), ("K7P2QX", "Evans"), ("K7P2QX", ""), ("ZZZZZZ", "Smith"),
    ("K7P2Q", "Smith"), ("", ""),
])
async def test_find_booking_not_found(repo: SqliteAirlineRepository, reference: str,
                                      name: str) -> None:
    with pytest.raises(NotFound):
        await repo.find_booking(reference, name)


@pytest.mark.asyncio
async def test_every_booking_method_hides_the_booking_from_a_wrong_name(
        repo: SqliteAirlineRepository) -> None:
    calls = [
        ("find_booking", ()), ("change_seat", ("20A",)), ("quote_cancellation", ()),
        ("cancel_booking", ()), ("refund_status", ()), ("update_email", ("x@y.org",)),
        ("quote_checked_bag", ()), ("add_checked_bag", ()), ("check_in", ()),
    ]
    for name, extra in calls:
        with pytest.raises(NotFound):
            await getattr(repo, name)("K7P2QX", "Smyth", *extra)
    with pytest.raises(NotFound):
        await repo.bag_file("LGWAU12345", "Smyth")
    with pytest.raises(NotFound):
        await repo.loyalty_account("100200300", "Smyth")
    assert (await repo.find_booking("K7P2QX", "Smith")).status == "confirmed"


@pytest.mark.asyncio
@pytest.mark.parametrize("reference, name, amount, fee", [
    ("K7P2QX", "Smith", 248.0, 50.0),    # standard: 298 minus 50 GBP
    ("M3R8TW", "Garcia", 246.0, 0.0),    # flex: everything
    ("R5W7YA", "O'Neill", 22.4, 0.0),    # light: taxes only
    ("T2C5JM", "Lefèvre", 184.0, 0.0),   # flight cancelled by the airline: everything
    ("N4V8KT", "Novak", 49.0, 0.0),      # booked yesterday 20:00, 7+ days out: free 24 h
])
async def test_quote_cancellation_follows_fare_rules(
        repo: SqliteAirlineRepository, reference: str, name: str, amount: float,
        fee: float) -> None:
    quote = await repo.quote_cancellation(reference, name)
    assert (quote.booking_reference, quote.refundable_amount, quote.fee) == (reference, amount,
                                                                              fee)
    assert quote.currency == "GBP" and quote.method == "original_payment"


@pytest.mark.asyncio
async def test_quote_cancellation_limits(repo: SqliteAirlineRepository, clock) -> None:
    clock.at(0, "21:00")  # the free 24 h window after booking has passed
    assert (await repo.quote_cancellation("N4V8KT", "Novak")).refundable_amount == 13.0
    with pytest.raises(NotAllowed) as started:
        await repo.quote_cancellation("W6Y3HC", "Anderson")
    assert started.value.reason == "travel_started"
    with pytest.raises(NotAllowed) as cancelled:
        await repo.quote_cancellation("Q9L4DV", "Wilson")
    assert cancelled.value.reason == "already_cancelled"


@pytest.mark.asyncio
async def test_refund_status(repo: SqliteAirlineRepository, day: Day) -> None:
    [refund] = await repo.refund_status("q9l4dv", "wilson")
    assert (refund.refund_id, refund.status, refund.amount) == ("RF100001", "approved", 362.0)
    assert (refund.requested_on, refund.expected_by) == (day(-3), day(11))
    assert (await repo.refund_status("W6Y3HC", "Anderson"))[0].status == "rejected"
    assert await repo.refund_status("K7P2QX", "Smith") == []


@pytest.mark.asyncio
async def test_bag_file(repo: SqliteAirlineRepository, day: Day) -> None:
    bag = await repo.bag_file("lgw au 12345", "PATEL")
    assert (bag.file_reference, bag.status) == ("LGWAU12345", "on_its_way")
    assert bag.delivery_eta is not None and bag.delivery_eta.date() == day(0)
    with pytest.raises(NotFound):
        await repo.bag_file("LGWAU12345", "Jansen")
    with pytest.raises(NotFound):
        await repo.bag_file("LGWAU00000", "Patel")
    with pytest.raises(NotFound):
        await repo.bag_file("nonsense", "Patel")


@pytest.mark.asyncio
async def test_loyalty_account(repo: SqliteAirlineRepository) -> None:
    account = await repo.loyalty_account("100 200 300", "okafor")
    assert (account.member_number, account.tier, account.first_name) == ("100200300", "gold",
                                                                         "Chidi")
    assert account.tier_points >= 600
    assert (await repo.loyalty_account("745083216", "o'brien")).tier == "blue"
    with pytest.raises(NotFound):
        await repo.loyalty_account("100200300", "Clarke")
    with pytest.raises(NotFound):
        await repo.loyalty_account("12345", "Okafor")


@pytest.mark.asyncio
async def test_quote_checked_bag(repo: SqliteAirlineRepository) -> None:
    quote = await repo.quote_checked_bag("K7P2QX", "Smith")
    assert (quote.booking_reference, quote.price, quote.currency, quote.bags_after) == (
        "K7P2QX", 35.0, "GBP", 2)
    assert (await repo.quote_checked_bag("R5W7YA", "O'Neill")).bags_after == 1  # light: none
    with pytest.raises(NotAllowed) as cancelled:
        await repo.quote_checked_bag("Q9L4DV", "Wilson")
    assert cancelled.value.reason == "cancelled"
