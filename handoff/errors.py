"""Small exception classes an HTTP layer maps to status codes.

=====================  ======  =============================================
exception              status  meaning
=====================  ======  =============================================
TicketNotFound         404     no ticket with that id
TicketOwned            409     another agent already owns it (``.owner``)
InvalidTransition      409     e.g. replying to / claiming a resolved ticket
NotOwner               403     the agent does not own the ticket (use force)
StoreBusy              503     too much contention; try again
WindowClosed           409     the platform no longer lets us write to the
                               customer (``.channel``, ``.alternatives``)
PersonalDataInPublic   422     a public reply carries personal data: send it
                               by DM (``.alternatives``) or edit it
DeliveryFailed         502     the platform refused or could not be reached
=====================  ======  =============================================
"""
from __future__ import annotations

from typing import Optional, Tuple


class HandoffError(Exception):
    """Base class of every handoff error."""

    status = 500


class TicketNotFound(HandoffError):
    """No ticket with that id."""

    status = 404


class TicketOwned(HandoffError):
    """Claim lost: another agent owns the ticket."""

    status = 409

    def __init__(self, ticket_id: str, owner: Optional[str]) -> None:
        super().__init__(f"ticket {ticket_id} is owned by another agent")
        self.ticket_id = ticket_id
        self.owner = owner


class InvalidTransition(HandoffError):
    """The ticket's status does not allow this change."""

    status = 409


class NotOwner(HandoffError):
    """The acting agent does not own the ticket."""

    status = 403


class StoreBusy(HandoffError):
    """Optimistic transaction kept failing under contention."""

    status = 503


class WindowClosed(HandoffError):
    """The platform's messaging window for this customer is closed.

    `alternatives` names channels the agent can still use (e.g. ``("twitter_mention",)``
    or ``("email",)`` when the profile has one); may be empty.
    """

    status = 409

    def __init__(self, channel: str, message: str, alternatives: Tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.channel = channel
        self.alternatives = alternatives


class DeliveryFailed(HandoffError):
    """The reply could not be delivered through the customer's channel."""

    status = 502


class PersonalDataInPublic(HandoffError):
    """An agent's public reply (an X mention) contains personal data (an e-mail address,
    a phone number, a booking reference...): nothing was sent.

    The agent chooses: send the same text through one of `alternatives` (a DM) or edit it;
    `redacted` is the text with each finding replaced by ``***`` (shown to that agent only).
    """

    status = 422
    choices = ("send_by_dm", "edit")

    def __init__(self, channel: str, alternatives: Tuple[str, ...], redacted: str) -> None:
        super().__init__("This public reply contains personal data (e-mail, phone number, booking or "
                         "member reference...). Send it by DM instead, or edit it.")
        self.channel = channel
        self.alternatives = alternatives
        self.redacted = redacted
