"""The channel vocabulary: which kind of conversation a message belongs to, and the typed
metadata the intake puts on every Rasa message. Pure.

The kind is derived here only (`channel_kind`); the intake writes it into the message
metadata (`TurnMetadata.as_metadata`), everyone else reads it back with `channel_kind`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple

__all__ = ["ChannelKind", "TurnMetadata", "channel_kind", "TYPED_KEYS"]

FACEBOOK_INPUT = "facebook"
TWITTER_INPUT = "twitter"
# The metadata keys `TurnMetadata` has a field for; every other key goes to `extra`.
TYPED_KEYS = ("channel", "platform", "kind", "public", "platform_event_id", "user_id", "account_id",
              "thread_id", "timestamp", "attachments", "payload", "option_payload", "author_handle",
              "author_name", "author_followers")


class ChannelKind:
    """The channel kinds. Plain strings (not an Enum): they travel in JSON, Redis and dict
    keys, and compare and hash like the text stored there."""

    TWITTER_DM = "twitter_dm"
    TWITTER_MENTION = "twitter_mention"
    MESSENGER = "messenger"
    REST = "rest"
    ALL: Tuple[str, ...] = (TWITTER_DM, TWITTER_MENTION, MESSENGER, REST)
    PLATFORM: Tuple[str, ...] = (TWITTER_DM, TWITTER_MENTION, MESSENGER)


def channel_kind(input_channel: Optional[str], metadata: Optional[Mapping[str, Any]]) -> str:
    """Map Rasa's input channel name and message metadata to a channel kind.

    `twitter` is a DM unless the metadata marks a public mention; `facebook` is Messenger;
    anything else (REST, the shell, tests) is `rest`. Metadata may also carry an explicit
    `channel` (as the intake, `socialcare route` and the sandbox do).
    """
    meta = metadata or {}
    explicit = meta.get("channel")
    if explicit in ChannelKind.PLATFORM:
        return str(explicit)
    if input_channel == TWITTER_INPUT:
        return ChannelKind.TWITTER_MENTION if meta.get("public") else ChannelKind.TWITTER_DM
    if input_channel == FACEBOOK_INPUT:
        return ChannelKind.MESSENGER
    return ChannelKind.REST


def _text_or_none(value: Any) -> Optional[str]:
    return None if value is None else str(value)


@dataclass(frozen=True)
class TurnMetadata:
    """What the intake tells the assistant about one inbound message, beside its text.

    `platform` is the platform (``facebook`` / ``twitter``, Rasa's input channel name),
    `kind` the event kind (``message``, ``postback``, ``mention`` ...), the ids are the
    platform's. `author_*` come with X posts. `extra` holds the other platform details
    (``tweet_id``, ``original_text``, ``referral``, ``quick_reply_response`` ...).
    """

    channel: str
    platform: str
    kind: str
    public: bool = False
    platform_event_id: Optional[str] = None
    user_id: Optional[str] = None
    account_id: Optional[str] = None
    thread_id: Optional[str] = None
    timestamp: Optional[int] = None
    attachments: Tuple[Dict[str, Any], ...] = ()
    payload: Optional[str] = field(default=None, repr=False)
    option_payload: Optional[str] = field(default=None, repr=False)
    author_handle: Optional[str] = None
    author_name: Optional[str] = None
    author_followers: Optional[int] = None
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def as_metadata(self) -> Dict[str, Any]:
        """The JSON-ready dict for ``UserMessage.metadata`` (optional ids only when set)."""
        out: Dict[str, Any] = dict(self.extra)
        out.update({
            "public": self.public,
            "channel": self.channel,
            "platform": self.platform,
            "kind": self.kind,
            "platform_event_id": self.platform_event_id,
            "user_id": self.user_id,
            "account_id": self.account_id,
            "thread_id": self.thread_id,
            "timestamp": self.timestamp,
            "attachments": [dict(item) for item in self.attachments],
        })
        for name in ("payload", "option_payload", "author_handle", "author_name", "author_followers"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out

    @classmethod
    def from_metadata(cls, metadata: Optional[Mapping[str, Any]],
                      input_channel: Optional[str] = None) -> "TurnMetadata":
        """Read message metadata back (any message: the intake's, REST's, none at all)."""
        meta = dict(metadata or {})
        followers = meta.get("author_followers")
        raw_attachments = meta.get("attachments")
        attachments = raw_attachments if isinstance(raw_attachments, list) else []
        timestamp = meta.get("timestamp")
        return cls(
            channel=channel_kind(input_channel, meta),
            platform=str(meta.get("platform") or input_channel or ""),
            kind=str(meta.get("kind") or "message"),
            public=meta.get("public") is True,
            platform_event_id=_text_or_none(meta.get("platform_event_id")),
            user_id=_text_or_none(meta.get("user_id")),
            account_id=_text_or_none(meta.get("account_id")),
            thread_id=_text_or_none(meta.get("thread_id")),
            timestamp=timestamp if isinstance(timestamp, int) else None,
            attachments=tuple(dict(a) for a in attachments if isinstance(a, Mapping)),
            payload=_text_or_none(meta.get("payload")),
            option_payload=_text_or_none(meta.get("option_payload")),
            author_handle=_text_or_none(meta.get("author_handle")),
            author_name=_text_or_none(meta.get("author_name")),
            author_followers=followers if isinstance(followers, int) and not isinstance(followers, bool) else None,
            extra={k: v for k, v in meta.items() if k not in TYPED_KEYS},
        )
