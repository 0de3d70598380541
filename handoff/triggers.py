"""The routing decision: answer, clarify, or hand to a person. Pure functions, no framework.

The same `decide` runs in the Rasa server (TriagePolicy), in the action server
(`action_handoff` records the reasons) and in `socialcare route`, so what the CLI reports
is what the service does.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
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
CHANNELS = ("twitter_dm", "twitter_mention", "messenger", "rest")
FALLBACK_INTENT = "nlu_fallback"
UNKNOWN_LANGUAGE = "und"  # what the language detector reports when it cannot tell
# HandoffPolicy fields that are lists in handoff.yml, not thresholds.
LIST_FIELDS = ("negative_sentiment_exempt_routes", "supported_languages", "vip_tiers", "vip_routes",
               "praise_overrides", "resolved_overrides")


class RoutingConfigError(ValueError):
    """routes.yml or handoff.yml is malformed."""


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
    """Thresholds from `bot/handoff.yml`."""

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
        """Intents that can read as praise or thanks (see `decide`)."""
        return self.praise_overrides + self.resolved_overrides


@dataclass(frozen=True)
class Urgency:
    """Urgency markers the NLU pipeline attached (categories in a fixed order, score)."""

    categories: Tuple[str, ...] = ()
    score: float = 0.0


@dataclass(frozen=True)
class Language:
    """The language the NLU pipeline detected (`und` when it could not tell)."""

    code: str = UNKNOWN_LANGUAGE
    confidence: float = 0.0


@dataclass(frozen=True)
class Decision:
    """What the assistant decides for one customer message."""

    intent: str
    confidence: float
    route: str
    handoff: bool
    reasons: Tuple[str, ...] = field(default_factory=tuple)
    sentiment: float = 0.0
    clarify: bool = False
    praised: bool = False

    def as_json(self) -> Dict[str, Any]:
        """The JSON shape printed by `socialcare route`."""
        return {
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "route": self.route,
            "handoff": self.handoff,
            "reasons": list(self.reasons),
            "sentiment": round(self.sentiment, 4),
        }


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


def parse_handoff_policy(data: Mapping[str, Any]) -> HandoffPolicy:
    """Build a HandoffPolicy from the loaded YAML mapping; raises RoutingConfigError."""
    if not isinstance(data, Mapping):
        raise RoutingConfigError("handoff file must be a mapping")
    thresholds = data.get("thresholds") or {}
    known = {f for f in HandoffPolicy.__dataclass_fields__ if f not in LIST_FIELDS}
    unknown = set(thresholds) - known
    if unknown:
        raise RoutingConfigError(f"unknown thresholds: {sorted(unknown)}")
    values = {k: float(v) for k, v in thresholds.items()}
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


def _load_yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@functools.lru_cache(maxsize=4)
def load_route_table(path: Optional[str] = None) -> RouteTable:
    """Load the route table (default `bot/routes.yml`, or SOCIALCARE_ROUTES)."""
    return parse_route_table(_load_yaml(Path(path) if path else project_path("SOCIALCARE_ROUTES", "bot/routes.yml")))


@functools.lru_cache(maxsize=4)
def load_handoff_policy(path: Optional[str] = None) -> HandoffPolicy:
    """Load the handoff thresholds (default `bot/handoff.yml`, or SOCIALCARE_HANDOFF)."""
    return parse_handoff_policy(_load_yaml(Path(path) if path else project_path("SOCIALCARE_HANDOFF", "bot/handoff.yml")))


def top_intent(parse: Mapping[str, Any]) -> Tuple[str, float]:
    """The best real intent and its confidence, looking past the NLU fallback label."""
    intent = parse.get("intent") or {}
    name = intent.get("name") or FALLBACK_INTENT
    confidence = float(intent.get("confidence") or 0.0)
    if name == FALLBACK_INTENT:
        for candidate in parse.get("intent_ranking") or []:
            if candidate.get("name") and candidate.get("name") != FALLBACK_INTENT:
                return candidate["name"], float(candidate.get("confidence") or 0.0)
    return name, confidence


def sentiment_score(parse: Mapping[str, Any]) -> float:
    """The compound sentiment in [-1, 1] the NLU pipeline attached (0.0 when absent)."""
    sentiment = parse.get("sentiment")
    if isinstance(sentiment, Mapping):
        value = sentiment.get("compound", 0.0)
    elif isinstance(sentiment, (int, float)):
        value = sentiment
    else:
        value = 0.0
    return max(-1.0, min(1.0, float(value)))


def is_request(parse: Mapping[str, Any]) -> bool:
    """True when the sentiment analyser read the message as a calm question or request."""
    sentiment = parse.get("sentiment")
    return bool(sentiment.get("request")) if isinstance(sentiment, Mapping) else False


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def urgency_of(parse: Mapping[str, Any]) -> Urgency:
    """The urgency markers the NLU pipeline attached (none when absent)."""
    urgency = parse.get("urgency")
    if not isinstance(urgency, Mapping):
        return Urgency()
    categories = urgency.get("categories") or ()
    if isinstance(categories, str):
        categories = (categories,)
    score = max(0.0, min(1.0, _number(urgency.get("score"))))
    return Urgency(tuple(str(c) for c in categories), score)


def language_of(parse: Mapping[str, Any]) -> Language:
    """The language the NLU pipeline detected (unknown when absent)."""
    language = parse.get("language")
    if not isinstance(language, Mapping):
        return Language()
    code = str(language.get("code") or UNKNOWN_LANGUAGE).lower()
    return Language(code, max(0.0, min(1.0, _number(language.get("confidence")))))


def followers_of(parse: Mapping[str, Any]) -> Optional[int]:
    """The author's follower count the X channel put in the message metadata, if any."""
    metadata = parse.get("metadata")
    value = metadata.get("author_followers") if isinstance(metadata, Mapping) else None
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def decide(
    parse: Mapping[str, Any],
    channel: str,
    table: RouteTable,
    policy: HandoffPolicy,
    *,
    in_form: bool = False,
    tier: Optional[str] = None,
) -> Decision:
    """Route one parsed customer message.

    `parse` is Rasa's parse data (intent, intent_ranking, sentiment, urgency, language,
    metadata). Returns the route of the best intent, whether a person must take over, and
    the reasons with their scores. Urgency hands off at any point; an unsupported language
    does not inside a form, where a name or an address typed as an answer can look foreign.
    A public post from an account with at least `reach_followers` followers hands off when
    it is a complaint-like route or at all negative; a customer whose loyalty `tier` is a
    VIP tier hands off on `vip_routes` and on negative sentiment (outside forms).
    """
    intent, confidence = top_intent(parse)
    sentiment = sentiment_score(parse)
    spec = table.for_intent(intent)
    reasons = []
    intent_bar = policy.handoff_intent_confidence_in_form if in_form else policy.handoff_intent_confidence
    confident = confidence >= policy.min_confidence
    public = channel == "twitter_mention"
    # "your agent Mike was a star": a complaint intent read with positive sentiment is
    # praise, not a case for a person; a calm request ("I'd like to file a complaint")
    # needs clearly positive sentiment for that. No sentiment at all (0.0) is no praise.
    # A problem report with clearly positive sentiment ("my bag turned up, thank you so
    # much!") is thanks for a problem solved.
    request = is_request(parse)
    if intent in policy.praise_overrides:
        praised = sentiment > (policy.praise_request_sentiment if request else policy.praise_sentiment)
    elif intent in policy.resolved_overrides:
        praised = sentiment > max(policy.resolved_sentiment, policy.praise_request_sentiment if request else -1.0)
    else:
        praised = False

    if spec.handoff and confidence >= intent_bar and not praised:
        reasons.append(f"route:{spec.route}:{intent}@{confidence:.2f}")
    urgency = urgency_of(parse)
    if urgency.categories and urgency.score >= policy.urgency_score:
        reasons.append(f"urgency:{','.join(urgency.categories)}@{urgency.score:.2f}")
    language = language_of(parse)
    if (
        not in_form
        and language.code != UNKNOWN_LANGUAGE
        and language.code not in policy.supported_languages
        and language.confidence >= policy.language_min_confidence
    ):
        reasons.append(f"language:{language.code}@{language.confidence:.2f}")
    if sentiment <= policy.frustration_sentiment:
        reasons.append(f"frustration:{sentiment:.2f}<={policy.frustration_sentiment:.2f}")
    elif (
        sentiment <= policy.negative_sentiment
        and spec.route not in policy.negative_sentiment_exempt_routes
        and not in_form
    ):
        reasons.append(f"negative_sentiment:{sentiment:.2f}<={policy.negative_sentiment:.2f}")
    elif public and sentiment <= policy.public_negative_sentiment and not in_form:
        # A negative public post is a public complaint: a person acknowledges it and takes
        # it to DM, whatever was asked.
        reasons.append(f"public_complaint:{sentiment:.2f}<={policy.public_negative_sentiment:.2f}")

    followers = followers_of(parse)
    if (
        channel == "twitter_mention"
        and followers is not None
        and followers >= policy.reach_followers
        and (spec.route in ("feedback", "diagnostic", "advice", "human") or sentiment <= policy.reach_sentiment)
    ):
        reasons.append(f"reach:{followers}>={int(policy.reach_followers)}")
    if tier and tier.lower() in policy.vip_tiers and not in_form and (
        (spec.route in policy.vip_routes and confident) or sentiment <= policy.negative_sentiment
    ):
        reasons.append(f"vip:{tier.lower()}@1.00")

    if public and not reasons and not confident and sentiment < policy.public_unclear_sentiment:
        # An unclear, negative public post: asking an unhappy customer to rephrase in
        # public helps nobody.
        reasons.append(f"public_unclear:{confidence:.2f}<{policy.min_confidence:.2f}"
                       f",sentiment:{sentiment:.2f}<{policy.public_unclear_sentiment:.2f}")
    handoff = bool(reasons)
    clarify = not handoff and not confident
    if clarify:
        reasons.append(f"low_confidence:{confidence:.2f}<{policy.min_confidence:.2f}")
    if public and handoff:
        reasons.append("public_channel")
    praised = praised and not handoff
    return Decision(
        intent=intent,
        confidence=confidence,
        route="feedback" if praised else spec.route,
        handoff=handoff,
        reasons=tuple(reasons),
        sentiment=sentiment,
        clarify=clarify,
        praised=praised,
    )


def triage_latest(latest_message: Mapping[str, Any], channel: str, in_form: bool = False,
                  tier: Optional[str] = None) -> Decision:
    """`decide` with the project's route table and thresholds (loaded once per process)."""
    return decide(latest_message, channel, load_route_table(), load_handoff_policy(), in_form=in_form, tier=tier)
