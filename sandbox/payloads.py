"""Webhook bodies as Messenger and X deliver them (pure functions, no I/O).

Customers are named by the person using the sandbox ("alice"); each name maps to
stable platform ids: a Messenger PSID, an X user id and an X handle. Bodies follow the
documented formats: Messenger ``{"object": "page", "entry": [{"messaging": [...]}]}``
and the X Account Activity format (``direct_message_events`` with ``users``,
``tweet_create_events`` with a v1.1 Tweet that @mentions the brand).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

__all__ = [
    "Customer",
    "customer",
    "messenger_message",
    "messenger_postback",
    "x_dm",
    "x_mention",
    "in_thread",
    "CHANNELS",
]

CHANNELS = ("messenger", "x_dm", "x_mention")
_HANDLE = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class Customer:
    """A sandbox customer: display name and the ids each platform gives them."""

    name: str
    psid: str
    x_user_id: str
    x_handle: str


def _digits(name: str, salt: str, length: int) -> str:
    value = int(hashlib.sha256(f"{salt}:{name}".encode("utf-8")).hexdigest(), 16)
    return str(value)[:length]


def customer(name: str) -> Customer:
    """The customer called ``name`` (trimmed, at most 40 characters); ids are stable."""
    clean = " ".join(str(name or "").split())[:40] or "customer"
    handle = (_HANDLE.sub("", clean) or "customer")[:15]
    return Customer(clean, "6" + _digits(clean, "psid", 15), "16" + _digits(clean, "x", 17), handle)


def messenger_message(page_id: str, psid: str, mid: str, text: str, timestamp_ms: int,
                      quick_reply_payload: str | None = None) -> dict[str, Any]:
    """A Messenger ``messages`` webhook with one text message (or quick-reply answer)."""
    message: dict[str, Any] = {"mid": mid, "text": text}
    if quick_reply_payload is not None:
        message["quick_reply"] = {"payload": quick_reply_payload}
    return _messenger_entry(page_id, psid, timestamp_ms, {"message": message})


def messenger_postback(page_id: str, psid: str, mid: str, title: str, payload: str,
                       timestamp_ms: int) -> dict[str, Any]:
    """A Messenger ``messaging_postbacks`` webhook (a button press)."""
    return _messenger_entry(page_id, psid, timestamp_ms,
                            {"postback": {"mid": mid, "title": title, "payload": payload}})


def _messenger_entry(page_id: str, psid: str, timestamp_ms: int, item: dict[str, Any]) -> dict[str, Any]:
    messaging = {"sender": {"id": psid}, "recipient": {"id": page_id}, "timestamp": timestamp_ms, **item}
    return {"object": "page", "entry": [{"id": page_id, "time": timestamp_ms, "messaging": [messaging]}]}


def _x_user(user_id: str, name: str, handle: str, followers: int) -> dict[str, Any]:
    return {"id": user_id, "created_timestamp": "1500000000000", "name": name, "screen_name": handle,
            "protected": False, "verified": False, "followers_count": followers,
            "friends_count": 100, "statuses_count": 1000}


def x_dm(brand_id: str, brand_handle: str, person: Customer, event_id: str, text: str,
         timestamp_ms: int) -> dict[str, Any]:
    """An Account Activity ``direct_message_events`` delivery for the brand account."""
    event = {
        "type": "message_create", "id": event_id, "created_timestamp": str(timestamp_ms),
        "message_create": {
            "target": {"recipient_id": brand_id}, "sender_id": person.x_user_id,
            "message_data": {"text": text, "entities": {"hashtags": [], "symbols": [],
                                                        "user_mentions": [], "urls": []}},
        },
    }
    users = {person.x_user_id: _x_user(person.x_user_id, person.name, person.x_handle, 120),
             brand_id: _x_user(brand_id, brand_handle, brand_handle, 250000)}
    return {"for_user_id": brand_id, "direct_message_events": [event], "users": users}


def x_mention(brand_id: str, brand_handle: str, person: Customer, tweet_id: str, text: str,
              timestamp_ms: int, *, followers: int = 120) -> dict[str, Any]:
    """An Account Activity ``tweet_create_events`` delivery: a public post that starts
    with ``@brand_handle`` (the v1.1 Tweet carries the mention entity)."""
    full = f"@{brand_handle} {text}"
    created = datetime.fromtimestamp(timestamp_ms / 1000, tz=timezone.utc)
    tweet = {
        "created_at": created.strftime("%a %b %d %H:%M:%S +0000 %Y"),
        "id": int(tweet_id), "id_str": tweet_id, "text": full, "truncated": False,
        "in_reply_to_status_id_str": None, "in_reply_to_user_id_str": None,
        "in_reply_to_screen_name": None,
        "user": {"id": int(person.x_user_id), "id_str": person.x_user_id, "name": person.name,
                 "screen_name": person.x_handle, "followers_count": followers},
        "entities": {"hashtags": [], "symbols": [], "urls": [], "user_mentions": [
            {"screen_name": brand_handle, "name": brand_handle, "id": int(brand_id),
             "id_str": brand_id, "indices": [0, len(brand_handle) + 1]}]},
        "lang": "en", "timestamp_ms": str(timestamp_ms),
    }
    return {"for_user_id": brand_id, "user_has_blocked": "false", "tweet_create_events": [tweet]}


def in_thread(mention: dict[str, Any], post_id: str, author: Customer | None) -> dict[str, Any]:
    """Make an ``x_mention`` delivery a reply to the post ``post_id`` (by ``author`` when
    known) in its thread; changes and returns ``mention``."""
    tweet = mention["tweet_create_events"][0]
    tweet["in_reply_to_status_id"] = int(post_id)
    tweet["in_reply_to_status_id_str"] = post_id
    if author is not None:
        tweet["in_reply_to_user_id"] = int(author.x_user_id)
        tweet["in_reply_to_user_id_str"] = author.x_user_id
        tweet["in_reply_to_screen_name"] = author.x_handle
    return mention
