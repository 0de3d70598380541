"""Rasa test stories (tests/stories/*.yml) must all pass against the small trained model."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.stories

STORIES = Path(__file__).resolve().parent / "stories"
PROJECT_ROOT = STORIES.parent.parent


def test_every_test_story_passes(fast_model: Path, tmp_path: Path):
    assert any(STORIES.glob("*.yml")), "tests/stories has test stories"
    rasa = str(Path(sys.executable).with_name("rasa"))
    result = subprocess.run(
        [rasa, "test", "core", "--model", str(fast_model), "--stories", str(STORIES),
         "--out", str(tmp_path), "--fail-on-prediction-errors"],
        cwd=str(PROJECT_ROOT), capture_output=True, text=True, timeout=900,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    failed = tmp_path / "failed_test_stories.yml"
    failures = yaml.safe_load(failed.read_text()) if failed.exists() else None
    assert result.returncode == 0, (result.stdout[-4000:], result.stderr[-4000:], failures)
    assert not (failures or {}).get("stories"), failures
    report = (tmp_path / "story_report.json")
    assert report.exists(), "rasa wrote its story report"
