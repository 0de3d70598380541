"""The async interface between the actions and an airline's systems.

Every method is a coroutine and may raise `BackendError` (or a subclass). Methods that take
a booking reference and a last name only return data when both match; they raise
`NotFound` otherwise, so a caller can never reveal a booking to the wrong person.
A brand implements this Protocol over its own HTTP API.
"""
from __future__ import annotations

import datetime as dt
from typing import List, Optional, Protocol

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


class AirlineRepository(Protocol):
    """What the assistant can ask of, and do in, the airline's systems."""

    async def flight_status(self, flight_number: str, date: dt.date) -> Optional[Flight]:
        """The flight with that number on that date, or None if it does not operate."""

    async def find_booking(self, reference: str, last_name: str) -> Booking:
        """The booking when reference and a passenger's last name match; else NotFound."""

    async def change_seat(self, reference: str, last_name: str, seat: str) -> Booking:
        """Move the named passenger to `seat` on the next flight; NotAllowed("seat_taken"|"invalid_seat")."""

    async def quote_cancellation(self, reference: str, last_name: str) -> RefundQuote:
        """What cancelling would refund, without cancelling."""

    async def cancel_booking(self, reference: str, last_name: str) -> Refund:
        """Cancel the booking and open a refund; NotAllowed("already_cancelled")."""

    async def refund_status(self, reference: str, last_name: str) -> List[Refund]:
        """Refunds on the booking, newest first (empty list when none)."""

    async def bag_file(self, file_reference: str, last_name: str) -> BagFile:
        """The delayed-bag report; NotFound when reference and name do not match."""

    async def loyalty_account(self, member_number: str, last_name: str) -> LoyaltyAccount:
        """The loyalty account; NotFound when number and name do not match."""

    async def update_email(self, reference: str, last_name: str, email: str) -> Booking:
        """Change the booking's contact email."""

    async def quote_checked_bag(self, reference: str, last_name: str) -> BagAddQuote:
        """Price of one more checked bag for the named passenger."""

    async def add_checked_bag(self, reference: str, last_name: str) -> Booking:
        """Add one checked bag (after the customer accepted the quote)."""

    async def check_in(self, reference: str, last_name: str) -> CheckInResult:
        """Check in all passengers; NotAllowed("checkin_not_open"|"checkin_closed"|"already_checked_in"|"cancelled")."""

    async def close(self) -> None:
        """Release connections."""
