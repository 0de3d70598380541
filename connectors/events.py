"""Platform-neutral results of parsing a webhook body.

A parser turns one verified webhook body into a list, in delivery order, of:

* ``InboundEvent``: something a customer said or did that the assistant should handle.
* ``IgnoredEvent``: a well-formed event we deliberately do not answer (our own echo,
  delivery/read receipts, typing, retweets, handover signals, unsupported types).
* ``StandbyEvent``: a Messenger event delivered while another app (a human agent in
  Page Inbox) owns the thread; record it for the handover dossier, never answer it.
* ``RejectedEvent``: one item of a batch that cannot be used (wrong structure, no
  sender); the other items of the batch are still taken, this one goes to the dead
  letters (``connectors.intake.deadletters``) with its reason.

Message text, payloads and metadata are personal data: they are left out of ``repr`` so
a stray log line cannot leak them. ``to_dict``/``from_dict`` give a JSON-safe form for
a durable queue.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Union

__all__ = [
    "FACEBOOK",
    "TWITTER",
    "InboundEvent",
    "IgnoredEvent",
    "StandbyEvent",
    "RejectedEvent",
    "ParsedEvent",
    "event_from_dict",
]

FACEBOOK = "facebook"
TWITTER = "twitter"


@dataclass(frozen=True)
class InboundEvent:
    """A customer message or action to hand to the assistant.

    Fields:
        platform: ``"facebook"`` or ``"twitter"``.
        kind: ``"message"`` (text and/or attachments), ``"quick_reply"``, ``"postback"``,
            ``"referral"`` (Messenger) or ``"mention"`` (a public post that @mentions or
            replies to the brand).
        platform_event_id: dedup key. Messenger: ``mid`` (postbacks without a ``mid``:
            a stable hash of sender, timestamp and payload). X: DM event id or post id.
        sender_id: the customer (Messenger PSID, X user id).
        recipient_id: the brand account that received it (Page id, X user id).
        account_id: the subscribed account the webhook was for (``entry.id`` /
            ``for_user_id`` / ``filter.user_id``).
        thread_id: the conversation on the platform. Messenger and X DMs: the customer
            id (one thread per customer and brand). Public X posts: the
            ``conversation_id`` when the platform gives one, else the post id.
        text: what the customer wrote, ``None`` when there is no text at all (for
            example attachment-only). Attachments are never folded into ``text``.
        payload: developer payload of a postback or quick reply, else ``None``.
        attachments: structured attachments, each a dict with at least ``type`` and
            ``url`` (``url`` may be ``None``).
        timestamp: event time in epoch milliseconds, ``None`` when not given.
        metadata: platform details (``public``, referral, quick-reply metadata, tweet id,
            author handle, display name, follower count, ``in_reply_to`` ...).
    """

    platform: str
    kind: str
    platform_event_id: str
    sender_id: str
    recipient_id: str | None
    account_id: str | None = None
    thread_id: str | None = None
    text: str | None = field(default=None, repr=False)
    payload: str | None = field(default=None, repr=False)
    attachments: list[dict[str, Any]] = field(default_factory=list, repr=False)
    timestamp: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_public(self) -> bool:
        """True for public posts (X mentions), False for private messages."""
        return bool(self.metadata.get("public", False))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict with a ``type`` tag (see ``event_from_dict``)."""
        return {"type": "inbound", **asdict(self)}


@dataclass(frozen=True)
class IgnoredEvent:
    """A well-formed event that is deliberately not answered.

    ``reason`` is one of: ``"echo"``, ``"delivery"``, ``"read"``, ``"typing"``,
    ``"own_dm"``, ``"own_tweet"``, ``"retweet"``, ``"not_addressed"`` (a post that
    neither mentions nor replies to the brand), ``"other_account"`` (for another
    subscribed account), ``"handover"`` (Messenger thread-control change; details in
    ``metadata["handover"]``), ``"revoke"`` (an X user revoked the app: ``sender_id`` is
    the user, whose data the channel records for erasure) or ``"unsupported"``
    (``detail`` names the event type).
    ``metadata`` never holds message text; it keeps ids useful to the shell (echo
    ``app_id`` and ``mid``, delivery ``mids``/``watermark``, handover app ids).
    """

    platform: str
    reason: str
    detail: str | None = None
    platform_event_id: str | None = None
    sender_id: str | None = None
    account_id: str | None = None
    timestamp: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict with a ``type`` tag (see ``event_from_dict``)."""
        return {"type": "ignored", **asdict(self)}


@dataclass(frozen=True)
class StandbyEvent:
    """A Messenger event received on ``standby`` while another app owns the thread.

    ``kind`` is ``"message"``, ``"quick_reply"``, ``"postback"``, ``"echo"`` (a reply
    sent by the thread owner, e.g. a human agent) or ``"unknown"``. Recorded for the
    handover dossier; the assistant must not answer it.
    """

    platform: str
    kind: str
    sender_id: str
    recipient_id: str | None
    account_id: str | None = None
    platform_event_id: str | None = None
    text: str | None = field(default=None, repr=False)
    payload: str | None = field(default=None, repr=False)
    attachments: list[dict[str, Any]] = field(default_factory=list, repr=False)
    timestamp: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict with a ``type`` tag (see ``event_from_dict``)."""
        return {"type": "standby", **asdict(self)}


@dataclass(frozen=True)
class RejectedEvent:
    """One unusable item of an otherwise valid batch (kept for the dead letters).

    ``path`` names the item in the body (``entry[0].messaging[1]``), ``reason`` says
    what is wrong with it without quoting any value (``"malformed:<path>: expected an
    object"``), ``item`` is the item as decoded JSON (personal data: never logged).
    """

    platform: str
    path: str
    reason: str
    item: Any = field(default=None, repr=False)
    account_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict with a ``type`` tag (see ``event_from_dict``)."""
        return {"type": "rejected", **asdict(self)}


ParsedEvent = Union[InboundEvent, IgnoredEvent, StandbyEvent, RejectedEvent]

_TYPES: dict[str, type] = {"inbound": InboundEvent, "ignored": IgnoredEvent, "standby": StandbyEvent,
                           "rejected": RejectedEvent}


def event_from_dict(data: dict[str, Any]) -> ParsedEvent:
    """Rebuild an event from ``to_dict`` output; unknown keys are dropped.

    Raises ``ValueError`` for an unknown or missing ``type`` tag.
    """
    cls = _TYPES.get(data.get("type", ""))
    if cls is None:
        raise ValueError("unknown event type tag")
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})
