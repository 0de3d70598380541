"""The TriageSignals component adds `urgency` and `language` to Rasa's parse data."""
import pytest
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.triage.component import LANGUAGE, URGENCY, TriageSignals
from core.paths import PROJECT_ROOT
from handoff.config import load_handoff_policy
from handoff.routes import load_route_table, parse_handoff_policy
from handoff.triggers import decide


@pytest.fixture(scope="module")
def component():
    return TriageSignals.create(TriageSignals.get_default_config(), None, None, None)


def _process(component, *texts):
    messages = [Message(data={"text": t}) for t in texts]
    return component.process(messages)


def test_adds_urgency_and_language_to_the_output(component):
    (message,) = _process(component, "my son fainted at the gate, nobody answers the phone")
    assert message.get(URGENCY) == {"categories": ["injury", "no_answer"], "score": pytest.approx(0.97, abs=0.01)}
    assert message.get(LANGUAGE)["code"] == "en" and message.get(LANGUAGE)["supported"] is True
    output = message.as_dict(only_output_properties=True)
    assert URGENCY in output and LANGUAGE in output


def test_a_reference_is_unknown_language_and_not_urgent(component):
    (message,) = _process(component, "K7P2QX")
    assert message.get(URGENCY) == {"categories": [], "score": 0.0}
    assert message.get(LANGUAGE) == {"code": "und", "confidence": 0.0, "supported": True}


def test_french_is_unsupported_with_the_project_thresholds(component):
    (message,) = _process(component, "Bonjour, mon vol est annulé, que faire ?")
    language = message.get(LANGUAGE)
    assert language["code"] == "fr" and language["supported"] is False
    assert language["confidence"] >= load_handoff_policy().language_min_confidence


def test_every_message_of_a_batch_and_empty_text(component):
    messages = _process(component, "", "ok", "I will sue you")
    assert [m.get(URGENCY)["categories"] for m in messages] == [[], [], ["legal"]]
    assert [m.get(LANGUAGE)["code"] for m in messages] == ["und", "und", "en"]


def test_supported_languages_come_from_the_handoff_file(tmp_path):
    handoff = tmp_path / "handoff.yml"
    handoff.write_text(yaml.safe_dump({"supported_languages": ["en", "fr"]}), encoding="utf-8")
    component = TriageSignals({**TriageSignals.get_default_config(), "handoff_file": str(handoff)})
    (message,) = _process(component, "Bonjour, mon vol est annulé, que faire ?")
    assert message.get(LANGUAGE)["code"] == "fr" and message.get(LANGUAGE)["supported"] is True


def test_nothing_is_loaded_before_the_first_message():
    component = TriageSignals(TriageSignals.get_default_config())
    assert component._detector is None


def test_training_data_passes_through(component):
    data = TrainingData([Message(data={"text": "hi", "intent": "greet"})])
    assert component.process_training_data(data) is data


def test_registered_as_a_non_trainable_rasa_component():
    registered = DefaultV1Recipe._from_registry(TriageSignals.__name__)
    assert registered.clazz is TriageSignals
    assert not registered.is_trainable
    assert DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR in registered.types


def test_config_runs_it_right_after_sentiment():
    with open(PROJECT_ROOT / "config.yml", encoding="utf-8") as handle:
        names = [step["name"] for step in yaml.safe_load(handle)["pipeline"]]
    at = names.index("bot.components.sentiment.component.SentimentAnalyzer")
    assert names[at + 1] == "bot.components.triage.component.TriageSignals"


def test_component_output_drives_the_routing_decision(component):
    (message,) = _process(component, "there is smoke in the cabin!!")
    parse = {"intent": {"name": "greet", "confidence": 0.9}, **message.as_dict(only_output_properties=True)}
    decision = decide(parse, "rest", load_route_table(), parse_handoff_policy({}))
    assert decision.handoff and decision.labels[0].startswith("urgency:safety@0.95")
