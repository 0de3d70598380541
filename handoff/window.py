"""Can an agent still write to the customer on their channel? (pure)

Messenger: a normal reply within 24 h of the customer's last message; with the
HUMAN_AGENT tag up to 7 days (both configurable in handoff.yml); closed after that.
X DMs: open while the customer keeps the conversation (no fixed window we enforce).
X mentions: a public reply to the customer's latest post. REST: open (local testing).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from connectors.channels import ChannelKind
from handoff.config import TeamConfig

HUMAN_AGENT_TAG = "HUMAN_AGENT"


@dataclass(frozen=True)
class MessagingWindow:
    """`open`: can we send; `tag`: Messenger message tag to use (None for a normal reply);
    `closes_at`: epoch seconds when sending stops (None: no limit we know of);
    `state`: ``standard`` / ``human_agent`` / ``closed`` / ``public`` / ``open``;
    `alternatives`: channels to offer when closed."""

    open: bool
    state: str
    tag: Optional[str] = None
    closes_at: Optional[float] = None
    alternatives: Tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        """One sentence for the agent."""
        return REASONS.get(self.state, "")

    def as_json(self) -> Dict[str, Any]:
        """JSON-ready mapping."""
        return {"open": self.open, "state": self.state, "tag": self.tag, "closes_at": self.closes_at,
                "alternatives": list(self.alternatives), "reason": self.reason}


REASONS = {
    "standard": "Within 24 hours of the customer's last message: a normal reply.",
    "human_agent": "More than 24 hours since the customer's last message: sent with the HUMAN_AGENT tag "
                   "(allowed up to 7 days).",
    "closed": "The Messenger window is closed (over 7 days since the customer's last message); "
              "reach the customer another way.",
    "public": "Public reply to the customer's latest post: keep personal details out.",
    "open": "",
}


def messaging_window(channel: str, last_customer_at: Optional[float], now: float, config: TeamConfig,
                     *, alternatives: Tuple[str, ...] = ()) -> MessagingWindow:
    """The window for `channel` given when the customer last wrote."""
    if channel == ChannelKind.MESSENGER:
        if last_customer_at is None:
            return MessagingWindow(False, "closed", alternatives=alternatives)
        standard_until = last_customer_at + config.messenger_standard_window_hours * 3600
        agent_until = last_customer_at + config.messenger_human_agent_days * 86400
        if now < standard_until:
            return MessagingWindow(True, "standard", None, agent_until)
        if now < agent_until:
            return MessagingWindow(True, "human_agent", HUMAN_AGENT_TAG, agent_until)
        return MessagingWindow(False, "closed", None, agent_until, alternatives)
    if channel == ChannelKind.TWITTER_MENTION:
        return MessagingWindow(True, "public")
    return MessagingWindow(True, "open")


def allows_automated(window: MessagingWindow) -> bool:
    """May an automated message (the CSAT question) go out in this window? Only a normal
    reply: Meta allows the HUMAN_AGENT tag for a person's replies, never for automation,
    so between 24 h and 7 days (and when closed) the answer is no."""
    return window.open and window.tag is None
