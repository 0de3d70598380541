"""Decoding a webhook body: JSON that can neither crash the receiver nor cost a batch.

``decode_json`` refuses only what is not UTF-8 JSON (``MalformedPayload`` -> 400). An
item nested absurdly deep has its too-deep part replaced by ``null`` (``prune_deep``),
so the other items of the batch are still taken, and lone UTF-16 surrogates
(``"\\ud800"``, which UTF-8 cannot carry to Redis) become U+FFFD. Pure.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any

from connectors.security import MalformedPayload

__all__ = ["decode_json", "prune_deep", "MAX_JSON_DEPTH"]

logger = logging.getLogger(__name__)


class _TooDeep(Exception):
    """The decoded document nests deeper than ``MAX_JSON_DEPTH``."""


MAX_JSON_DEPTH = 64  # webhook bodies nest about 8 deep; far below Python's recursion limit
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def decode_json(raw: bytes) -> Any:
    """Decode a UTF-8 JSON body; ``MalformedPayload("body")`` when it is not JSON.

    Arrays and objects nested deeper than ``MAX_JSON_DEPTH`` (Python's decoder answers
    100,000 levels with ``RecursionError``) are replaced by ``null``, so the other items
    of the batch are still taken; lone surrogates become U+FFFD."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedPayload("body", "not UTF-8 JSON") from None
    surrogates = bool(_SURROGATE_ESCAPE.search(text))
    try:
        return _checked(json.loads(text), surrogates)
    except ValueError:
        raise MalformedPayload("body", "not UTF-8 JSON") from None
    except (RecursionError, _TooDeep):
        logger.warning("webhook.deep_json_pruned limit=%s bytes=%s", MAX_JSON_DEPTH, len(raw))
    try:
        return _checked(json.loads(prune_deep(text)), surrogates)
    except (ValueError, RecursionError, _TooDeep):
        raise MalformedPayload("body", "not UTF-8 JSON") from None


def _fix(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _checked(document: Any, surrogates: bool) -> Any:
    """Find nesting over ``MAX_JSON_DEPTH`` (iteratively: `_TooDeep`) and, when the body had a
    surrogate escape, replace the lone surrogates left in strings and keys."""
    if isinstance(document, str):
        return _fix(document) if surrogates else document
    stack = [(document, 1)] if isinstance(document, (dict, list)) else []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _TooDeep()
        if isinstance(node, dict):
            if surrogates:
                for key in [k for k in node if _SURROGATE.search(k)]:
                    node[_fix(key)] = node.pop(key)
            slots = list(node.items())
        else:
            slots = list(enumerate(node))
        for slot, value in slots:
            if isinstance(value, (dict, list)):
                stack.append((value, depth + 1))
            elif surrogates and isinstance(value, str) and _SURROGATE.search(value):
                node[slot] = _fix(value)
    return document


def prune_deep(text: str, limit: int = MAX_JSON_DEPTH) -> str:
    """``text`` with every array or object nested deeper than ``limit`` replaced by
    ``null`` (one lexical pass that respects strings; unbalanced input stays unbalanced,
    so the JSON decoder still refuses it). Only run on bodies the decoder could not take:
    one absurdly nested item must not cost the good items of its batch."""
    out: list[str] = []
    depth, i, start, cutting = 0, 0, 0, False
    while i < len(text):
        char = text[i]
        if char == '"':
            i = _string_end(text, i)
            continue
        if char in "[{":
            depth += 1
            if depth == limit + 1 and not cutting:
                out.append(text[start:i])
                out.append("null")
                cutting = True
        elif char in "]}":
            if cutting and depth == limit + 1:
                cutting, start = False, i + 1
            depth -= 1
        i += 1
    if not cutting:
        out.append(text[start:])
    return "".join(out)


def _string_end(text: str, i: int) -> int:
    """Index just past the JSON string that starts at ``text[i]`` (a quote)."""
    i += 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        else:
            i += 1
    return i
