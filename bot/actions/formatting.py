"""Pure formatting of backend records into customer messages. No Rasa imports, no I/O.

Every sentence states only what the record says: nothing is guessed or invented. Times are
the airport's local times, as the backend returns them.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional, Sequence

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
from bot.backend.rules import next_segment_index

AIRPORTS = {
    "LGW": "London Gatwick", "MAN": "Manchester", "EDI": "Edinburgh", "DUB": "Dublin",
    "AMS": "Amsterdam", "CDG": "Paris Charles de Gaulle", "BCN": "Barcelona",
    "FCO": "Rome Fiumicino", "JFK": "New York JFK", "YYZ": "Toronto",
}
BAG_STATUSES = {
    "searching": "we're still searching for it",
    "located": "we've found it and are arranging to get it to you",
    "on_its_way": "it's on its way to you",
    "delivered": "it has been delivered",
    "closed": "the file is closed",
}
REFUND_STATUSES = {
    "requested": "has been requested and is being processed",
    "approved": "has been approved",
    "paid": "has been paid",
    "rejected": "was not approved",
}


def airport(code: str) -> str:
    """"London Gatwick (LGW)" for a known code, else the code itself."""
    name = AIRPORTS.get(code)
    return f"{name} ({code})" if name else code


def day(value: dt.date) -> str:
    """"Sun 22 Nov"."""
    return f"{value.strftime('%a')} {value.day} {value.strftime('%b')}"


def clock(value: dt.datetime) -> str:
    """"09:35"."""
    return value.strftime("%H:%M")


def money(amount: float, currency: str) -> str:
    """"35.00 GBP"."""
    return f"{amount:,.2f} {currency}"


def duration(minutes: int) -> str:
    """"1 h 35 min", "40 min"."""
    hours, rest = divmod(max(0, int(minutes)), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def mask_email(email: str) -> str:
    """"j***@example.com": enough to recognise, not enough to leak."""
    local, _, domain = (email or "").partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def _where(flight: Flight) -> str:
    parts = []
    if flight.terminal:
        parts.append(f"{flight.terminal} Terminal" if not flight.terminal[0].isdigit()
                     else f"Terminal {flight.terminal}")
    if flight.gate:
        parts.append(f"gate {flight.gate}")
    return f" ({', '.join(parts)})" if parts else ""


def flight_status_message(flight: Flight) -> str:
    """One flight's status for the customer, e.g. "AU451 ... is delayed by 1 h 35 min ..."."""
    route = f"{flight.flight_number} from {airport(flight.origin)} to {airport(flight.destination)} on {day(flight.date)}"
    departs, arrives = clock(flight.scheduled_departure), clock(flight.scheduled_arrival)
    status = flight.status
    if status == "cancelled":
        return (f"I'm sorry: {route} is cancelled. If you're booked on it, a person from our team "
                f"can help you with your options.")
    if status == "delayed":
        expected = flight.estimated_departure or (
            flight.scheduled_departure + dt.timedelta(minutes=flight.delay_minutes))
        delay = f" by {duration(flight.delay_minutes)}" if flight.delay_minutes else ""
        return (f"{route} is delayed{delay}: it's now expected to leave at {clock(expected)} "
                f"(scheduled {departs}){_where(flight)}. Times are local.")
    if status == "boarding":
        return f"{route} is boarding now{_where(flight)}. Scheduled departure {departs} (local time)."
    if status == "departed":
        left = clock(flight.estimated_departure) if flight.estimated_departure else departs
        return f"{route} has departed (scheduled {left}); arrival is scheduled for {arrives} local time."
    if status == "landed":
        return f"{route} has landed. It was scheduled to arrive at {arrives} local time."
    if status == "on_time":
        return f"{route} is on time: departing {departs}{_where(flight)} and arriving {arrives} (local times)."
    return f"{route} is scheduled to depart at {departs}{_where(flight)} and arrive at {arrives} (local times)."


def booking_summary(booking: Booking) -> str:
    """The booking's flights, passengers and seats, for a verified customer."""
    fare = booking.fare_class.capitalize()
    lines = [f"Booking {booking.reference} ({fare} fare, {booking.status}):"]
    for index, flight in enumerate(booking.flights):
        status = "" if flight.status in ("scheduled", "on_time") else f" [{flight.status.replace('_', ' ')}]"
        lines.append(f"• {flight.flight_number} {airport(flight.origin)} → {airport(flight.destination)}, "
                     f"{day(flight.date)}, departs {clock(flight.scheduled_departure)}{status}")
    for pax in booking.passengers:
        seats = ", ".join(seat or "no seat yet" for seat in pax.seats) or "no seat yet"
        bags = f"{pax.checked_bags} checked bag{'s' if pax.checked_bags != 1 else ''}"
        checked = ", checked in" if pax.checked_in else ""
        lines.append(f"Passenger {pax.first_name} {pax.last_name}: seats {seats}; {bags}{checked}")
    lines.append(f"Contact email: {mask_email(booking.contact_email)}")
    return "\n".join(lines)


def refund_message(refunds: Sequence[Refund]) -> str:
    """Where the newest refund stands (and how many there are)."""
    if not refunds:
        return ("There's no refund on this booking. If you cancel a booking, I can tell you first "
                "what you'd get back.")
    refund = refunds[0]
    text = (f"Your refund {refund.refund_id} of {money(refund.amount, refund.currency)} "
            f"{REFUND_STATUSES.get(refund.status, 'has status ' + refund.status)} "
            f"(requested {day(refund.requested_on)}).")
    if refund.expected_by and refund.status in ("requested", "approved"):
        text += f" It should reach your original payment method by {day(refund.expected_by)}."
    if refund.status == "rejected":
        text += " If you'd like to know why, a person from our team can explain."
    if len(refunds) > 1:
        text += f" There are {len(refunds)} refunds on this booking; this is the newest."
    return text


def bag_file_message(bag: BagFile) -> str:
    """A delayed-bag file's status, last known position and delivery estimate."""
    status = BAG_STATUSES.get(bag.status, bag.status.replace("_", " "))
    text = f"Bag file {bag.file_reference} ({bag.description}): {status}."
    if bag.last_seen:
        text += f" Last update: {bag.last_seen}"
        text += f" ({day(bag.updated_at.date())} {clock(bag.updated_at)})." if bag.updated_at else "."
    if bag.delivery_eta and bag.status in ("located", "on_its_way"):
        text += f" Expected delivery: {day(bag.delivery_eta.date())} around {clock(bag.delivery_eta)}."
    return text


def loyalty_message(account: LoyaltyAccount) -> str:
    """An Aurora Miles balance."""
    return (f"Aurora Miles {account.member_number}: {account.tier.capitalize()} tier, "
            f"{account.miles:,} miles and {account.tier_points:,} tier points.")


def cancellation_quote_message(quote: RefundQuote) -> str:
    """What cancelling would refund, asked before cancelling."""
    where = "your original payment method" if quote.method == "original_payment" else "a travel voucher"
    fee = f" after a {money(quote.fee, quote.currency)} cancellation fee" if quote.fee else ""
    return (f"If you cancel booking {quote.booking_reference}, you'll get {money(quote.refundable_amount, quote.currency)} "
            f"back to {where}{fee}. Refunds take 7-14 working days.")


def refund_opened_message(refund: Refund) -> str:
    """Confirmation of a cancellation and the refund it opened."""
    text = (f"Done: booking {refund.booking_reference} is cancelled. Refund {refund.refund_id} of "
            f"{money(refund.amount, refund.currency)} has been requested")
    if refund.expected_by:
        text += f" and should reach your original payment method by {day(refund.expected_by)}"
    return text + "."


def bag_quote_message(quote: BagAddQuote) -> str:
    """Price of one more checked bag, asked before adding it."""
    return (f"Adding one checked bag (up to 23 kg) to booking {quote.booking_reference} costs "
            f"{money(quote.price, quote.currency)}; you'd then have {quote.bags_after} checked "
            f"bag{'s' if quote.bags_after != 1 else ''}.")


def checkin_message(result: CheckInResult) -> str:
    """Check-in confirmation with seats and where the boarding passes are."""
    seats = ", ".join(result.seats)
    text = f"You're checked in on {result.flight_number}" + (f", seats {seats}" if seats else "") + "."
    if result.boarding_pass_url:
        text += f" Your boarding passes: {result.boarding_pass_url}"
    return text


def checkin_opens_at(flight: Flight) -> dt.datetime:
    """When online check-in opens for a flight: 24 h before its (estimated) departure."""
    departure = flight.estimated_departure or flight.scheduled_departure
    return departure - dt.timedelta(hours=24)


def next_flight(booking: Booking, now: dt.datetime) -> Optional[Flight]:
    """The booking's next flight still to be travelled, or None."""
    index = next_segment_index(booking.flights, now)
    return booking.flights[index] if index is not None else None
