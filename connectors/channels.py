"""Names of the conversation channels, as the routing decision sees them. Pure."""
from __future__ import annotations

from typing import Any, Mapping, Optional


def channel_kind(input_channel: Optional[str], metadata: Optional[Mapping[str, Any]]) -> str:
    """Map Rasa's input channel name and message metadata to a routing channel.

    `twitter` is a DM unless the metadata marks a public mention; `facebook` is Messenger;
    anything else (REST, the shell, tests) is `rest`. Metadata may also carry an explicit
    `channel` (as `socialcare route` and the sandbox do).
    """
    meta = metadata or {}
    explicit = meta.get("channel")
    if explicit in ("twitter_dm", "twitter_mention", "messenger"):
        return str(explicit)
    if input_channel == "twitter":
        return "twitter_mention" if meta.get("public") else "twitter_dm"
    if input_channel == "facebook":
        return "messenger"
    return "rest"
