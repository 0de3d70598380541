"""The routing decision: answer, clarify, or hand to a person. Pure functions, no framework.

`decide` runs in the Rasa server (TriagePolicy, which stores the decision in the
`triage_decision` slot for `action_handoff`) and in `socialcare route`, so what the CLI
reports is what the service does.

Each handoff trigger is one function of the message's `Signals` and the thresholds
(`handoff.routes.HandoffPolicy`) returning its `Reason`, or None when it does not fire;
`decide` runs them in `HANDOFF_TRIGGERS` order. Adding a trigger: one function here, its
threshold in `HandoffPolicy` and bot/handoff.yml, one test.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Optional, Tuple

from connectors.channels import ChannelKind
from handoff.decision import Decision
from handoff.parse_data import (
    UNKNOWN_LANGUAGE,
    Language,
    Urgency,
    followers_of,
    is_request,
    language_of,
    sentiment_score,
    top_intent,
    urgency_of,
)
from handoff.reasons import Reason, at_or_above, at_or_below, flag, scored
from handoff.routes import COMPLAINT_LIKE_ROUTES, HandoffPolicy, IntentRoute, RouteTable

PUBLIC_CHANNEL = flag("public_channel")


@dataclass(frozen=True)
class Signals:
    """One customer message as the triggers read it: the NLU reading, the channel and the
    conversation (inside a form, the loyalty tier), and the facts derived from them."""

    intent: str
    confidence: float
    spec: IntentRoute
    sentiment: float
    urgency: Urgency
    language: Language
    followers: Optional[int]
    public: bool
    in_form: bool
    tier: Optional[str]
    confident: bool  # at or above the NLU confidence floor
    praised: bool  # a complaint or problem report that reads as praise or thanks
    vip: bool
    reach: bool


Trigger = Callable[[Signals, HandoffPolicy], Optional[Reason]]


def is_vip(tier: Optional[str], policy: HandoffPolicy) -> bool:
    """The customer's loyalty tier is one of the VIP tiers."""
    return bool(tier) and str(tier).lower() in {t.lower() for t in policy.vip_tiers}


def has_reach(followers: Optional[int], policy: HandoffPolicy) -> bool:
    """The author has at least `reach_followers` followers."""
    return followers is not None and followers >= policy.reach_followers


def reads_as_praise(intent: str, sentiment: float, request: bool, policy: HandoffPolicy) -> bool:
    """"your agent Mike was a star": a complaint intent read with positive sentiment is
    praise; a calm request ("I'd like to file a complaint") needs clearly positive sentiment
    for that. A problem report with clearly positive sentiment ("my bag turned up, thank you
    so much!") is thanks for a problem solved. No sentiment at all (0.0) is no praise."""
    if intent in policy.praise_overrides:
        return sentiment > (policy.praise_request_sentiment if request else policy.praise_sentiment)
    if intent in policy.resolved_overrides:
        return sentiment > max(policy.resolved_sentiment, policy.praise_request_sentiment if request else -1.0)
    return False


def read_signals(parse: Mapping[str, Any], channel: str, table: RouteTable, policy: HandoffPolicy, *,
                 in_form: bool = False, tier: Optional[str] = None) -> Signals:
    """The `Signals` of one parsed message (Rasa parse data) on `channel`."""
    intent, confidence = top_intent(parse)
    sentiment = sentiment_score(parse)
    followers = followers_of(parse)
    return Signals(
        intent=intent, confidence=confidence, spec=table.for_intent(intent), sentiment=sentiment,
        urgency=urgency_of(parse), language=language_of(parse), followers=followers,
        public=channel == ChannelKind.TWITTER_MENTION, in_form=in_form, tier=tier,
        confident=confidence >= policy.min_confidence,
        praised=reads_as_praise(intent, sentiment, is_request(parse), policy),
        vip=is_vip(tier, policy), reach=has_reach(followers, policy),
    )


def route_trigger(s: Signals, policy: HandoffPolicy) -> Optional[Reason]:
    """A handoff intent (`handoff: true` in routes.yml) at or above the intent bar (higher
    inside a form), unless it reads as praise."""
    bar = policy.handoff_intent_confidence_in_form if s.in_form else policy.handoff_intent_confidence
    if s.spec.handoff and s.confidence >= bar and not s.praised:
        return scored("route", f"{s.spec.route}:{s.intent}", s.confidence)
    return None


def urgency_trigger(s: Signals, policy: HandoffPolicy) -> Optional[Reason]:
    """Urgency markers whose combined score reaches `urgency_score` (in a form too)."""
    if s.urgency.categories and s.urgency.score >= policy.urgency_score:
        return scored("urgency", ",".join(s.urgency.categories), s.urgency.score)
    return None


def language_trigger(s: Signals, policy: HandoffPolicy) -> Optional[Reason]:
    """A confidently detected unsupported language; not inside a form, where a name or an
    address typed as an answer can look foreign."""
    language = s.language
    if (not s.in_form and language.code != UNKNOWN_LANGUAGE and language.code not in policy.supported_languages
            and language.confidence >= policy.language_min_confidence):
        return scored("language", language.code, language.confidence)
    return None


def frustration_trigger(s: Signals, policy: HandoffPolicy) -> Optional[Reason]:
    """Sentiment at or below `frustration_sentiment`, whatever the intent."""
    if s.sentiment <= policy.frustration_sentiment:
        return at_or_below("frustration", s.sentiment, policy.frustration_sentiment)
    return None


def negative_sentiment_trigger(s: Signals, policy: HandoffPolicy) -> Optional[Reason]:
    """Sentiment at or below `negative_sentiment` outside the exempt routes and forms."""
    if (s.sentiment <= policy.negative_sentiment and s.spec.route not in policy.negative_sentiment_exempt_routes
            and not s.in_form):
        return at_or_below("negative_sentiment", s.sentiment, policy.negative_sentiment)
    return None


def public_complaint_trigger(s: Signals, policy: HandoffPolicy) -> Optional[Reason]:
    """A negative public post is a public complaint: a person acknowledges it and takes it
    to DM, whatever was asked."""
    if s.public and s.sentiment <= policy.public_negative_sentiment and not s.in_form:
        return at_or_below("public_complaint", s.sentiment, policy.public_negative_sentiment)
    return None


def first_of(*triggers: Trigger) -> Trigger:
    """A trigger that gives the first reason of `triggers` (one reason for one cause)."""
    def first(s: Signals, policy: HandoffPolicy) -> Optional[Reason]:
        return next((r for r in (t(s, policy) for t in triggers) if r is not None), None)

    return first


def reach_trigger(s: Signals, policy: HandoffPolicy) -> Optional[Reason]:
    """A public post from an account with reach that is complaint-like or at all negative."""
    if s.public and s.reach and s.followers is not None and (
            s.spec.route in COMPLAINT_LIKE_ROUTES or s.sentiment <= policy.reach_sentiment):
        return at_or_above("reach", s.followers, int(policy.reach_followers))
    return None


def vip_trigger(s: Signals, policy: HandoffPolicy) -> Optional[Reason]:
    """A VIP customer on a `vip_routes` route (confidently) or with negative sentiment,
    outside forms."""
    if s.vip and s.tier and not s.in_form and (
            (s.spec.route in policy.vip_routes and s.confident) or s.sentiment <= policy.negative_sentiment):
        return scored("vip", s.tier.lower(), 1.0)
    return None


def public_unclear_trigger(s: Signals, policy: HandoffPolicy) -> Optional[Reason]:
    """An unclear, negative public post: asking an unhappy customer to rephrase in public
    helps nobody (only when no other trigger fired)."""
    if s.public and not s.confident and s.sentiment < policy.public_unclear_sentiment:
        return flag("public_unclear", f"{s.confidence:.2f}<{policy.min_confidence:.2f}"
                                      f",sentiment:{s.sentiment:.2f}<{policy.public_unclear_sentiment:.2f}")
    return None


def low_confidence_reason(s: Signals, policy: HandoffPolicy) -> Reason:
    """Why the bot asks the customer to rephrase."""
    return flag("low_confidence", f"{s.confidence:.2f}<{policy.min_confidence:.2f}")


HANDOFF_TRIGGERS: Tuple[Trigger, ...] = (
    route_trigger,
    urgency_trigger,
    language_trigger,
    first_of(frustration_trigger, negative_sentiment_trigger, public_complaint_trigger),
    reach_trigger,
    vip_trigger,
)
# Tried only when none of HANDOFF_TRIGGERS fired.
LAST_RESORT_TRIGGERS: Tuple[Trigger, ...] = (public_unclear_trigger,)


def fired(triggers: Iterable[Trigger], s: Signals, policy: HandoffPolicy) -> Tuple[Reason, ...]:
    """The reasons of the triggers that fire, in order."""
    return tuple(r for r in (t(s, policy) for t in triggers) if r is not None)


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
    metadata); `tier` the customer's loyalty tier. Returns the route of the best intent,
    whether a person must take over and the reasons with their scores: the handoff
    triggers' (a public handoff adds `public_channel`), else `low_confidence` when the bot
    should ask to rephrase.
    """
    s = read_signals(parse, channel, table, policy, in_form=in_form, tier=tier)
    reasons = fired(HANDOFF_TRIGGERS, s, policy) or fired(LAST_RESORT_TRIGGERS, s, policy)
    handoff = bool(reasons)
    clarify = not handoff and not s.confident
    if clarify:
        reasons += (low_confidence_reason(s, policy),)
    if s.public and handoff:
        reasons += (PUBLIC_CHANNEL,)
    praised = s.praised and not handoff
    return Decision(
        intent=s.intent,
        confidence=s.confidence,
        route="feedback" if praised else s.spec.route,
        handoff=handoff,
        reasons=reasons,
        sentiment=s.sentiment,
        clarify=clarify,
        praised=praised,
        vip=s.vip,
        reach=s.reach,
    )
