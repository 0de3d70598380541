"""Load the project's own webhook fixtures (tests/fixtures/<platform>/<name>.json)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PROJECT_ROOT = FIXTURES.parent.parent
REFERENCE_PAYLOADS = PROJECT_ROOT.parent / "shared" / "reference" / "payloads"


def fixture_bytes(platform: str, name: str) -> bytes:
    """Raw bytes of a fixture, exactly as a platform would POST them."""
    return (FIXTURES / platform / f"{name}.json").read_bytes()


def load_fixture(platform: str, name: str) -> Any:
    """Decoded JSON of a fixture."""
    return json.loads(fixture_bytes(platform, name))


def fixture_names(platform: str) -> list[str]:
    """Names (without .json) of every fixture for a platform."""
    return sorted(p.stem for p in (FIXTURES / platform).glob("*.json"))
