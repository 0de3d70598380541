"""Typed records returned by the airline backend. Plain dataclasses, no I/O."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional, Tuple


@dataclass(frozen=True)
class Flight:
    """One scheduled departure of a flight number on a date (times are local, ISO strings)."""

    flight_number: str  # e.g. "AU123"
    date: dt.date
    origin: str  # IATA airport code, e.g. "LHR"
    destination: str
    scheduled_departure: dt.datetime
    scheduled_arrival: dt.datetime
    status: str  # one of FLIGHT_STATUSES
    delay_minutes: int = 0
    gate: Optional[str] = None
    terminal: Optional[str] = None
    estimated_departure: Optional[dt.datetime] = None


FLIGHT_STATUSES = ("scheduled", "on_time", "delayed", "boarding", "departed", "landed", "cancelled")


@dataclass(frozen=True)
class Passenger:
    """A passenger on a booking, with their seat on each segment (index aligned)."""

    first_name: str
    last_name: str
    seats: Tuple[Optional[str], ...] = ()
    checked_in: bool = False
    checked_bags: int = 0


@dataclass(frozen=True)
class Booking:
    """A booking (PNR). `reference` is 6 characters, upper case letters and digits."""

    reference: str
    contact_email: str
    fare_class: str  # "light", "standard", "flex"
    total_paid: float
    currency: str
    status: str  # "confirmed", "cancelled"
    flights: Tuple[Flight, ...]
    passengers: Tuple[Passenger, ...]


@dataclass(frozen=True)
class RefundQuote:
    """What cancelling a booking would refund, computed by the backend's fare rules."""

    booking_reference: str
    refundable_amount: float
    fee: float
    currency: str
    method: str  # "original_payment" or "travel_voucher"


@dataclass(frozen=True)
class Refund:
    """A refund request and where it stands."""

    refund_id: str
    booking_reference: str
    amount: float
    currency: str
    status: str  # "requested", "approved", "paid", "rejected"
    requested_on: dt.date
    expected_by: Optional[dt.date] = None


@dataclass(frozen=True)
class BagFile:
    """A delayed-bag report (file reference like "LHRAU12345")."""

    file_reference: str
    last_name: str
    status: str  # "searching", "located", "on_its_way", "delivered", "closed"
    description: str
    last_seen: Optional[str] = None
    updated_at: Optional[dt.datetime] = None
    delivery_eta: Optional[dt.datetime] = None


@dataclass(frozen=True)
class LoyaltyAccount:
    """A loyalty (Aurora Miles) account; `member_number` is 9 digits."""

    member_number: str
    first_name: str
    last_name: str
    tier: str  # "blue", "silver", "gold", "platinum"
    miles: int
    tier_points: int
    email: str = ""


@dataclass(frozen=True)
class BagAddQuote:
    """Price of adding one checked bag to a booking."""

    booking_reference: str
    price: float
    currency: str
    bags_after: int


@dataclass(frozen=True)
class CheckInResult:
    """Outcome of online check-in for every passenger on the booking's next flight."""

    booking_reference: str
    flight_number: str
    seats: Tuple[str, ...] = field(default_factory=tuple)
    boarding_pass_url: str = ""
