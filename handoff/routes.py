"""The routing configuration: every intent's route (`bot/routes.yml`) and the handoff
thresholds (`bot/handoff.yml`, loaded by `handoff.config`). Pure parsing plus the route
table's cached loader.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

import yaml

from core.paths import project_path

ROUTES = (
    "informational",
    "transactional",
    "diagnostic",
    "advice",
    "feedback",
    "chitchat",
    "out_of_scope",
    "human",
)
# Routes on which a post from an account with reach goes to a person (see the reach trigger).
COMPLAINT_LIKE_ROUTES = ("feedback", "diagnostic", "advice", "human")
# HandoffPolicy fields that are lists in handoff.yml, not thresholds.
LIST_FIELDS = ("negative_sentiment_exempt_routes", "supported_languages", "vip_tiers", "vip_routes",
               "praise_overrides", "resolved_overrides")


class RoutingConfigError(ValueError):
    """routes.yml, handoff.yml (or the NLU fallback threshold in config.yml) is malformed."""


@dataclass(frozen=True)
class IntentRoute:
    """How one intent is routed."""

    route: str
    handoff: bool = False


@dataclass(frozen=True)
class RouteTable:
    """Every intent's route, from `bot/routes.yml`."""

    intents: Mapping[str, IntentRoute]

    def for_intent(self, intent: str) -> IntentRoute:
        """The route of `intent`; unknown intents are out of scope."""
        return self.intents.get(intent, IntentRoute("out_of_scope"))


@dataclass(frozen=True)
class HandoffPolicy:
    """Thresholds from `bot/handoff.yml` (`min_confidence`: config.yml's FallbackClassifier)."""

    min_confidence: float = 0.45
    handoff_intent_confidence: float = 0.5
    handoff_intent_confidence_in_form: float = 0.8
    frustration_sentiment: float = -0.5
    negative_sentiment: float = -0.25
    urgency_score: float = 0.6
    language_min_confidence: float = 0.9
    failed_clarifications: float = 2
    reach_followers: float = 10000
    reach_sentiment: float = -0.05
    public_negative_sentiment: float = -0.1
    public_unclear_sentiment: float = 0.0
    praise_sentiment: float = 0.0
    praise_request_sentiment: float = 0.3
    negative_sentiment_exempt_routes: Tuple[str, ...] = ("chitchat",)
    supported_languages: Tuple[str, ...] = ("en",)
    vip_tiers: Tuple[str, ...] = ("gold", "platinum")
    vip_routes: Tuple[str, ...] = ("feedback", "out_of_scope")
    praise_overrides: Tuple[str, ...] = ("complain", "complain_staff")
    resolved_sentiment: float = 0.4
    resolved_overrides: Tuple[str, ...] = ()

    def thanked_intents(self) -> Tuple[str, ...]:
        """Intents that can read as praise or thanks (see `handoff.triggers.praised`)."""
        return self.praise_overrides + self.resolved_overrides


def parse_route_table(data: Mapping[str, Any]) -> RouteTable:
    """Build a RouteTable from the loaded YAML mapping; raises RoutingConfigError."""
    intents = data.get("intents") if isinstance(data, Mapping) else None
    if not isinstance(intents, Mapping) or not intents:
        raise RoutingConfigError("routes file needs a non-empty 'intents' mapping")
    table: Dict[str, IntentRoute] = {}
    for name, spec in intents.items():
        route = spec.get("route") if isinstance(spec, Mapping) else None
        if route not in ROUTES:
            raise RoutingConfigError(f"intent {name!r}: route must be one of {ROUTES}")
        table[str(name)] = IntentRoute(route=route, handoff=bool(spec.get("handoff", False)))
    return RouteTable(intents=table)


def parse_handoff_policy(data: Mapping[str, Any], min_confidence: Optional[float] = None) -> HandoffPolicy:
    """Build a HandoffPolicy from the loaded handoff.yml mapping; raises RoutingConfigError.

    `min_confidence` is the NLU fallback threshold (config.yml), used when the file sets
    none; a file that sets a different one is rejected: the two cannot disagree.
    """
    if not isinstance(data, Mapping):
        raise RoutingConfigError("handoff file must be a mapping")
    thresholds = data.get("thresholds") or {}
    known = {f for f in HandoffPolicy.__dataclass_fields__ if f not in LIST_FIELDS}
    unknown = set(thresholds) - known
    if unknown:
        raise RoutingConfigError(f"unknown thresholds: {sorted(unknown)}")
    values = {k: float(v) for k, v in thresholds.items()}
    if min_confidence is not None:
        if values.setdefault("min_confidence", float(min_confidence)) != float(min_confidence):
            raise RoutingConfigError(
                f"thresholds.min_confidence {values['min_confidence']} disagrees with the NLU fallback "
                f"threshold {min_confidence} (config.yml FallbackClassifier): set it in one place")
    exempt = tuple(data.get("negative_sentiment_exempt_routes") or ("chitchat",))
    languages = data.get("supported_languages") or ["en"]
    if isinstance(languages, str) or not all(isinstance(c, str) and c.strip() for c in languages):
        raise RoutingConfigError("supported_languages must be a list of ISO 639-1 codes")
    vip = data.get("vip") or {}
    if not isinstance(vip, Mapping):
        raise RoutingConfigError("vip must be a mapping with tiers and routes")
    return HandoffPolicy(
        **values,
        negative_sentiment_exempt_routes=exempt,
        supported_languages=tuple(c.strip().lower() for c in languages),
        vip_tiers=tuple(str(t).lower() for t in vip.get("tiers", HandoffPolicy.vip_tiers)),
        vip_routes=tuple(str(r) for r in vip.get("routes", HandoffPolicy.vip_routes)),
        praise_overrides=tuple(str(i) for i in data.get("praise_overrides", HandoffPolicy.praise_overrides)),
        resolved_overrides=tuple(str(i) for i in data.get("resolved_overrides", HandoffPolicy.resolved_overrides)),
    )


def load_yaml(path: Path) -> Any:
    """A YAML file's content."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@functools.lru_cache(maxsize=4)
def load_route_table(path: Optional[str] = None) -> RouteTable:
    """Load the route table (default `bot/routes.yml`, or SOCIALCARE_ROUTES), once per process."""
    return parse_route_table(load_yaml(Path(path) if path else project_path("SOCIALCARE_ROUTES", "bot/routes.yml")))
