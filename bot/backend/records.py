"""Pure booking policy over a loaded booking: which segment is next, what cancelling refunds.

`BookingRecord` is everything stored about one booking; storage modules build it, and
`to_model` turns it into the public `Booking`. Violations raise `NotAllowed`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import List, Optional

from bot.backend import rules
from bot.backend.errors import NotAllowed
from bot.backend.models import Booking, Flight, Passenger, RefundQuote


@dataclass
class PaxRecord:
    """A passenger row with per-segment seats and check-in flags."""

    passenger_id: int
    first_name: str
    last_name: str
    checked_bags: int
    seats: List[Optional[str]] = field(default_factory=list)
    checked_in: List[bool] = field(default_factory=list)


@dataclass
class BookingRecord:
    """Everything stored about one booking, before it becomes a `Booking` model."""

    reference: str
    contact_email: str
    fare_class: str
    total_paid: float
    taxes: float
    currency: str
    status: str
    booked_at: dt.datetime
    flight_ids: List[int]
    flights: List[Flight]
    passengers: List[PaxRecord]

    def passenger_named(self, last_name: str) -> Optional[PaxRecord]:
        """The first passenger whose last name matches, or None."""
        return next((p for p in self.passengers if rules.names_match(last_name, p.last_name)), None)

    def to_model(self, now: dt.datetime) -> Booking:
        """The public model; `checked_in` refers to the next segment to travel (else the last)."""
        index = rules.next_segment_index(self.flights, now)
        current = index if index is not None else len(self.flights) - 1
        passengers = tuple(
            Passenger(first_name=p.first_name, last_name=p.last_name, seats=tuple(p.seats),
                      checked_in=current >= 0 and p.checked_in[current],
                      checked_bags=p.checked_bags)
            for p in self.passengers
        )
        return Booking(reference=self.reference, contact_email=self.contact_email,
                       fare_class=self.fare_class, total_paid=self.total_paid,
                       currency=self.currency, status=self.status, flights=tuple(self.flights),
                       passengers=passengers)



def upcoming_index(record: BookingRecord, now: dt.datetime) -> int:
    """Index of the next segment to travel, for changes; NotAllowed when none can change."""
    if record.status == "cancelled":
        raise NotAllowed("cancelled", "the booking is cancelled")
    index = rules.next_segment_index(record.flights, now)
    if index is None:
        raise NotAllowed("no_upcoming_flight", "every flight on the booking has left")
    return index


def cancellation_quote(record: BookingRecord, now: dt.datetime) -> RefundQuote:
    """The refund for cancelling now; NotAllowed("already_cancelled"|"travel_started").

    A flight cancelled by the airline, or the free 24 h window, refunds everything.
    """
    if record.status == "cancelled":
        raise NotAllowed("already_cancelled")
    if rules.travel_started(record.flights, now):
        raise NotAllowed("travel_started", "part of the journey has already been flown")
    airline_cancelled = any(f.status == "cancelled" for f in record.flights)
    free = bool(record.flights) and rules.free_cancellation_applies(
        record.booked_at, record.flights[0].scheduled_departure, now)
    amount, fee = rules.refund_amounts(record.fare_class, record.total_paid, record.taxes,
                                       full_refund=airline_cancelled or free)
    return RefundQuote(booking_reference=record.reference, refundable_amount=amount, fee=fee,
                       currency=record.currency, method="original_payment")


def checkin_index(record: BookingRecord, now: dt.datetime) -> int:
    """Index of the segment to check in now; NotAllowed with the check-in reasons."""
    if record.status == "cancelled":
        raise NotAllowed("cancelled", "the booking is cancelled")
    index = rules.next_segment_index(record.flights, now)
    if index is None:
        raise NotAllowed("checkin_closed", "every flight on the booking has left")
    flight = record.flights[index]
    if flight.status == "cancelled":
        raise NotAllowed("cancelled", "the flight is cancelled")
    if all(p.checked_in[index] for p in record.passengers):
        raise NotAllowed("already_checked_in")
    state = rules.checkin_state(rules.effective_departure(flight), now)
    if state == "not_open":
        raise NotAllowed("checkin_not_open", "online check-in opens 24 h before departure")
    if state == "closed" or flight.status == "boarding":
        raise NotAllowed("checkin_closed", "online check-in closes 1 h before departure")
    return index
