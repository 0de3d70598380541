"""Canned responses: short reply templates an agent inserts and edits before sending.

The file (``console/canned.yml`` or CONSOLE_CANNED) looks like::

    version: 1
    responses:
      - id: greeting
        title: Greeting
        text: "Hi {name}, this is {agent} from Aurora Air. I'm looking into it now."
        channels: [messenger, twitter_dm]      # optional; default: every channel

``{name}`` (the customer's display name) and ``{agent}`` are filled in by the page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

_ID = re.compile(r"^[a-z0-9_-]{1,64}$")
MAX_TEXT = 1000


class CannedError(ValueError):
    """The canned responses file is malformed."""


@dataclass(frozen=True)
class CannedResponse:
    """One template."""

    id: str
    title: str
    text: str
    channels: Tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> Dict[str, Any]:
        """JSON-ready mapping."""
        return {"id": self.id, "title": self.title, "text": self.text, "channels": list(self.channels)}


def parse_canned(data: Any) -> List[CannedResponse]:
    """Validate the parsed YAML; raises CannedError with the first problem."""
    if not isinstance(data, dict) or data.get("version") != 1:
        raise CannedError("canned responses: expected a mapping with version: 1")
    items = data.get("responses") or []
    if not isinstance(items, list):
        raise CannedError("canned responses: 'responses' must be a list")
    seen = set()
    out: List[CannedResponse] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise CannedError(f"canned response #{index + 1} is not a mapping")
        ident, title, text = str(item.get("id", "")), str(item.get("title", "")).strip(), str(item.get("text", "")).strip()
        if not _ID.match(ident) or ident in seen:
            raise CannedError(f"canned response #{index + 1}: missing, malformed or duplicate id")
        if not title or not text or len(text) > MAX_TEXT:
            raise CannedError(f"canned response {ident}: needs a title and a text of at most {MAX_TEXT} characters")
        channels = item.get("channels") or []
        if not isinstance(channels, list):
            raise CannedError(f"canned response {ident}: channels must be a list")
        seen.add(ident)
        out.append(CannedResponse(ident, title, text, tuple(str(c) for c in channels)))
    return out


def load_canned(path: Path) -> List[CannedResponse]:
    """Read and validate the canned responses file (an absent file gives none)."""
    path = Path(path)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return parse_canned(yaml.safe_load(handle))
