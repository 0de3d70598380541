"""Messenger ``message.attachments[]`` to structured dicts (never to text).

Every result has ``type`` and ``url`` (``None`` when the platform gives none); other keys
appear only when present: ``title``, ``sticker_id``, ``coordinates`` (``lat``/``long``
for legacy location shares), ``template_type`` (echoed templates), ``attachment_id``.
"""
from __future__ import annotations

from typing import Any

from connectors.structure import as_dict, as_list, opt_dict, opt_id, opt_str

__all__ = ["normalize_attachments"]


def _coordinates(payload: dict) -> dict[str, float] | None:
    coords = payload.get("coordinates")
    if not isinstance(coords, dict):
        return None
    lat, long = coords.get("lat"), coords.get("long")
    numbers = (int, float)
    if isinstance(lat, numbers) and isinstance(long, numbers) and not isinstance(lat, bool):
        return {"lat": float(lat), "long": float(long)}
    return None


def _one(raw: Any, path: str) -> dict[str, Any]:
    att = as_dict(raw, path)
    payload = opt_dict(att, "payload", path) or {}
    kind = opt_str(att, "type") or "unknown"
    result: dict[str, Any] = {
        "type": kind,
        "url": opt_str(payload, "url") or opt_str(att, "url"),
    }
    title = opt_str(att, "title") or opt_str(payload, "title")
    if title:
        result["title"] = title
    sticker_id = opt_id(payload, "sticker_id")
    if sticker_id:
        result["sticker_id"] = sticker_id
    attachment_id = opt_id(payload, "attachment_id") or opt_id(payload, "reel_video_id")
    if attachment_id:
        result["attachment_id"] = attachment_id
    coordinates = _coordinates(payload)
    if coordinates:
        result["coordinates"] = coordinates
    template_type = opt_str(payload, "template_type")
    if template_type:
        result["template_type"] = template_type
    return result


def normalize_attachments(raw: Any, path: str) -> list[dict[str, Any]]:
    """Normalise ``message.attachments`` (absent or null gives ``[]``).

    Raises ``MalformedPayload`` when it is not an array of objects.
    """
    if raw is None:
        return []
    return [_one(item, f"{path}[{i}]") for i, item in enumerate(as_list(raw, path))]
