"""X direct message events (AAA ``direct_message_events`` and XAA ``dm.*`` payloads)."""
from __future__ import annotations

from typing import Any

from connectors.events import TWITTER, IgnoredEvent, InboundEvent, ParsedEvent
from connectors.structure import as_dict, opt_dict, opt_id, opt_int, opt_str, require_id
from connectors.twitter.common import find_user, remove_urls, user_profile

__all__ = ["parse_dm"]


def _media_items(attachment: dict, path: str) -> list[dict]:
    """``attachment.media`` as a list of objects: X sends one object; some peers send a
    list of them, which is taken as it is (non-objects in it are skipped)."""
    media = attachment.get("media")
    if media is None:
        return []
    if isinstance(media, list):
        return [m for m in media if isinstance(m, dict)]
    return [as_dict(media, f"{path}.attachment.media")]


def _media_attachment(message_data: dict, path: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Structured attachment list and the t.co URLs to remove from the text."""
    attachment = opt_dict(message_data, "attachment", path)
    if not attachment:
        return [], []
    items: list[dict[str, Any]] = []
    urls: list[str] = []
    for media in _media_items(attachment, path) or [{}]:
        item: dict[str, Any] = {
            "type": opt_str(media, "type") or opt_str(attachment, "type") or "media",
            "url": opt_str(media, "media_url_https") or opt_str(media, "media_url"),
        }
        media_id = opt_id(media, "id_str") or opt_id(media, "id")
        if media_id:
            item["id"] = media_id
        expanded = opt_str(media, "expanded_url")
        if expanded:
            item["expanded_url"] = expanded
        items.append(item)
        tco = opt_str(media, "url")
        if tco:
            urls.append(tco)
    return items, urls


def parse_dm(raw: Any, path: str, brand_user_id: str, users: Any,
             extra_meta: dict[str, Any] | None = None) -> ParsedEvent:
    """One ``direct_message_events[]`` item to an event.

    DMs sent by the brand (``sender_id == brand_user_id``, including our own sends
    echoed back) become ``IgnoredEvent("own_dm")``. The chosen quick-reply option's
    label is the text; its ``metadata`` becomes ``payload``.
    """
    event = as_dict(raw, path)
    kind = opt_str(event, "type")
    if kind != "message_create":
        return IgnoredEvent(TWITTER, "unsupported", detail=f"dm:{(kind or 'unknown')[:30]}",
                            platform_event_id=opt_id(event, "id"), account_id=brand_user_id)
    event_id = require_id(event, "id", path)
    create = as_dict(event.get("message_create"), f"{path}.message_create")
    sender = require_id(create, "sender_id", f"{path}.message_create")
    recipient = opt_id(create.get("target"), "recipient_id") or brand_user_id
    timestamp = opt_int(event, "created_timestamp")
    if sender == brand_user_id:
        return IgnoredEvent(TWITTER, "own_dm", platform_event_id=event_id, sender_id=sender,
                            account_id=brand_user_id, timestamp=timestamp,
                            metadata={"recipient_id": recipient})
    data_path = f"{path}.message_create.message_data"
    message_data = as_dict(create.get("message_data"), data_path)
    attachments, media_urls = _media_attachment(message_data, data_path)
    text = opt_str(message_data, "text")
    text = remove_urls(text, media_urls) if text is not None else None
    text = text or None
    quick = opt_dict(message_data, "quick_reply_response", data_path)
    if text is None and not attachments and quick is None:
        return IgnoredEvent(TWITTER, "unsupported", detail="empty_dm", platform_event_id=event_id,
                            sender_id=sender, account_id=brand_user_id, timestamp=timestamp)
    meta: dict[str, Any] = {"public": False, **user_profile(find_user(users, sender))}
    payload = None
    if quick is not None:
        payload = opt_str(quick, "metadata")
        meta["quick_reply_response"] = {"type": opt_str(quick, "type"), "metadata": payload}
    initiated = opt_dict(create, "initiated_via", f"{path}.message_create")
    if initiated:
        meta["initiated_via"] = {k: str(v) for k, v in initiated.items()
                                 if k in ("tweet_id", "welcome_message_id") and v is not None}
    source_app = opt_id(create, "source_app_id")
    if source_app:
        meta["source_app_id"] = source_app
    meta.update(extra_meta or {})
    return InboundEvent(TWITTER, "quick_reply" if quick is not None else "message", event_id,
                        sender, recipient, account_id=brand_user_id, thread_id=sender,
                        text=text, payload=payload, attachments=attachments,
                        timestamp=timestamp, metadata=meta)
