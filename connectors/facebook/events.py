"""Messenger webhooks: verification and parsing of whole batches (pure, no I/O).

Call order in an HTTP handler: ``verify_signature`` on the raw bytes, then decode JSON,
then ``parse_webhook``. Every ``entry`` and every ``messaging``/``standby``/``changes``
item is turned into exactly one event, in delivery order.
"""
from __future__ import annotations

import re
from functools import partial
from typing import Any, Mapping

from connectors.events import FACEBOOK, IgnoredEvent, InboundEvent, ParsedEvent, StandbyEvent
from connectors.facebook.attachments import normalize_attachments
from connectors.security import (
    ConfigurationError,
    UnsupportedObject,
    VerificationError,
    constant_time_equals,
    verify_hex_signature,
)
from connectors.structure import (
    as_dict,
    as_list,
    opt_dict,
    opt_id,
    opt_int,
    opt_list,
    opt_str,
    per_item,
    require_id,
    stable_id,
)

__all__ = ["SIGNATURE_HEADER", "verify_signature", "verify_subscription", "parse_webhook"]

SIGNATURE_HEADER = "X-Hub-Signature-256"
HANDOVER_KEYS = ("pass_thread_control", "take_thread_control", "request_thread_control")
_ENVELOPE_KEYS = frozenset({"sender", "recipient", "timestamp"})
# Documented messaging items that identify no sender (handover roles, policy notices,
# checkbox-plugin opt-ins that only carry ``optin.user_ref``): silently not answered.
NO_SENDER_EVENTS = ("app_roles", "policy_enforcement", "policy-enforcement", "optin")
# Meta documents hub.challenge as an int; allow plain tokens, refuse anything that
# could turn the reflected value into markup.
_CHALLENGE = re.compile(r"[A-Za-z0-9._~-]{1,512}")


def verify_signature(app_secret: str, raw_body: bytes, header: str | None) -> None:
    """Verify ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw_body)>``.

    Hash the raw bytes exactly as received (Meta signs its ``\\uXXXX``-escaped JSON).
    Raises ``SignatureError`` on a missing, malformed or wrong header and
    ``ConfigurationError`` when ``app_secret`` is empty. The legacy SHA-1
    ``X-Hub-Signature`` header is not accepted.
    """
    verify_hex_signature(app_secret, raw_body, header)


def _param(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if isinstance(value, (list, tuple)):
        value = value[0] if len(value) == 1 else None
    return value if isinstance(value, str) else None


def verify_subscription(params: Mapping[str, Any], verify_token: str) -> str:
    """Answer Meta's ``GET ?hub.mode=subscribe&hub.verify_token=..&hub.challenge=..``.

    Returns the ``hub.challenge`` to send back (as ``text/plain``) when ``hub.mode`` is
    ``subscribe`` and the token matches in constant time. Raises ``VerificationError``
    otherwise (answer 403) and ``ConfigurationError`` when no token is configured.
    Query values may be strings or single-item lists.
    """
    if not verify_token:
        raise ConfigurationError("verify token is not configured")
    if _param(params, "hub.mode") != "subscribe":
        raise VerificationError("hub.mode is not subscribe")
    token = _param(params, "hub.verify_token")
    if token is None or not constant_time_equals(token, verify_token):
        raise VerificationError("hub.verify_token does not match")
    challenge = _param(params, "hub.challenge")
    if challenge is None or not _CHALLENGE.fullmatch(challenge):
        raise VerificationError("hub.challenge missing or malformed")
    return challenge


def parse_webhook(body: Any) -> list[ParsedEvent]:
    """Parse a decoded Messenger webhook body into events, preserving order.

    Only ``object == "page"`` is handled; anything else raises ``UnsupportedObject``.
    A body that is not an object or has no ``entry`` array raises ``MalformedPayload``.
    Below that every item stands alone: an unusable entry, list or ``messaging`` item
    (for example ``entry[0].messaging[1]`` without a sender) becomes a ``RejectedEvent``
    naming its path, and the other items are parsed as usual. Documented events that
    carry no sender (``app_roles``, ``policy_enforcement``, a checkbox ``optin`` with
    only ``user_ref``) are ``IgnoredEvent("unsupported")``.
    """
    root = as_dict(body, "body")
    if root.get("object") != "page":
        raise UnsupportedObject(root.get("object"))
    events: list[ParsedEvent] = []
    for e_index, raw_entry in enumerate(as_list(root.get("entry"), "entry")):
        path = f"entry[{e_index}]"
        events.extend(per_item(FACEBOOK, path, raw_entry, partial(_entry, raw_entry, path),
                               opt_id(raw_entry, "id")))
    return events


def _entry(raw_entry: Any, path: str) -> list[ParsedEvent]:
    entry = as_dict(raw_entry, path)
    page_id = opt_id(entry, "id")
    events: list[ParsedEvent] = []
    for key, standby in (("messaging", False), ("standby", True)):
        events.extend(per_item(FACEBOOK, f"{path}.{key}", entry.get(key),
                               partial(_items, entry, key, path, page_id, standby), page_id))
    events.extend(per_item(FACEBOOK, f"{path}.changes", entry.get("changes"),
                           partial(_changes, entry, path, page_id), page_id))
    return events


def _items(entry: dict, key: str, path: str, page_id: str | None, standby: bool) -> list[ParsedEvent]:
    entry_time = opt_int(entry, "time")
    events: list[ParsedEvent] = []
    for i, item in enumerate(opt_list(entry, key, path)):
        item_path = f"{path}.{key}[{i}]"
        events.extend(per_item(FACEBOOK, item_path, item,
                               partial(_one_item, item, item_path, page_id, entry_time, standby), page_id))
    return events


def _changes(entry: dict, path: str, page_id: str | None) -> list[ParsedEvent]:
    events: list[ParsedEvent] = []
    for change in opt_list(entry, "changes", path):
        field_name = opt_str(change if isinstance(change, dict) else None, "field") or "unknown"
        events.append(IgnoredEvent(FACEBOOK, "unsupported", detail=f"changes:{field_name[:40]}",
                                   account_id=page_id))
    return events


def _one_item(raw: Any, path: str, page_id: str | None, entry_time: int | None,
              standby: bool) -> list[ParsedEvent]:
    return [_item(raw, path, page_id, entry_time, standby)]


def _item(raw: Any, path: str, page_id: str | None, entry_time: int | None,
          standby: bool) -> ParsedEvent:
    item = as_dict(raw, path)
    if not isinstance(item.get("sender"), dict):
        senderless = next((k for k in NO_SENDER_EVENTS if k in item), None)
        if senderless is not None:
            notice = item.get(senderless) if isinstance(item.get(senderless), dict) else {}
            meta = {"action": opt_str(notice, "action")} if senderless.startswith("policy") else {}
            return IgnoredEvent(FACEBOOK, "unsupported", detail=senderless.replace("-", "_"),
                                account_id=page_id, timestamp=opt_int(item, "timestamp") or entry_time,
                                metadata=meta)
    ctx = {
        "sender": require_id(item.get("sender"), "id", f"{path}.sender"),
        "recipient": opt_id(item.get("recipient"), "id") or page_id,
        "page": page_id,
        "ts": opt_int(item, "timestamp") or entry_time,
        "standby": standby,
    }
    if "message" in item:
        return _message(as_dict(item["message"], f"{path}.message"), path, ctx)
    if "postback" in item:
        return _postback(as_dict(item["postback"], f"{path}.postback"), ctx)
    if "delivery" in item:
        delivery = as_dict(item["delivery"], f"{path}.delivery")
        mids = [m for m in opt_list(delivery, "mids", f"{path}.delivery") if isinstance(m, str)]
        receipt: dict[str, Any] = {"mids": mids, "watermark": opt_int(delivery, "watermark")}
        return _ignored("delivery", ctx, meta=receipt)
    if "read" in item:
        read = as_dict(item["read"], f"{path}.read")
        return _ignored("read", ctx, meta={"watermark": opt_int(read, "watermark")})
    for key in HANDOVER_KEYS:
        if key in item:
            return _handover(key, as_dict(item[key], f"{path}.{key}"), ctx)
    if "referral" in item and not standby:
        return _referral(as_dict(item["referral"], f"{path}.referral"), ctx)
    other = next((k for k in item if k not in _ENVELOPE_KEYS), None)
    if standby:
        return _standby("unknown", ctx, meta={"event": other[:40]} if other else {})
    return _ignored("unsupported", ctx, detail=(other or "empty")[:40])


def _ignored(reason: str, ctx: dict, *, detail: str | None = None, event_id: str | None = None,
             meta: dict | None = None) -> IgnoredEvent:
    return IgnoredEvent(FACEBOOK, reason, detail=detail, platform_event_id=event_id,
                        sender_id=ctx["sender"], account_id=ctx["page"], timestamp=ctx["ts"],
                        metadata=meta or {})


def _standby(kind: str, ctx: dict, *, event_id: str | None = None, text: str | None = None,
             payload: str | None = None, attachments: list | None = None,
             meta: dict | None = None) -> StandbyEvent:
    return StandbyEvent(FACEBOOK, kind, ctx["sender"], ctx["recipient"], account_id=ctx["page"],
                        platform_event_id=event_id, text=text, payload=payload,
                        attachments=attachments or [], timestamp=ctx["ts"],
                        metadata={"public": False, **(meta or {})})


def _referral_meta(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    keys = ("ref", "source", "type", "ad_id", "referer_uri")
    return {k: raw[k] for k in keys if isinstance(raw.get(k), (str, int)) and not isinstance(raw.get(k), bool)}


def _message(message: dict, path: str, ctx: dict) -> ParsedEvent:
    mid = opt_str(message, "mid")
    if message.get("is_echo") is True:
        echo = {"app_id": opt_id(message, "app_id"), "mid": mid,
                "recipient_id": ctx["recipient"], "send_metadata": opt_str(message, "metadata")}
        if ctx["standby"]:
            attachments = normalize_attachments(message.get("attachments"), f"{path}.message.attachments")
            return _standby("echo", ctx, event_id=mid, text=opt_str(message, "text") or None,
                            attachments=attachments, meta=echo)
        return _ignored("echo", ctx, event_id=mid, meta=echo)
    text = opt_str(message, "text") or None
    attachments = normalize_attachments(message.get("attachments"), f"{path}.message.attachments")
    quick_reply = opt_dict(message, "quick_reply", f"{path}.message")
    payload = opt_str(quick_reply, "payload") if quick_reply is not None else None
    kind = "quick_reply" if quick_reply is not None else "message"
    if text is None and not attachments and quick_reply is None:
        return _ignored("unsupported", ctx, detail="empty_message", event_id=mid)
    event_id = mid or stable_id("fbmsg", ctx["sender"], ctx["ts"], text, payload)
    meta: dict[str, Any] = {"public": False}
    reply_to = opt_dict(message, "reply_to", f"{path}.message")
    if reply_to and opt_str(reply_to, "mid"):
        meta["reply_to_mid"] = reply_to["mid"]
    referral = _referral_meta(message.get("referral"))
    if referral:
        meta["referral"] = referral
    if quick_reply is not None:
        meta["quick_reply"] = {"payload": payload}
    if ctx["standby"]:
        return _standby(kind, ctx, event_id=event_id, text=text, payload=payload,
                        attachments=attachments, meta=meta)
    return InboundEvent(FACEBOOK, kind, event_id, ctx["sender"], ctx["recipient"],
                        account_id=ctx["page"], thread_id=ctx["sender"], text=text,
                        payload=payload, attachments=attachments, timestamp=ctx["ts"],
                        metadata=meta)


def _postback(postback: dict, ctx: dict) -> ParsedEvent:
    payload = opt_str(postback, "payload")
    title = opt_str(postback, "title") or None
    event_id = opt_str(postback, "mid") or stable_id("fbpostback", ctx["sender"], ctx["ts"], payload)
    meta: dict[str, Any] = {"public": False, "title": title}
    referral = _referral_meta(postback.get("referral"))
    if referral:
        meta["referral"] = referral
    if ctx["standby"]:
        return _standby("postback", ctx, event_id=event_id, text=title, payload=payload, meta=meta)
    return InboundEvent(FACEBOOK, "postback", event_id, ctx["sender"], ctx["recipient"],
                        account_id=ctx["page"], thread_id=ctx["sender"], text=title,
                        payload=payload, timestamp=ctx["ts"], metadata=meta)


def _referral(referral: dict, ctx: dict) -> InboundEvent:
    meta = _referral_meta(referral) or {}
    ref = meta.get("ref")
    event_id = stable_id("fbreferral", ctx["sender"], ctx["ts"], ref, meta.get("source"))
    return InboundEvent(FACEBOOK, "referral", event_id, ctx["sender"], ctx["recipient"],
                        account_id=ctx["page"], thread_id=ctx["sender"], text=None,
                        payload=str(ref) if ref is not None else None, timestamp=ctx["ts"],
                        metadata={"public": False, "referral": meta})


def _handover(action: str, body: dict, ctx: dict) -> IgnoredEvent:
    details: dict[str, Any] = {"action": action}
    for key in ("new_owner_app_id", "previous_owner_app_id", "requested_owner_app_id"):
        value = opt_id(body, key)
        if value is not None:
            details[key] = value
    details["metadata"] = opt_str(body, "metadata")
    event_id = stable_id("fbhandover", ctx["sender"], ctx["ts"], action)
    return _ignored("handover", ctx, detail=action, event_id=event_id, meta={"handover": details})
