"""Small helpers shared by the X DM and post parsers: profiles, text, timestamps."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from connectors.structure import opt_int, opt_str

__all__ = [
    "user_profile",
    "find_user",
    "strip_leading_handles",
    "remove_urls",
    "iso_to_ms",
    "v1_date_to_ms",
]

_LEADING_HANDLES = re.compile(r"^(?:\s*@[A-Za-z0-9_]+)+\s*")


def _unwrap(user: Any) -> Mapping | None:
    # X Activity API user maps wrap each user as {"data": {...}}; AAA and v1.1 do not.
    if isinstance(user, Mapping) and isinstance(user.get("data"), Mapping):
        return user["data"]
    return user if isinstance(user, Mapping) else None


def user_profile(user: Any) -> dict[str, Any]:
    """``{"author_handle", "author_name", "author_followers"}`` from any X user shape.

    Accepts a v1.1 user (``screen_name``, ``followers_count``), an AAA condensed user,
    or a v2 user (``username``, ``public_metrics.followers_count``), wrapped in
    ``{"data": ...}`` or not. Missing values are ``None``.
    """
    data = _unwrap(user) or {}
    followers = opt_int(data, "followers_count")
    if followers is None:
        followers = opt_int(data.get("public_metrics"), "followers_count")
    return {
        "author_handle": opt_str(data, "screen_name") or opt_str(data, "username"),
        "author_name": opt_str(data, "name"),
        "author_followers": followers,
    }


def find_user(users: Any, user_id: str) -> Mapping | None:
    """The user with ``user_id`` from an id-keyed map or a v2 ``includes.users`` list."""
    if isinstance(users, Mapping):
        return _unwrap(users.get(user_id))
    if isinstance(users, list):
        for candidate in users:
            data = _unwrap(candidate)
            if data is not None and str(data.get("id", "")) == user_id:
                return data
    return None


def strip_leading_handles(text: str) -> str:
    """Drop the run of ``@handle`` tokens a reply starts with: ``"@a @b hi"`` -> ``"hi"``."""
    return _LEADING_HANDLES.sub("", text, count=1)


def remove_urls(text: str, urls: Iterable[str]) -> str:
    """Remove the given (t.co media) URLs from ``text`` and trim whitespace."""
    for url in urls:
        if url:
            text = text.replace(url, "")
    return text.strip()


def iso_to_ms(value: Any) -> int | None:
    """``"2026-07-24T21:23:23.000Z"`` -> epoch ms, ``None`` when unparsable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def v1_date_to_ms(value: Any) -> int | None:
    """``"Fri Aug 21 19:10:05 +0000 2020"`` -> epoch ms, ``None`` when unparsable."""
    if not isinstance(value, str):
        return None
    try:
        return int(datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").timestamp() * 1000)
    except ValueError:
        return None
