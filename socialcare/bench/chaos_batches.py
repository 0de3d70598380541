"""The malformed and mixed webhook batches of `make chaos` (pure: raw bodies, no I/O).

Each ``Batch`` is the exact bytes a platform could deliver, with good items (they must be
answered) next to one bad item (it must not take the good ones down with it):

* ``messenger_no_sender``: a Messenger batch, one messaging item without ``sender``;
* ``messenger_deep_json``: a good message and one whose message nests lists thousands deep;
* ``messenger_lone_surrogate``: a good message and one whose text has a lone ``\\ud800``;
* ``x_dm_media_list``: an X DM batch where one DM's ``attachment.media`` is a list;
* ``x_user_without_id_str``: two @mentions, one by a user object without ``id_str``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Tuple

from sandbox.payloads import Customer, customer, messenger_message, x_dm, x_mention

__all__ = ["Batch", "BATCHES", "build_batches", "DEEP_NESTING", "TEXT"]

DEEP_NESTING = 5000
TEXT = "status of AU451 today?"
BRAND_HANDLE = "AuroraAir"  # the sandbox default (SANDBOX_BRAND_HANDLE)


@dataclass(frozen=True)
class Batch:
    """One raw webhook body for ``platform`` (``facebook`` | ``twitter``)."""

    name: str
    platform: str
    raw: bytes
    good: Tuple[str, ...]  # customers whose item must be answered
    bad: Tuple[str, ...] = ()  # customers of the malformed item (answered or not: a note)
    posts: Dict[str, str] = field(default_factory=dict)  # public post id -> its author (for replies)


def _raw(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _people(prefix: str, name: str, *roles: str) -> List[Customer]:
    return [customer(f"{prefix}-{name}-{role}") for role in roles]


def _messaging(page_id: str, person: Customer, mid: str, text: str, now_ms: int) -> Dict[str, Any]:
    return messenger_message(page_id, person.psid, mid, text, now_ms)["entry"][0]["messaging"][0]


def _messenger_batch(page_id: str, now_ms: int, items: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {"object": "page", "entry": [{"id": page_id, "time": now_ms, "messaging": items}]}


def no_sender(prefix: str, page_id: str, brand: str, now_ms: int) -> Batch:
    one, two, bad = _people(prefix, "nosender", "good1", "good2", "bad")
    broken = _messaging(page_id, bad, f"m_chaos_{now_ms}_ns", TEXT, now_ms)
    del broken["sender"]
    items = [_messaging(page_id, one, f"m_chaos_{now_ms}_n1", TEXT, now_ms), broken,
             _messaging(page_id, two, f"m_chaos_{now_ms}_n2", TEXT, now_ms)]
    return Batch("messenger_no_sender", "facebook", _raw(_messenger_batch(page_id, now_ms, items)),
                 (one.name, two.name))


def deep_json(prefix: str, page_id: str, brand: str, now_ms: int) -> Batch:
    good, bad = _people(prefix, "deep", "good", "bad")
    marker = "__DEEP__"
    deep = _messaging(page_id, bad, f"m_chaos_{now_ms}_dp", TEXT, now_ms)
    deep["message"]["nlp"] = marker
    body = _messenger_batch(page_id, now_ms, [_messaging(page_id, good, f"m_chaos_{now_ms}_dg", TEXT, now_ms),
                                              deep])
    raw = _raw(body).replace(json.dumps(marker).encode(), b"[" * DEEP_NESTING + b"]" * DEEP_NESTING)
    return Batch("messenger_deep_json", "facebook", raw, (good.name,), (bad.name,))


def lone_surrogate(prefix: str, page_id: str, brand: str, now_ms: int) -> Batch:
    good, bad = _people(prefix, "surrogate", "good", "bad")
    items = [_messaging(page_id, good, f"m_chaos_{now_ms}_sg", TEXT, now_ms),
             _messaging(page_id, bad, f"m_chaos_{now_ms}_sb", "my bag \ud800 is lost", now_ms)]
    return Batch("messenger_lone_surrogate", "facebook", _raw(_messenger_batch(page_id, now_ms, items)),
                 (good.name,), (bad.name,))


def media_list(prefix: str, page_id: str, brand: str, now_ms: int) -> Batch:
    good, bad = _people(prefix, "media", "good", "bad")
    body = x_dm(brand, BRAND_HANDLE, good, f"{now_ms}001", TEXT, now_ms)
    other = x_dm(brand, BRAND_HANDLE, bad, f"{now_ms}002", "photo of my bag", now_ms)
    event = other["direct_message_events"][0]
    event["message_create"]["message_data"]["attachment"] = {
        "type": "media", "media": [{"id": 1, "id_str": "1", "type": "photo",
                                    "media_url_https": "https://pbs.twimg.com/media/x.jpg"}]}
    body["direct_message_events"].append(event)
    body["users"].update(other["users"])
    return Batch("x_dm_media_list", "twitter", _raw(body), (good.name,), (bad.name,))


def user_without_id_str(prefix: str, page_id: str, brand: str, now_ms: int) -> Batch:
    good, bad = _people(prefix, "noidstr", "good", "bad")
    good_id, bad_id = f"{now_ms}003", f"{now_ms}004"
    body = x_mention(brand, BRAND_HANDLE, good, good_id, TEXT, now_ms)
    other = x_mention(brand, BRAND_HANDLE, bad, bad_id, TEXT, now_ms)["tweet_create_events"][0]
    del other["user"]["id_str"]
    body["tweet_create_events"].append(other)
    return Batch("x_user_without_id_str", "twitter", _raw(body), (good.name,), (bad.name,),
                 posts={good_id: good.name, bad_id: bad.name})


BATCHES: Dict[str, Callable[[str, str, str, int], Batch]] = {
    "messenger_no_sender": no_sender, "messenger_deep_json": deep_json,
    "messenger_lone_surrogate": lone_surrogate, "x_dm_media_list": media_list,
    "x_user_without_id_str": user_without_id_str,
}


def build_batches(prefix: str, page_id: str, brand_user_id: str, now_ms: int) -> List[Batch]:
    """Every batch, for customers named ``prefix``-*, timestamped ``now_ms``."""
    return [build(prefix, page_id, brand_user_id, now_ms) for build in BATCHES.values()]
