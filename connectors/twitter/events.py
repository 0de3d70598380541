"""X (Twitter) webhooks: CRC, signature check and parsing of whole deliveries (pure).

Two body formats are accepted on the same webhook URL:

* Account Activity API (AAA): ``{"for_user_id": ..., "direct_message_events": [...],
  "users": {...}}``, ``{"tweet_create_events": [...]}`` and other ``*_events`` keys.
* X Activity API (XAA): ``{"data": {"event_uuid", "filter": {"user_id"}, "event_type",
  "payload", "includes"}}`` with ``dm.received``, ``post.mention.create`` and others.

Call order in an HTTP handler: ``verify_signature`` on the raw bytes, decode JSON,
``parse_webhook``. The CRC GET is answered with ``crc_response``.
"""
from __future__ import annotations

import base64
from functools import partial
from typing import Any, Callable

from connectors.events import TWITTER, IgnoredEvent, ParsedEvent
from connectors.security import (
    ConfigurationError,
    MalformedPayload,
    VerificationError,
    hmac_sha256,
    verify_base64_signature,
)
from connectors.structure import as_dict, as_list, opt_dict, opt_id, opt_int, opt_str, per_item
from connectors.twitter.dms import parse_dm
from connectors.twitter.tweets import parse_v1_tweet, parse_v2_post

__all__ = ["SIGNATURE_HEADER", "crc_response", "verify_signature", "parse_webhook"]

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
_AAA_META_KEYS = frozenset({"for_user_id", "users", "apps", "user_has_blocked", "is_blocked_by"})
_AAA_SIMPLE = {  # event key -> IgnoredEvent reason
    "direct_message_indicate_typing_events": "typing",
    "direct_message_mark_read_events": "read",
}
_XAA_SIMPLE = {"dm.read": "read", "dm.indicate_typing": "typing"}
_XAA_ADDRESSED_POSTS = frozenset({"post.mention.create", "post.reply.create"})
_MAX_CRC_TOKEN = 1024
REVOKE = "revoke"  # IgnoredEvent reason: a user revoked our app (sender_id: that user)


def crc_response(consumer_secret: str, crc_token: str | None) -> dict[str, str]:
    """Answer X's ``GET ?crc_token=...``: ``{"response_token": "sha256=<base64>"}``.

    The HMAC-SHA256 is keyed with the app consumer secret (not a bearer or access
    token). Raises ``VerificationError`` for a missing or oversized token (answer 400)
    and ``ConfigurationError`` when the secret is empty.
    """
    if not consumer_secret:
        raise ConfigurationError("consumer secret is not configured")
    if not isinstance(crc_token, str) or not crc_token or len(crc_token) > _MAX_CRC_TOKEN:
        raise VerificationError("crc_token missing or malformed")
    digest = hmac_sha256(consumer_secret, crc_token.encode("utf-8"))
    return {"response_token": "sha256=" + base64.b64encode(digest).decode("ascii")}


def verify_signature(consumer_secret: str, raw_body: bytes, header: str | None) -> None:
    """Verify ``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256>`` over raw bytes.

    For a POST the message is the raw request body. The same check works for the
    signed CRC GET, whose message is the raw query string (``crc_token=..&nonce=..``).
    Raises ``SignatureError`` on a missing, malformed or wrong header and
    ``ConfigurationError`` when ``consumer_secret`` is empty.
    """
    verify_base64_signature(consumer_secret, raw_body, header)


def parse_webhook(body: Any, brand_user_id: str) -> list[ParsedEvent]:
    """Parse a decoded AAA or XAA delivery for the brand account ``brand_user_id``.

    Returns events in delivery order. Deliveries for another subscribed account give
    ``IgnoredEvent("other_account")``; unknown event keys/types give
    ``IgnoredEvent("unsupported")``. Raises ``MalformedPayload`` only when the body is
    not an object or its XAA ``data`` is neither an object nor an array; below that
    every item stands alone: an unusable one (a DM without ``sender_id``, a post whose
    user has no ``id_str``, a ``*_events`` value that is not an array) becomes a
    ``RejectedEvent`` naming its path and the other items are parsed as usual.
    """
    if not brand_user_id:
        raise ConfigurationError("brand user id is not configured")
    root = as_dict(body, "body")
    if "data" in root and "for_user_id" not in root:
        data = root["data"]
        if isinstance(data, list):
            events: list[ParsedEvent] = []
            for i, item in enumerate(data):
                events.extend(per_item(TWITTER, f"data[{i}]", item,
                                       partial(_xaa, item, f"data[{i}]", brand_user_id), brand_user_id))
            return events
        as_dict(data, "data")
        return per_item(TWITTER, "data", data, partial(_xaa, data, "data", brand_user_id), brand_user_id)
    return _aaa(root, brand_user_id)


def _aaa(root: dict, brand: str) -> list[ParsedEvent]:
    for_user = opt_id(root, "for_user_id")
    event_keys = [k for k in root if k not in _AAA_META_KEYS]
    if for_user is not None and for_user != brand:
        return [IgnoredEvent(TWITTER, "other_account", detail=k[:40], account_id=for_user)
                for k in event_keys]
    events: list[ParsedEvent] = []
    for key in event_keys:
        events.extend(per_item(TWITTER, key, root[key], partial(_aaa_key, root, key, brand), brand))
    return events


def _aaa_key(root: dict, key: str, brand: str) -> list[ParsedEvent]:
    value = root[key]
    if key == "direct_message_events":
        return _each(value, key, brand, lambda item, path: parse_dm(item, path, brand, root.get("users")))
    if key == "tweet_create_events":
        return _each(value, key, brand, lambda item, path: parse_v1_tweet(item, path, brand))
    if key == "user_event":  # {"revoke": {"date_time", "target": {"app_id"}, "source": {"user_id"}}}
        revoke = opt_dict(as_dict(value, key), "revoke", key)
        source = opt_dict(revoke, "source", f"{key}.revoke") if revoke is not None else None
        return [revoke_event(opt_id(source, "user_id"), key, brand)]
    if key in _AAA_SIMPLE:
        def simple(item: Any, path: str) -> ParsedEvent:
            item = as_dict(item, path)
            return IgnoredEvent(TWITTER, _AAA_SIMPLE[key], detail=key, sender_id=opt_id(item, "sender_id"),
                                account_id=brand, timestamp=opt_int(item, "created_timestamp"))
        return _each(value, key, brand, simple)
    items = value if isinstance(value, list) else [value]
    return [IgnoredEvent(TWITTER, "unsupported", detail=key[:40], account_id=brand) for _ in items]


def revoke_event(user_id: str | None, detail: str, brand: str, uuid: str | None = None) -> ParsedEvent:
    """X's revoke (AAA ``user_event.revoke``, XAA ``oauth.revoke``): a user withdrew our
    app's access, so their data is erased: ``IgnoredEvent("revoke", sender_id=user)``,
    which `connectors.intake.erasures.record_erasures` turns into an erasure request.
    Without a user id, or for the brand account itself, nobody is erased (``unsupported``)."""
    if not user_id or user_id == brand:
        return IgnoredEvent(TWITTER, "unsupported", detail=detail[:40], platform_event_id=uuid, account_id=brand)
    return IgnoredEvent(TWITTER, REVOKE, detail=detail[:40], platform_event_id=uuid, sender_id=user_id,
                        account_id=brand)


def _each(value: Any, path: str, brand: str, parse: Callable[[Any, str], ParsedEvent]) -> list[ParsedEvent]:
    """Every item of the array ``value`` through ``parse``, each one on its own."""
    events: list[ParsedEvent] = []
    for i, item in enumerate(as_list(value, path)):
        item_path = f"{path}[{i}]"
        events.extend(per_item(TWITTER, item_path, item, partial(_one, parse, item, item_path), brand))
    return events


def _one(parse: Callable[[Any, str], ParsedEvent], item: Any, path: str) -> list[ParsedEvent]:
    return [parse(item, path)]


def _xaa(raw: Any, path: str, brand: str) -> list[ParsedEvent]:
    data = as_dict(raw, path)
    event_type = opt_str(data, "event_type")
    if not event_type:
        raise MalformedPayload(f"{path}.event_type", "expected a non-empty string")
    filter_user = opt_id(data.get("filter"), "user_id")
    if filter_user is not None and filter_user != brand:
        return [IgnoredEvent(TWITTER, "other_account", detail=event_type[:40], account_id=filter_user)]
    uuid = opt_id(data, "event_uuid")
    extra = {"event_uuid": uuid, "event_type": event_type}
    payload_path = f"{path}.payload"
    if event_type in ("dm.received", "dm.sent"):
        payload = as_dict(data.get("payload"), payload_path)
        key = f"{payload_path}.direct_message_events"
        users = payload.get("users")
        return _each(payload.get("direct_message_events"), key, brand,
                     lambda item, item_path: parse_dm(item, item_path, brand, users, extra))
    if event_type == "oauth.revoke":  # payload {"date_time", "user_id", "app_id"}
        return [revoke_event(opt_id(opt_dict(data, "payload", path), "user_id"), event_type, brand, uuid)]
    if event_type in _XAA_SIMPLE:
        return [IgnoredEvent(TWITTER, _XAA_SIMPLE[event_type], detail=event_type,
                             platform_event_id=uuid, account_id=brand)]
    if event_type in _XAA_ADDRESSED_POSTS or event_type == "post.create":
        includes = opt_dict(data, "includes", path)
        return [parse_v2_post(data.get("payload"), payload_path, brand, includes,
                              addressed=event_type in _XAA_ADDRESSED_POSTS, extra_meta=extra)]
    return [IgnoredEvent(TWITTER, "unsupported", detail=event_type[:40], platform_event_id=uuid,
                         account_id=brand)]
