"""What the real platforms would refuse in an outbound request (pure, no I/O).

Each function returns ``None`` for a valid request, else a short reason. Limits from
the platform documentation: Send API text under 2,000 characters, at most 13 quick
replies with titles of at most 20 characters, button templates with 1 to 3 buttons;
X DMs 1 to 10,000 characters with no extra fields (v2 has no quick replies), posts at
most 280 characters. ``oauth1_problem`` checks an OAuth 1.0a HMAC-SHA1 header
(RFC 5849) with the standard library.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from typing import Any, Mapping
from urllib.parse import quote, unquote

__all__ = ["graph_send_problem", "x_dm_problem", "x_post_problem", "oauth1_problem", "parse_oauth_header"]

_ID = re.compile(r"[0-9]{1,19}")
_TAGS = ("HUMAN_AGENT", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE")


def _len16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _title_ok(title: Any) -> bool:
    return isinstance(title, str) and bool(title) and _len16(title) <= 20


def graph_send_problem(body: Any) -> str | None:
    """Problems of a ``POST /me/messages`` body (message, sender action or tagged send)."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    recipient = body.get("recipient")
    if not isinstance(recipient, dict) or not isinstance(recipient.get("id"), str) or not recipient["id"]:
        return "param recipient[id] must be non-empty"
    if "sender_action" in body:
        if body["sender_action"] not in ("typing_on", "typing_off", "mark_seen"):
            return "param sender_action is invalid"
        return "sender_action cannot be sent with message" if "message" in body else None
    messaging_type = body.get("messaging_type", "RESPONSE")
    if messaging_type not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
        return "param messaging_type is invalid"
    tag = body.get("tag")
    if (messaging_type == "MESSAGE_TAG") != (tag is not None) or (tag is not None and tag not in _TAGS):
        return "param tag must be a valid tag exactly when messaging_type is MESSAGE_TAG"
    message = body.get("message")
    if not isinstance(message, dict) or ("text" in message) == ("attachment" in message):
        return "param message must have exactly one of text or attachment"
    if "text" in message:
        text = message["text"]
        if not isinstance(text, str) or not text or _len16(text) >= 2000:
            return "param message[text] must be non-empty and under 2000 characters"
    else:
        problem = _attachment_problem(message["attachment"])
        if problem:
            return problem
    metadata = message.get("metadata")
    if metadata is not None and (not isinstance(metadata, str) or len(metadata) >= 1000):
        return "param message[metadata] must be less than 1000 characters"
    replies = message.get("quick_replies")
    if replies is not None:
        if not isinstance(replies, list) or not 1 <= len(replies) <= 13:
            return "param message[quick_replies] must have 1 to 13 items"
        for reply in replies:
            if not isinstance(reply, dict):
                return "quick reply must be an object"
            if reply.get("content_type") == "text":
                payload = reply.get("payload")
                if not _title_ok(reply.get("title")) or not isinstance(payload, (str, int)) or \
                        not str(payload) or len(str(payload)) > 1000:
                    return "quick reply needs a title of at most 20 characters and a payload"
            elif reply.get("content_type") not in ("user_email", "user_phone_number"):
                return "quick reply content_type is invalid"
    return None


def _attachment_problem(attachment: Any) -> str | None:
    if not isinstance(attachment, dict):
        return "param message[attachment] must be an object"
    if attachment.get("type") != "template":
        return None  # media attachments: accepted as they are
    payload = attachment.get("payload") or {}
    if payload.get("template_type") != "button":
        return None
    text, buttons = payload.get("text"), payload.get("buttons")
    if not isinstance(text, str) or not text or _len16(text) > 640:
        return "button template text must be 1 to 640 characters"
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return "button template takes 1 to 3 buttons"
    for button in buttons:
        if not isinstance(button, dict) or not _title_ok(button.get("title")):
            return "button title must be 1 to 20 characters"
        kind = button.get("type")
        if kind not in ("postback", "web_url") or not button.get("payload" if kind == "postback" else "url"):
            return "button needs type postback with a payload or web_url with a url"
    return None


def x_dm_problem(participant_id: str, body: Any) -> str | None:
    """Problems of ``POST /2/dm_conversations/with/:participant_id/messages``."""
    if not _ID.fullmatch(participant_id or ""):
        return "participant_id is invalid"
    if not isinstance(body, dict):
        return "body must be a JSON object"
    if set(body) - {"text", "attachments"}:
        return "additional properties are not allowed"
    text = body.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > 10_000:
        return "text must be 1 to 10000 characters"
    return None


def x_post_problem(body: Any) -> str | None:
    """Problems of ``POST /2/tweets`` (a reply needs a numeric ``in_reply_to_tweet_id``)."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    text = body.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > 280:
        return "text must be 1 to 280 characters"
    reply = body.get("reply")
    if reply is not None and (not isinstance(reply, dict) or
                              not _ID.fullmatch(str(reply.get("in_reply_to_tweet_id", "")))):
        return "reply.in_reply_to_tweet_id is invalid"
    return None


def _pct(value: str) -> str:
    return quote(value, safe="-._~")


def parse_oauth_header(header: str) -> dict[str, str]:
    """``OAuth k="v", ...`` -> decoded ``{k: v}`` (empty when not OAuth)."""
    if not header.startswith("OAuth "):
        return {}
    return {k: unquote(v) for k, v in re.findall(r'([A-Za-z0-9_]+)="([^"]*)"', header[6:])}


def oauth1_problem(header: str, method: str, url: str, query: Mapping[str, str], *,
                   consumer_key: str, consumer_secret: str, access_token: str, token_secret: str,
                   now: float | None = None) -> str | None:
    """Problems of an OAuth 1.0a user-context ``Authorization`` header for ``url``."""
    oauth = parse_oauth_header(header or "")
    needed = ("oauth_consumer_key", "oauth_signature", "oauth_nonce", "oauth_timestamp", "oauth_token")
    if not all(oauth.get(name) for name in needed) or oauth.get("oauth_signature_method") != "HMAC-SHA1":
        return "missing or incomplete OAuth 1.0a header"
    timestamp = oauth["oauth_timestamp"]
    if not timestamp.isdigit() or abs(int(timestamp) - (time.time() if now is None else now)) > 300:
        return "oauth_timestamp is too far from now"
    if not hmac.compare_digest(oauth["oauth_consumer_key"], consumer_key) or \
            not hmac.compare_digest(oauth["oauth_token"], access_token):
        return "unknown consumer key or access token"
    params = {k: v for k, v in oauth.items() if k not in ("oauth_signature", "realm")}
    params.update(query)
    normalized = "&".join(f"{k}={v}" for k, v in sorted((_pct(k), _pct(v)) for k, v in params.items()))
    base = "&".join((method.upper(), _pct(url), _pct(normalized)))
    key = f"{_pct(consumer_secret)}&{_pct(token_secret)}".encode()
    expected = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()
    if not hmac.compare_digest(expected, oauth["oauth_signature"]):
        return "OAuth signature does not match"
    return None
