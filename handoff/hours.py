"""Business hours (pure): is the team in now, and when does it open next."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from handoff.config import TeamConfig


def local_time(ts: float, config: TeamConfig) -> dt.datetime:
    """Epoch seconds as an aware datetime in the team's time zone."""
    return dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc).astimezone(config.zone())


def is_open(ts: float, config: TeamConfig) -> bool:
    """True when `ts` falls inside the team's hours for that weekday."""
    local = local_time(ts, config)
    span = config.hours.get(local.weekday())
    return bool(span) and span[0] <= local.time() < span[1]


def next_opening_local(ts: float, config: TeamConfig) -> Optional[dt.datetime]:
    """When the team is next in, as a local datetime (`ts` itself when open; None: never)."""
    local = local_time(ts, config)
    if is_open(ts, config):
        return local
    zone = config.zone()
    for days in range(0, 8):
        day = (local + dt.timedelta(days=days)).date()
        span = config.hours.get(day.weekday())
        if not span:
            continue
        opening = dt.datetime.combine(day, span[0])
        opening = opening.replace(tzinfo=zone) if not hasattr(zone, "localize") else zone.localize(opening)
        if opening > local:
            return opening
    return None


def next_opening(ts: float, config: TeamConfig) -> float:
    """Epoch seconds of the next opening (`ts` when open now, `ts` too when never open)."""
    opening = next_opening_local(ts, config)
    return ts if opening is None else max(ts, opening.timestamp())
