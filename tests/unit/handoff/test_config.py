"""handoff.yml is loaded once for both halves; the NLU confidence floor is set in config.yml only."""
from pathlib import Path

import pytest
import yaml

from handoff.config import fallback_threshold, load_handoff_settings, parse_handoff_settings
from handoff.routes import RoutingConfigError, parse_handoff_policy

ROOT = Path(__file__).resolve().parents[3]


def read(name):
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def test_the_nlu_floor_comes_from_the_fallback_classifier():
    threshold = fallback_threshold(read("config.yml"))
    assert threshold == 0.45
    assert "min_confidence" not in (read("bot/handoff.yml").get("thresholds") or {})
    assert load_handoff_settings().policy.min_confidence == threshold


@pytest.mark.parametrize("config", ["config.diet.yml", "config.minilm.yml"])
def test_the_comparison_pipelines_use_the_same_floor(config):
    assert fallback_threshold(read(config)) == fallback_threshold(read("config.yml"))


def test_the_two_places_cannot_disagree():
    assert parse_handoff_policy({"thresholds": {"min_confidence": 0.45}}, 0.45).min_confidence == 0.45
    with pytest.raises(RoutingConfigError, match="disagrees"):
        parse_handoff_policy({"thresholds": {"min_confidence": 0.5}}, 0.45)
    assert parse_handoff_policy({"thresholds": {"min_confidence": 0.5}}).min_confidence == 0.5  # no NLU floor known


def test_the_fallback_threshold_must_be_explicit():
    assert fallback_threshold({"pipeline": [{"name": "FallbackClassifier", "threshold": 0.3}]}) == 0.3
    assert fallback_threshold({"pipeline": [{"name": "WhitespaceTokenizer"}]}) is None
    assert fallback_threshold(None) is None
    with pytest.raises(RoutingConfigError):
        fallback_threshold({"pipeline": [{"name": "FallbackClassifier"}]})


def test_one_load_gives_both_halves(tmp_path, monkeypatch):
    rasa = tmp_path / "config.yml"
    rasa.write_text(yaml.safe_dump({"pipeline": [{"name": "FallbackClassifier", "threshold": 0.6}]}))
    handoff = tmp_path / "handoff.yml"
    handoff.write_text(yaml.safe_dump({"thresholds": {"urgency_score": 0.7}, "queue": {"vip_boost": 2}}))
    monkeypatch.setenv("SOCIALCARE_RASA_CONFIG", str(rasa))
    settings = load_handoff_settings(str(handoff))
    assert (settings.policy.min_confidence, settings.policy.urgency_score, settings.team.vip_boost) == (0.6, 0.7, 2)


def test_the_project_file_parses_into_both_halves():
    settings = parse_handoff_settings(read("bot/handoff.yml"), 0.45)
    assert settings.policy.failed_clarifications == 2 and settings.team.time_zone == "Europe/London"
