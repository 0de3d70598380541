"""Curated knowledge: loading, the default entry, short answers on public mentions."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.knowledge import ActionAnswerKnowledge
from bot.actions.knowledge_base import (
    KnowledgeBase, KnowledgeError, get_knowledge_base, knowledge_dir, load_entries, parse_entry,
)

from .fakes import DOMAIN, default_slots, make_tracker, render

ENTRIES = """
version: 1
entries:
  - id: pets_general
    intent: ask_pets
    default: true
    questions:
      - Can I bring my pet?
    answer: >-
      Small cats and dogs can travel in the cabin
      within Europe.
    short_answer: Cats and dogs up to 8 kg in the cabin.
    tags: [pets]
    owner: content@example.com
    last_reviewed: 2026-10-15
  - id: pets_assistance
    intent: ask_pets
    questions:
      - Assistance dog?
    answer: Assistance dogs fly free.
    short_answer: Assistance dogs fly free.
  - id: wifi_only
    intent: ask_wifi_entertainment
    answer: Free messaging wifi on all aircraft.
"""


@pytest.fixture
def kb_dir(tmp_path, monkeypatch):
    (tmp_path / "pets.yml").write_text(ENTRIES)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path))
    return tmp_path


async def answer(intent, metadata=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(default_slots(), [{"event": "action", "name": "action_listen"}], "question?", intent,
                           metadata=metadata)
    events = await ActionAnswerKnowledge().run(dispatcher, tracker, DOMAIN)
    return " ".join(render(m) for m in dispatcher.messages), events


def test_default_entry_is_picked_and_whitespace_folded(kb_dir):
    kb = get_knowledge_base()
    entry = kb.default_entry("ask_pets")
    assert entry.id == "pets_general"
    assert entry.answer == "Small cats and dogs can travel in the cabin within Europe."
    assert kb.default_entry("ask_wifi_entertainment").id == "wifi_only", "a single entry is its own default"
    assert kb.default_entry("ask_unknown") is None


def test_short_answer_only_when_public(kb_dir):
    kb = get_knowledge_base()
    assert kb.answer("ask_pets", public=True) == "Cats and dogs up to 8 kg in the cabin."
    assert kb.answer("ask_pets", public=False).startswith("Small cats and dogs")
    assert kb.answer("ask_wifi_entertainment", public=True) == "Free messaging wifi on all aircraft."


def test_loading_is_lazy_and_cached(kb_dir):
    first = get_knowledge_base()
    (kb_dir / "pets.yml").write_text("entries: []")
    assert get_knowledge_base() is first


def test_knowledge_dir_defaults_to_the_project_folder(monkeypatch):
    monkeypatch.delenv("KNOWLEDGE_DIR", raising=False)
    assert knowledge_dir().parts[-3:] == ("bot", "data", "knowledge")


def test_malformed_entries_are_reported():
    with pytest.raises(KnowledgeError):
        parse_entry({"id": "x", "intent": "ask_pets"}, "bad.yml")


def test_malformed_file_is_reported(tmp_path):
    (tmp_path / "bad.yml").write_text("version: 1\n")
    with pytest.raises(KnowledgeError):
        load_entries(tmp_path)


def test_the_project_knowledge_has_a_default_for_every_informational_intent(monkeypatch):
    import yaml
    from .fakes import ROOT

    monkeypatch.delenv("KNOWLEDGE_DIR", raising=False)
    routes = yaml.safe_load((ROOT / "bot" / "routes.yml").read_text())["intents"]
    kb = KnowledgeBase(load_entries(ROOT / "bot" / "data" / "knowledge"))
    for intent, spec in routes.items():
        if spec["route"] == "informational":
            entry = kb.default_entry(intent)
            assert entry is not None and entry.short_answer, intent


@pytest.mark.asyncio
async def test_action_sends_the_full_answer_in_private(kb_dir):
    text, events = await answer("ask_pets")
    assert text == "Small cats and dogs can travel in the cabin within Europe." and events == []


@pytest.mark.asyncio
async def test_action_sends_the_short_answer_on_a_public_mention(kb_dir):
    text, _ = await answer("ask_pets", metadata={"public": True})
    assert text == "Cats and dogs up to 8 kg in the cabin."


@pytest.mark.asyncio
async def test_no_curated_answer_is_honest_and_hands_off(kb_dir):
    text, events = await answer("ask_loyalty_rules")
    slots = {e["name"]: e.get("value") for e in events if e.get("event") == "slot"}
    assert "don't have a checked answer" in text
    assert slots["handoff_active"] is True and slots["handoff_reasons"] == ["no_knowledge:ask_loyalty_rules"]
