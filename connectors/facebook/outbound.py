"""Messenger Send API request bodies (pure, no I/O).

Limits (platforms.md B.5): ``message.text`` under 2,000 characters, at most 13 quick
replies with titles up to 20 characters and payloads up to 1,000, ``metadata`` under
1,000 characters, a button template holds up to 3 buttons. The 640-character text of
a button template is from Meta's template reference (recalled, not re-read here).
Lengths are measured in UTF-16 code units, which is never less than the character
count, so a chunk that fits here fits however Meta counts.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from connectors.text import split_text, utf16_len

__all__ = [
    "TEXT_LIMIT",
    "QUICK_REPLY_MAX",
    "QUICK_REPLY_TITLE_LIMIT",
    "PAYLOAD_LIMIT",
    "METADATA_LIMIT",
    "BUTTON_MAX",
    "BUTTON_TEXT_LIMIT",
    "MESSAGING_TYPES",
    "MESSAGE_TAGS",
    "SENDER_ACTIONS",
    "split_text",
    "truncate_title",
    "build_quick_replies",
    "build_buttons",
    "build_text_messages",
    "build_button_messages",
    "message_request",
    "sender_action_request",
]

TEXT_LIMIT = 1999  # "less than 2000 characters"
QUICK_REPLY_MAX = 13
QUICK_REPLY_TITLE_LIMIT = 20
BUTTON_TITLE_LIMIT = 20
PAYLOAD_LIMIT = 1000
METADATA_LIMIT = 999  # "less than 1000 characters"
BUTTON_MAX = 3
BUTTON_TEXT_LIMIT = 640
MESSAGING_TYPES = frozenset({"RESPONSE", "UPDATE", "MESSAGE_TAG"})
MESSAGE_TAGS = frozenset({"HUMAN_AGENT", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE"})
SENDER_ACTIONS = frozenset({"typing_on", "typing_off", "mark_seen"})
_SPECIAL_QUICK_REPLIES = frozenset({"user_email", "user_phone_number"})


def truncate_title(title: str, limit: int = QUICK_REPLY_TITLE_LIMIT) -> str:
    """``title`` stripped and, when longer than ``limit``, cut to ``limit`` with "…"."""
    title = " ".join(str(title).split())
    if utf16_len(title) <= limit:
        return title
    kept = title
    while kept and utf16_len(kept) > limit - 1:
        kept = kept[:-1]
    return kept.rstrip() + "\u2026"


def _payload(option: Mapping[str, Any], title: str) -> str:
    payload = option.get("payload")
    payload = title if payload is None else str(payload)
    if not payload:
        raise ValueError("option payload is empty")
    if len(payload) > PAYLOAD_LIMIT:
        raise ValueError(f"option payload longer than {PAYLOAD_LIMIT} characters")
    return payload


def build_quick_replies(options: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Messenger ``quick_replies`` from ``{"title", "payload"}`` options.

    Keeps the first 13, truncates titles to 20 characters, uses the title as payload
    when none is given. ``{"content_type": "user_email"}`` / ``"user_phone_number"``
    pass through. Raises ``ValueError`` for an empty title or a payload over 1,000
    characters (a payload cannot be cut without breaking what it names).
    """
    replies: list[dict[str, str]] = []
    for option in options:
        if len(replies) == QUICK_REPLY_MAX:
            break
        content_type = option.get("content_type", "text")
        if content_type in _SPECIAL_QUICK_REPLIES:
            replies.append({"content_type": content_type})
            continue
        title = truncate_title(option.get("title") or "")
        if not title:
            raise ValueError("quick reply title is empty")
        reply = {"content_type": "text", "title": title, "payload": _payload(option, title)}
        if option.get("image_url"):
            reply["image_url"] = str(option["image_url"])
        replies.append(reply)
    return replies


def build_buttons(buttons: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Template buttons: ``{"title", "url"}`` -> web_url, ``{"title", "payload"}`` -> postback."""
    result: list[dict[str, str]] = []
    for button in buttons:
        title = truncate_title(button.get("title") or "", BUTTON_TITLE_LIMIT)
        if not title:
            raise ValueError("button title is empty")
        if button.get("url"):
            result.append({"type": "web_url", "title": title, "url": str(button["url"])})
        else:
            result.append({"type": "postback", "title": title, "payload": _payload(button, title)})
    return result


def _check_metadata(metadata: str | None) -> None:
    if metadata is not None and len(metadata) > METADATA_LIMIT:
        raise ValueError(f"metadata longer than {METADATA_LIMIT} characters")


def build_text_messages(
    text: str,
    *,
    quick_replies: Iterable[Mapping[str, Any]] | None = None,
    metadata: str | None = None,
) -> list[dict[str, Any]]:
    """``message`` objects for ``text``: split under 2,000 characters, in order.

    Quick replies go on the last chunk only; ``metadata`` on every chunk (it comes back
    in each echo). Raises ``ValueError`` for blank text.
    """
    _check_metadata(metadata)
    chunks = split_text(text or "", TEXT_LIMIT, measure=utf16_len)
    if not chunks:
        raise ValueError("message text is empty")
    messages: list[dict[str, Any]] = [{"text": chunk} for chunk in chunks]
    replies = build_quick_replies(quick_replies) if quick_replies else []
    if replies:
        messages[-1]["quick_replies"] = replies
    if metadata is not None:
        for message in messages:
            message["metadata"] = metadata
    return messages


def build_button_messages(
    text: str, buttons: Iterable[Mapping[str, Any]], *, metadata: str | None = None
) -> list[dict[str, Any]]:
    """``message`` objects for text with buttons.

    Up to 3 buttons: a button template whose text is the last part of ``text`` (at most
    640 characters), earlier parts sent as plain text first. More than 3: postback
    buttons become quick replies (Rasa's stock channel drops them to plain text) and
    link buttons become "title: url" lines appended to the text.
    """
    buttons = list(buttons)
    if not buttons:
        return build_text_messages(text, metadata=metadata)
    if len(buttons) > BUTTON_MAX:
        links = [b for b in buttons if b.get("url")]
        postbacks = [b for b in buttons if not b.get("url")]
        lines = [f"{' '.join(str(b.get('title') or '').split())}: {b['url']}" for b in links]
        full = "\n".join([text.strip(), *lines]) if lines else text
        return build_text_messages(full, quick_replies=postbacks or None, metadata=metadata)
    _check_metadata(metadata)
    template_buttons = build_buttons(buttons)
    chunks = split_text(text or "", TEXT_LIMIT, measure=utf16_len)
    if not chunks:
        raise ValueError("button template text is empty")
    last = chunks.pop()
    tail = split_text(last, BUTTON_TEXT_LIMIT, measure=utf16_len)[-1]
    before = last[: last.rfind(tail)].rstrip()
    if before:
        chunks.append(before)
    messages: list[dict[str, Any]] = [{"text": chunk} for chunk in chunks]
    messages.append(
        {
            "attachment": {
                "type": "template",
                "payload": {"template_type": "button", "text": tail, "buttons": template_buttons},
            }
        }
    )
    if metadata is not None:
        for message in messages:
            message["metadata"] = metadata
    return messages


def message_request(psid: str, message: Mapping[str, Any], *, tag: str | None = None) -> dict[str, Any]:
    """Send API body: ``RESPONSE`` by default; a tag (e.g. ``HUMAN_AGENT``, which only a
    human-typed reply may carry) gives ``messaging_type: MESSAGE_TAG`` plus ``tag``."""
    if not psid:
        raise ValueError("recipient id is empty")
    body: dict[str, Any] = {"recipient": {"id": str(psid)}, "messaging_type": "RESPONSE", "message": dict(message)}
    if tag is not None:
        if tag not in MESSAGE_TAGS:
            raise ValueError(f"unknown message tag {tag!r}")
        body["messaging_type"] = "MESSAGE_TAG"
        body["tag"] = tag
    return body


def sender_action_request(psid: str, action: str) -> dict[str, Any]:
    """Sender action body (no ``message``): ``typing_on``, ``typing_off`` or ``mark_seen``."""
    if not psid:
        raise ValueError("recipient id is empty")
    if action not in SENDER_ACTIONS:
        raise ValueError(f"unknown sender action {action!r}")
    return {"recipient": {"id": str(psid)}, "sender_action": action}
