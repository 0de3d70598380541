"""Typed accessors for decoded JSON that fail with ``MalformedPayload`` naming the path.

Parsers use these instead of ``body["a"]["b"]`` so a malformed body is reported as a
client error with its location, never as a ``KeyError``/``TypeError`` crash.
"""
from __future__ import annotations

import hashlib
from typing import Any, Callable, Mapping, Sequence

from connectors.events import ParsedEvent, RejectedEvent
from connectors.security import ConfigurationError, MalformedPayload

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
    "per_item",
]

_REASON_MAX = 200


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


def per_item(platform: str, path: str, item: Any, parse: Callable[[], Sequence[ParsedEvent]],
             account_id: str | None = None) -> list[ParsedEvent]:
    """The events of one batch item, or one ``RejectedEvent`` when it is unusable.

    ``parse`` builds the item's events; a ``MalformedPayload`` (or any other error but a
    ``ConfigurationError``: a parser bug must not refuse the rest of the batch) turns the
    item into ``RejectedEvent(platform, path, reason, item)``. The reason names the path
    and the problem, never a value.
    """
    try:
        return list(parse())
    except ConfigurationError:
        raise
    except MalformedPayload as exc:
        reason = f"malformed:{exc.path}: {exc.problem}"
    except Exception as exc:  # noqa: BLE001 - one item's bug must not fail the others
        reason = f"parser_error:{type(exc).__name__}"
    return [RejectedEvent(platform, path, reason[:_REASON_MAX], item, account_id)]
