"""The human team's settings from `bot/handoff.yml`: business hours, queue priorities, SLAs.

Pure parsing (`parse_team_config`) plus a cached loader. The handoff triggers in the same
file are read by `handoff.triggers`.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

import yaml

from core.paths import project_path

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_SLA = {1: 15, 2: 30, 3: 60, 4: 240}
DEFAULT_REASON_PRIORITY = {"urgency": 1, "action_error": 2, "backend_error": 2, "frustration": 2,
                           "vip": 2, "reach": 2, "no_knowledge": 4}


class TeamConfigError(ValueError):
    """The business hours or queue section of handoff.yml is malformed."""


@dataclass(frozen=True)
class TeamConfig:
    """Business hours (per weekday, in `time_zone`) and the queue's priority rules."""

    time_zone: str = "Europe/London"
    # weekday index (0 = Monday) -> (open, close) as datetime.time; missing = closed
    hours: Mapping[int, Tuple[dt.time, dt.time]] = field(
        default_factory=lambda: {d: (dt.time(7), dt.time(22)) for d in range(7)})
    sla_minutes: Mapping[int, float] = field(default_factory=lambda: dict(DEFAULT_SLA))
    minutes_per_ticket: float = 8.0
    ageing_minutes: float = 30.0
    reason_priority: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_REASON_PRIORITY))
    default_priority: int = 3
    vip_boost: int = 1
    reach_boost: int = 1
    sentiment_boost_at: float = -0.7
    messenger_standard_window_hours: float = 24.0
    messenger_human_agent_days: float = 7.0
    ask_csat: bool = True

    def zone(self) -> dt.tzinfo:
        """The team's time zone (UTC when the name is unknown to this system)."""
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(self.time_zone)
        except Exception:  # noqa: BLE001 - a missing tz database must not break handoffs
            return dt.timezone.utc


def _time(value: Any, where: str) -> dt.time:
    try:
        hours, minutes = str(value).split(":")
        if hours == "24" and minutes == "00":
            return dt.time(23, 59, 59)
        return dt.time(int(hours), int(minutes))
    except (ValueError, TypeError) as exc:
        raise TeamConfigError(f"{where}: times must look like 07:00") from exc


def parse_team_config(data: Mapping[str, Any]) -> TeamConfig:
    """Build a TeamConfig from the whole loaded handoff.yml mapping."""
    if not isinstance(data, Mapping):
        raise TeamConfigError("handoff file must be a mapping")
    hours_section = data.get("business_hours") or {}
    queue = data.get("queue") or {}
    if not isinstance(hours_section, Mapping) or not isinstance(queue, Mapping):
        raise TeamConfigError("business_hours and queue must be mappings")
    kwargs: Dict[str, Any] = {}
    if hours_section:
        days = hours_section.get("days") or {}
        unknown = set(days) - set(WEEKDAYS)
        if unknown:
            raise TeamConfigError(f"unknown weekdays: {sorted(unknown)}")
        hours = {}
        for name, span in days.items():
            if not span:
                continue
            if not isinstance(span, (list, tuple)) or len(span) != 2:
                raise TeamConfigError(f"business_hours.{name} must be [open, close]")
            start, end = _time(span[0], name), _time(span[1], name)
            if end <= start:
                raise TeamConfigError(f"business_hours.{name}: close must be after open")
            hours[WEEKDAYS.index(name)] = (start, end)
        kwargs["hours"] = hours
        kwargs["time_zone"] = str(hours_section.get("time_zone") or "UTC")
    if "sla_minutes" in queue:
        sla = {int(k): float(v) for k, v in (queue.get("sla_minutes") or {}).items()}
        if sorted(sla) != [1, 2, 3, 4]:
            raise TeamConfigError("queue.sla_minutes needs priorities 1, 2, 3 and 4")
        kwargs["sla_minutes"] = sla
    if "reason_priority" in queue:
        rp = {str(k): int(v) for k, v in (queue.get("reason_priority") or {}).items()}
        if any(v not in (1, 2, 3, 4) for v in rp.values()):
            raise TeamConfigError("queue.reason_priority values must be 1..4")
        kwargs["reason_priority"] = rp
    for name in ("minutes_per_ticket", "ageing_minutes", "sentiment_boost_at",
                 "messenger_standard_window_hours", "messenger_human_agent_days"):
        if name in queue:
            kwargs[name] = float(queue[name])
    for name in ("vip_boost", "reach_boost", "default_priority"):
        if name in queue:
            kwargs[name] = int(queue[name])
    if "ask_csat" in queue:
        kwargs["ask_csat"] = bool(queue["ask_csat"])
    return TeamConfig(**kwargs)


@functools.lru_cache(maxsize=4)
def load_team_config(path: Optional[str] = None) -> TeamConfig:
    """Load from `bot/handoff.yml` (or SOCIALCARE_HANDOFF), once per process."""
    source = Path(path) if path else project_path("SOCIALCARE_HANDOFF", "bot/handoff.yml")
    with open(source, encoding="utf-8") as handle:
        return parse_team_config(yaml.safe_load(handle) or {})
