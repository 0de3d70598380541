"""Public X posts: v1.1 Tweets (AAA ``tweet_create_events``) and v2 Posts (XAA).

A post becomes an ``InboundEvent(kind="mention")`` only when it is addressed to the
brand: it @mentions the brand or replies to one of the brand's posts (for XAA
``post.mention.create``/``post.reply.create`` the event type says so). Posts by the
brand itself and retweets are ignored. The text given to the bot has the leading
``@handles`` and media links removed; ``metadata["original_text"]`` keeps the full text.
"""
from __future__ import annotations

import html
from typing import Any

from connectors.events import TWITTER, IgnoredEvent, InboundEvent, ParsedEvent
from connectors.structure import as_dict, opt_dict, opt_id, opt_int, opt_list, opt_str, require_id
from connectors.twitter.common import (
    find_user,
    iso_to_ms,
    remove_urls,
    strip_leading_handles,
    user_profile,
    v1_date_to_ms,
)

__all__ = ["parse_v1_tweet", "parse_v2_post"]


def _ignored(reason: str, post_id: str, author: str, brand: str, ts: int | None) -> IgnoredEvent:
    return IgnoredEvent(TWITTER, reason, platform_event_id=post_id, sender_id=author,
                        account_id=brand, timestamp=ts)


def _mention(post_id: str, author: str, brand: str, ts: int | None, full_text: str,
             media_urls: list[str], attachments: list[dict[str, Any]], thread_id: str,
             meta: dict[str, Any]) -> InboundEvent:
    original = html.unescape(full_text)
    text = strip_leading_handles(remove_urls(original, media_urls))
    metadata = {"public": True, "tweet_id": post_id, "original_text": original, **meta}
    return InboundEvent(TWITTER, "mention", post_id, author, brand, account_id=brand,
                        thread_id=thread_id, text=text, attachments=attachments,
                        timestamp=ts, metadata=metadata)


def _v1_media(entities: dict, extended: dict) -> tuple[list[dict[str, Any]], list[str]]:
    media = extended.get("media") if isinstance(extended.get("media"), list) else entities.get("media")
    attachments, urls = [], []
    for item in media if isinstance(media, list) else []:
        if not isinstance(item, dict):
            continue
        entry: dict[str, Any] = {"type": opt_str(item, "type") or "media",
                                 "url": opt_str(item, "media_url_https") or opt_str(item, "media_url")}
        if opt_id(item, "id_str"):
            entry["id"] = opt_id(item, "id_str")
        attachments.append(entry)
        if opt_str(item, "url"):
            urls.append(item["url"])
    return attachments, urls


def parse_v1_tweet(raw: Any, path: str, brand_user_id: str) -> ParsedEvent:
    """One v1.1 Tweet object from ``tweet_create_events[]`` to an event.

    Uses ``extended_tweet.full_text`` (and its entities) when ``truncated`` is true.
    """
    tweet = as_dict(raw, path)
    tweet_id = require_id(tweet, "id_str", path)
    user = as_dict(tweet.get("user"), f"{path}.user")
    author = require_id(user, "id_str", f"{path}.user")
    ts = opt_int(tweet, "timestamp_ms") or v1_date_to_ms(tweet.get("created_at"))
    if author == brand_user_id:
        return _ignored("own_tweet", tweet_id, author, brand_user_id, ts)
    if isinstance(tweet.get("retweeted_status"), dict):
        return _ignored("retweet", tweet_id, author, brand_user_id, ts)
    source = tweet
    extended = tweet.get("extended_tweet")
    if tweet.get("truncated") is True and isinstance(extended, dict) and opt_str(extended, "full_text"):
        source = extended
    full_text = opt_str(source, "full_text") or opt_str(source, "text") or ""
    entities = opt_dict(source, "entities", path) or {}
    mention_ids = {opt_id(m, "id_str") for m in opt_list(entities, "user_mentions", f"{path}.entities")}
    mentions_brand = brand_user_id in mention_ids
    replies_to_brand = opt_id(tweet, "in_reply_to_user_id_str") == brand_user_id
    if not (mentions_brand or replies_to_brand):
        return _ignored("not_addressed", tweet_id, author, brand_user_id, ts)
    attachments, media_urls = _v1_media(entities, opt_dict(source, "extended_entities", path) or {})
    meta = {
        **user_profile(user),
        "in_reply_to": opt_id(tweet, "in_reply_to_status_id_str"),
        "in_reply_to_user_id": opt_id(tweet, "in_reply_to_user_id_str"),
        "mentions_brand": mentions_brand,
        "replies_to_brand": replies_to_brand,
        "quoted_tweet_id": opt_id(tweet, "quoted_status_id_str"),
        "lang": opt_str(tweet, "lang"),
    }
    return _mention(tweet_id, author, brand_user_id, ts, full_text, media_urls, attachments,
                    tweet_id, meta)


def _v2_media(post: dict, includes: dict) -> list[dict[str, Any]]:
    keys = opt_list(opt_dict(post, "attachments", "post") or {}, "media_keys", "post.attachments")
    media = includes.get("media") if isinstance(includes.get("media"), list) else []
    by_key = {m.get("media_key"): m for m in media if isinstance(m, dict)}
    result = []
    for key in keys:
        item = by_key.get(key, {})
        result.append({"type": opt_str(item, "type") or "media",
                       "url": opt_str(item, "url") or opt_str(item, "preview_image_url"),
                       "id": str(key)})
    return result


def parse_v2_post(raw: Any, path: str, brand_user_id: str, includes: Any,
                  addressed: bool, extra_meta: dict[str, Any] | None = None) -> ParsedEvent:
    """One v2 Post (XAA ``payload``) to an event.

    ``addressed`` is true when the event type already says the post mentions or replies
    to the brand. Long posts use ``note_tweet.text`` when present.
    """
    post = as_dict(raw, path)
    post_id = require_id(post, "id", path)
    author = require_id(post, "author_id", path)
    ts = iso_to_ms(post.get("created_at"))
    includes = includes if isinstance(includes, dict) else {}
    if author == brand_user_id:
        return _ignored("own_tweet", post_id, author, brand_user_id, ts)
    refs = [r for r in opt_list(post, "referenced_tweets", path) if isinstance(r, dict)]
    if any(r.get("type") == "retweeted" for r in refs):
        return _ignored("retweet", post_id, author, brand_user_id, ts)
    entities = opt_dict(post, "entities", path) or {}
    mention_ids = {opt_id(m, "id") for m in opt_list(entities, "mentions", f"{path}.entities")}
    mentions_brand = brand_user_id in mention_ids
    replies_to_brand = opt_id(post, "in_reply_to_user_id") == brand_user_id
    if not (addressed or mentions_brand or replies_to_brand):
        return _ignored("not_addressed", post_id, author, brand_user_id, ts)
    note = post.get("note_tweet")
    full_text = (opt_str(note, "text") if isinstance(note, dict) else None) or opt_str(post, "text") or ""
    media_urls = [u["url"] for u in opt_list(entities, "urls", f"{path}.entities")
                  if isinstance(u, dict) and u.get("media_key") and isinstance(u.get("url"), str)]
    replied = next((opt_id(r, "id") for r in refs if r.get("type") == "replied_to"), None)
    quoted = next((opt_id(r, "id") for r in refs if r.get("type") == "quoted"), None)
    meta = {
        **user_profile(find_user(includes.get("users"), author)),
        "in_reply_to": replied,
        "in_reply_to_user_id": opt_id(post, "in_reply_to_user_id"),
        "mentions_brand": mentions_brand,
        "replies_to_brand": replies_to_brand,
        "quoted_tweet_id": quoted,
        "lang": opt_str(post, "lang"),
        "conversation_id": opt_id(post, "conversation_id"),
        **(extra_meta or {}),
    }
    thread_id = meta["conversation_id"] or post_id
    return _mention(post_id, author, brand_user_id, ts, full_text, media_urls,
                    _v2_media(post, includes), thread_id, meta)
