"""Everything `bot/handoff.yml` configures, loaded once: the routing thresholds
(`handoff.routes.HandoffPolicy`) and the human team (business hours, queue priorities, SLAs).

Pure parsing (`parse_team_config`, `parse_handoff_settings`) plus the one cached loader of
the file (`load_handoff_settings`; `load_handoff_policy` and `load_team_config` are its two
halves). The NLU confidence floor is set once, in config.yml (the FallbackClassifier's
`threshold`): the loader reads it from there, and a `min_confidence` in handoff.yml that
disagrees is an error.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo

from core.paths import project_path
from handoff.routes import HandoffPolicy, RoutingConfigError, load_yaml, parse_handoff_policy

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


@dataclass(frozen=True)
class HandoffSettings:
    """The two halves of handoff.yml: routing thresholds and the human team."""

    policy: HandoffPolicy
    team: TeamConfig


def fallback_threshold(rasa_config: Any) -> Optional[float]:
    """The FallbackClassifier `threshold` in a Rasa config mapping (None without that step)."""
    pipeline = rasa_config.get("pipeline") if isinstance(rasa_config, Mapping) else None
    for step in pipeline or []:
        if isinstance(step, Mapping) and step.get("name") == "FallbackClassifier":
            if "threshold" not in step:
                raise RoutingConfigError("config.yml: the FallbackClassifier needs an explicit threshold")
            return float(step["threshold"])
    return None


def parse_handoff_settings(data: Any, min_confidence: Optional[float] = None) -> HandoffSettings:
    """Both halves from the loaded handoff.yml; `min_confidence`: the NLU fallback threshold."""
    return HandoffSettings(parse_handoff_policy(data, min_confidence), parse_team_config(data or {}))


@functools.lru_cache(maxsize=4)
def load_handoff_settings(path: Optional[str] = None) -> HandoffSettings:
    """Load `bot/handoff.yml` (or `path`, or SOCIALCARE_HANDOFF) once per process, with the
    NLU fallback threshold from config.yml (or SOCIALCARE_RASA_CONFIG) when that exists."""
    source = Path(path) if path else project_path("SOCIALCARE_HANDOFF", "bot/handoff.yml")
    rasa_config = project_path("SOCIALCARE_RASA_CONFIG", "config.yml")
    threshold = fallback_threshold(load_yaml(rasa_config)) if rasa_config.is_file() else None
    return parse_handoff_settings(load_yaml(source), threshold)


def load_handoff_policy(path: Optional[str] = None) -> HandoffPolicy:
    """The routing thresholds of `load_handoff_settings`."""
    return load_handoff_settings(path).policy


def load_team_config(path: Optional[str] = None) -> TeamConfig:
    """The human team's settings of `load_handoff_settings`."""
    return load_handoff_settings(path).team
