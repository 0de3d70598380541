"""Typed accessors for decoded JSON that fail with ``MalformedPayload`` naming the path.

Parsers use these instead of ``body["a"]["b"]`` so a malformed body is reported as a
client error with its location, never as a ``KeyError``/``TypeError`` crash.
"""
from __future__ import annotations

import hashlib
from typing import Any, Mapping

from connectors.security import MalformedPayload

__all__ = [
    "as_dict",
    "as_list",
    "opt_dict",
    "opt_list",
    "require_id",
    "opt_id",
    "opt_str",
    "opt_int",
    "stable_id",
]


def as_dict(value: Any, path: str) -> dict:
    """``value`` if it is a JSON object, else ``MalformedPayload(path)``."""
    if not isinstance(value, dict):
        raise MalformedPayload(path, "expected an object")
    return value


def as_list(value: Any, path: str) -> list:
    """``value`` if it is a JSON array, else ``MalformedPayload(path)``."""
    if not isinstance(value, list):
        raise MalformedPayload(path, "expected an array")
    return value


def opt_dict(parent: Mapping, key: str, path: str) -> dict | None:
    """``parent[key]`` as an object, ``None`` when absent or null."""
    value = parent.get(key)
    return None if value is None else as_dict(value, f"{path}.{key}")


def opt_list(parent: Mapping, key: str, path: str) -> list:
    """``parent[key]`` as an array, ``[]`` when absent or null."""
    value = parent.get(key)
    return [] if value is None else as_list(value, f"{path}.{key}")


def _id_text(value: Any) -> str | None:
    # JSON ids arrive as strings or (older Messenger fixtures) integers; bools are not ids.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def require_id(parent: Any, key: str, path: str) -> str:
    """``parent[key]`` as a non-empty id string (ints are converted), else an error."""
    container = as_dict(parent, path)
    text = _id_text(container.get(key))
    if text is None:
        raise MalformedPayload(f"{path}.{key}", "expected a non-empty id")
    return text


def opt_id(parent: Mapping | None, key: str) -> str | None:
    """``parent[key]`` as an id string, ``None`` when absent or unusable."""
    if not isinstance(parent, Mapping):
        return None
    return _id_text(parent.get(key))


def opt_str(parent: Mapping | None, key: str) -> str | None:
    """``parent[key]`` when it is a string, else ``None``."""
    if not isinstance(parent, Mapping):
        return None
    value = parent.get(key)
    return value if isinstance(value, str) else None


def opt_int(parent: Mapping | None, key: str) -> int | None:
    """``parent[key]`` as an int (numeric strings accepted), else ``None``."""
    if not isinstance(parent, Mapping):
        return None
    value = parent.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def stable_id(prefix: str, *parts: object) -> str:
    """Deterministic dedup id from parts, e.g. for postbacks that carry no ``mid``."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return f"{prefix}:{hashlib.sha256(joined.encode('utf-8')).hexdigest()[:32]}"
