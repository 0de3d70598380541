"""What the assistant is told about one inbound event (pure, no Rasa imports).

``build_turn`` gives the text for Rasa's ``UserMessage`` and its metadata:

* text messages: the customer's text (attachments ride along in metadata only);
* postbacks and quick replies: the payload when it is a Rasa intent payload (starts
  with ``/``), else the button title / typed text;
* X DM answers to a numbered option list: the option's payload (mapped by the channel);
* Messenger referrals (m.me link / ad click without text): the ref when it starts
  with ``/``, else ``REFERRAL_TEXT`` (``/greet``);
* attachment-only messages: no text at all (``text is None``, ``reason ==
  "attachment_only"``). Attachments are never turned into text; the channel answers
  them itself (see ``ATTACHMENT_REPLY``) without a Rasa turn.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.channels import TYPED_KEYS, TurnMetadata, channel_kind
from connectors.events import InboundEvent

__all__ = [
    "Turn",
    "build_turn",
    "turn_metadata",
    "ATTACHMENT_REPLY",
    "ATTACHMENT_PUBLIC_REPLY",
    "REFERRAL_TEXT",
]

REFERRAL_TEXT = "/greet"
ATTACHMENT_REPLY = ("Thanks! I can't open attachments here. Could you describe what you "
                    "need in a few words?")
ATTACHMENT_PUBLIC_REPLY = ("Thanks for getting in touch! We can't open attachments here. "
                           "Could you tell us in a few words how we can help?")


@dataclass(frozen=True)
class Turn:
    """``text`` for Rasa (``None``: do not start a Rasa turn, see ``reason``)."""

    text: str | None
    metadata: dict[str, Any] = field(default_factory=dict, repr=False)
    reason: str | None = None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _text(event: InboundEvent, option_payload: str | None) -> str | None:
    payload = _clean(event.payload)
    if option_payload:
        return option_payload
    if event.kind in ("postback", "quick_reply"):
        if payload and payload.startswith("/"):
            return payload
        return _clean(event.text) or payload
    if event.kind == "referral":
        return payload if payload and payload.startswith("/") else REFERRAL_TEXT
    return _clean(event.text)


def turn_metadata(event: InboundEvent, option_payload: str | None = None) -> TurnMetadata:
    """The typed metadata of ``event`` (its kind from ``connectors.channels.channel_kind``)."""
    details = {k: v for k, v in event.metadata.items() if k not in TYPED_KEYS}
    followers = event.metadata.get("author_followers")
    return TurnMetadata(
        channel=channel_kind(event.platform, {"public": event.is_public}),
        platform=event.platform,
        kind=event.kind,
        public=event.is_public,
        platform_event_id=event.platform_event_id,
        user_id=event.sender_id,
        account_id=event.account_id,
        thread_id=event.thread_id or event.sender_id,
        timestamp=event.timestamp,
        attachments=tuple(dict(item) for item in event.attachments),
        payload=event.payload,
        option_payload=option_payload,
        author_handle=event.metadata.get("author_handle"),
        author_name=event.metadata.get("author_name"),
        author_followers=followers if isinstance(followers, int) else None,
        extra=details,
    )


def build_turn(event: InboundEvent, *, option_payload: str | None = None) -> Turn:
    """The Rasa input for ``event`` (see the module docstring for the rules)."""
    metadata = turn_metadata(event, option_payload).as_metadata()
    text = _text(event, option_payload)
    if text is None:
        return Turn(None, metadata, "attachment_only" if event.attachments else "empty")
    return Turn(text, metadata)
