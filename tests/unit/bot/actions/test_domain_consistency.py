"""The domain, rules, stories, routes and actions agree with each other."""
import re

import pytest
import yaml
from rasa_sdk.executor import ActionExecutor

from bot.actions import slots
from bot.actions.form_specs import CONFIRM_SLOTS, FORMS, TRIGGER_INTENTS
from tests.helpers.action_fakes import DOMAIN, ROOT

ROUTES = yaml.safe_load((ROOT / "bot" / "routes.yml").read_text())["intents"]


def domain_section(key):
    items = []
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        items += (yaml.safe_load(path.read_text()) or {}).get(key) or []
    return items


def rule_steps():
    for path in sorted((ROOT / "bot" / "data" / "rules").glob("*.yml")):
        for rule in yaml.safe_load(path.read_text())["rules"]:
            yield path.stem, rule


def intents_in(steps):
    for step in steps:
        if "intent" in step:
            yield step["intent"]
        for alternative in step.get("or", []):
            if "intent" in alternative:
                yield alternative["intent"]


@pytest.fixture(scope="module")
def registered_actions():
    executor = ActionExecutor()
    executor.register_package("bot.actions")
    return set(executor.actions)


def test_every_routed_intent_and_the_fallback_are_in_the_domain():
    assert set(domain_section("intents")) == set(ROUTES) | {"nlu_fallback"}


def test_every_intent_has_a_rule():
    covered = {i for _, rule in rule_steps() for i in intents_in(rule["steps"])}
    assert set(ROUTES) | {"nlu_fallback"} <= covered


def test_routes_map_to_the_expected_actions():
    first_action = {}
    for _, rule in rule_steps():
        steps = rule["steps"]
        for index, step in enumerate(steps):
            for intent in intents_in([step]):
                if "condition" not in rule:
                    first_action[intent] = steps[index + 1]["action"]
    for intent, spec in ROUTES.items():
        expected = {"informational": "action_answer_knowledge", "diagnostic": "action_handoff",
                    "advice": "action_handoff", "human": "action_handoff"}.get(spec["route"])
        if spec["route"] == "transactional" and intent != "inform":
            expected = f"{intent}_form"
        if intent == "complain":
            expected = "action_handoff"
        if expected:
            assert first_action[intent] == expected, intent


def test_forms_match_the_form_specs():
    assert DOMAIN["forms"] == {name: {"required_slots": list(spec.slots)} for name, spec in FORMS.items()}
    assert set(TRIGGER_INTENTS) == {i for i, s in ROUTES.items() if s["route"] == "transactional"} - {"inform"}


def test_one_rules_and_one_stories_file_per_form_topic():
    for spec in FORMS.values():
        assert (ROOT / "bot" / "data" / "rules" / f"{spec.intent}.yml").exists()
        assert (ROOT / "bot" / "data" / "stories" / f"{spec.intent}.yml").exists()
        assert (ROOT / "tests" / "stories" / f"test_{spec.intent}.yml").exists()


def test_domain_actions_are_exactly_the_registered_actions(registered_actions):
    assert set(domain_section("actions")) == registered_actions
    for spec in FORMS.values():
        assert spec.validation_action in registered_actions and spec.submit_action in registered_actions
        if spec.confirm_slot:
            assert f"action_ask_{spec.confirm_slot}" in registered_actions


def test_text_slots_are_filled_only_inside_their_forms_and_never_from_other_topics():
    not_a_value = set(ROUTES) - {"inform", "affirm", "deny"}
    for spec in FORMS.values():
        for slot in spec.slots:
            mappings = DOMAIN["slots"][slot]["mappings"]
            for mapping in mappings:
                assert {"active_loop": spec.name, "requested_slot": slot} in mapping["conditions"]
                if slot in CONFIRM_SLOTS:
                    assert mapping["type"] == "from_intent" and mapping["intent"] in ("affirm", "deny")
                else:
                    assert mapping["type"] == "from_text"
                    assert set(mapping["not_intent"]) == not_a_value, slot


def test_every_form_question_has_a_response_or_an_ask_action(registered_actions):
    responses = set(DOMAIN["responses"])
    for spec in FORMS.values():
        for slot in spec.slots:
            assert {f"utter_ask_{slot}", f"action_ask_{slot}", f"utter_ask_{spec.name}_{slot}"} & (responses | registered_actions), slot


def test_every_response_named_in_the_actions_exists():
    responses = set(DOMAIN["responses"])
    named = set()
    for path in (ROOT / "bot" / "actions").glob("*.py"):
        named |= set(re.findall(r'"(utter_[a-z_]+)"', path.read_text()))
    named = {n for n in named if not n.endswith("_")}
    missing = named - responses
    assert not missing
    for kind in ("booking", "bag_file", "loyalty", "details"):
        assert f"utter_{kind}_not_found" in responses
    for slot in DOMAIN["slots"]:
        if slot in {s for spec in FORMS.values() for s in spec.slots} - set(CONFIRM_SLOTS):
            assert f"utter_help_{slot}" in responses, slot


def test_every_bookkeeping_slot_is_in_the_domain_and_does_not_steer_the_dialogue():
    names = [v for k, v in vars(slots).items() if k.isupper()]
    assert set(names) <= set(DOMAIN["slots"]) | {"requested_slot"}
    for name in (slots.TRIAGE_DECISION, slots.HANDOFF_REASONS, slots.OFFER_REASON):
        assert DOMAIN["slots"][name]["influence_conversation"] is False
        assert DOMAIN["slots"][name]["mappings"] == [{"type": "custom"}]


def test_session_config_carries_slots_over():
    config = yaml.safe_load((ROOT / "bot" / "domain" / "intents.yml").read_text())["session_config"]
    assert config["carry_over_slots_to_new_session"] is True


def test_test_stories_cover_the_required_flows():
    names = {p.stem for p in (ROOT / "tests" / "stories").glob("*.yml")}
    assert {"test_stop", "test_interruptions", "test_handoff", "test_chitchat", "test_fallback",
            "test_informational"} <= names


def test_no_module_does_work_at_import_time():
    import subprocess
    import sys

    script = (
        "import importlib, pkgutil, bot.actions\n"
        "for m in pkgutil.iter_modules(bot.actions.__path__):\n"
        "    importlib.import_module('bot.actions.' + m.name)\n"
        "from bot.actions import backend, knowledge_base\n"
        "assert backend._repository is None\n"
        "assert knowledge_base.loaded_folders() == []\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=str(ROOT), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
