"""What the customer is told right after a handoff (pure): the expected wait, or when the
team is back. Honest numbers only: from the queue length and the agents online.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from handoff.config import TeamConfig
from handoff.hours import is_open, local_time, next_opening_local


@dataclass(frozen=True)
class WaitEstimate:
    """`kind`: ``wait`` (minutes known), ``busy`` (open, nobody online yet), ``closed``."""

    kind: str
    minutes: Optional[int] = None
    ahead: int = 0
    agents: int = 0
    opens: str = ""  # e.g. "tomorrow at 07:00 (UK time)" / "Monday at 07:00 (Europe/London)"


ZONE_NAMES = {"Europe/London": "UK time"}


def estimate_wait(now: float, ahead: int, agents_online: int, config: TeamConfig) -> WaitEstimate:
    """Expected wait for a ticket with `ahead` open tickets before it.

    Closed: when the team opens next. Open with agents online: ceil((ahead + 1) /
    agents) * minutes_per_ticket minutes (at least 1; above 10 rounded up to a multiple
    of 5). Open without anyone online: ``busy`` (no number we could stand behind).
    """
    if not is_open(now, config):
        return WaitEstimate("closed", ahead=ahead, agents=agents_online, opens=opening_phrase(now, config))
    if agents_online <= 0:
        return WaitEstimate("busy", ahead=ahead, agents=0)
    minutes = math.ceil((ahead + 1) / agents_online) * config.minutes_per_ticket
    minutes = int(math.ceil(minutes))
    if minutes > 10:
        minutes = int(math.ceil(minutes / 5.0) * 5)
    return WaitEstimate("wait", minutes=max(1, minutes), ahead=ahead, agents=agents_online)


def opening_phrase(now: float, config: TeamConfig) -> str:
    """``today at 07:00 (UK time)``, ``tomorrow at ...`` or ``on Monday at ...``."""
    opening = next_opening_local(now, config)
    if opening is None:
        return "as soon as possible"
    today = local_time(now, config).date()
    delta = (opening.date() - today).days
    day = "today" if delta == 0 else "tomorrow" if delta == 1 else f"on {opening.strftime('%A')}"
    zone = ZONE_NAMES.get(config.time_zone, config.time_zone)
    return f"{day} at {opening.strftime('%H:%M')} ({zone})"


def wait_message(estimate: WaitEstimate) -> str:
    """The sentence appended to the handoff apology."""
    if estimate.kind == "closed":
        return (f"Our team is offline right now and will reply here {estimate.opens}. "
                "You don't need to write again; your messages are kept with your case.")
    if estimate.kind == "busy":
        return ("Our team is in but everyone is busy right now; the next free person will reply here. "
                "Anything you add meanwhile goes straight to them.")
    people = "person" if estimate.ahead == 1 else "people"
    ahead = f"There {'is' if estimate.ahead == 1 else 'are'} {estimate.ahead} {people} ahead of you; " \
        if estimate.ahead else "You're next in line; "
    return (f"{ahead}the expected wait is about {estimate.minutes} minutes. "
            "Anything you add meanwhile goes straight to the person who picks this up.")
