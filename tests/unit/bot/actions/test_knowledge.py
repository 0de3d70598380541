"""Curated knowledge: loading, reloading, semantic retrieval and the answering action.

Retrieval tests use the real MiniLM encoder on a temporary copy of the project's
knowledge folder (KNOWLEDGE_DIR), so an edit there never touches bot/data/knowledge.
"""
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.knowledge import ActionAnswerKnowledge, clarified_last_turn
from bot.actions.knowledge_base import get_knowledge_base, knowledge_dir
from bot.actions.knowledge_entries import KnowledgeBase, KnowledgeEntry, KnowledgeError, load_entries, parse_entry
from bot.actions.knowledge_index import ANSWER, CLARIFY, HANDOFF, clear_index, decide, get_index
from bot.actions.serve import warm_up
from bot.actions.settings import ActionSettings, RetrievalSettings, action_settings
from tests.helpers.action_fakes import DOMAIN, ROOT, default_slots, make_tracker, render

PROJECT_KB = ROOT / "bot" / "data" / "knowledge"
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


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    """A temporary copy of bot/data/knowledge, served through KNOWLEDGE_DIR."""
    folder = tmp_path / "knowledge"
    shutil.copytree(PROJECT_KB, folder)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(folder))
    return folder


def touch_later(path):
    """Bump the modification time (a same-second edit must still be seen)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


async def ask(text, intent, metadata=None, events=None):
    dispatcher = CollectingDispatcher()
    history = events if events is not None else [{"event": "action", "name": "action_listen"}]
    tracker = make_tracker(default_slots(), history, text, intent, metadata=metadata)
    result = await ActionAnswerKnowledge().run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages, result


def entry_for(text):
    """The entry whose answer (full or short) is `text`."""
    kb = get_knowledge_base()
    return next(e for e in kb.entries if text in (e.answer, e.short_answer))


# --- loading -------------------------------------------------------------------------------

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


def test_unchanged_files_are_not_reloaded_and_edits_are(kb_dir):
    first = get_knowledge_base()
    assert get_knowledge_base() is first
    (kb_dir / "pets.yml").write_text(ENTRIES.replace("Assistance dogs fly free.", "Assistance dogs travel free."))
    touch_later(kb_dir / "pets.yml")
    second = get_knowledge_base()
    assert second is not first
    assert second.by_intent["ask_pets"][1].answer == "Assistance dogs travel free."


def test_a_broken_edit_keeps_the_last_good_version(kb_dir):
    first = get_knowledge_base()
    (kb_dir / "pets.yml").write_text("entries: [{id: x}]\n")
    touch_later(kb_dir / "pets.yml")
    assert get_knowledge_base() is first


def test_knowledge_dir_defaults_to_the_project_folder(monkeypatch):
    monkeypatch.delenv("KNOWLEDGE_DIR", raising=False)
    assert knowledge_dir().parts[-3:] == ("bot", "data", "knowledge")


def test_settings_are_read_from_the_environment_given():
    env = {"KNOWLEDGE_DIR": "/srv/kb", "KNOWLEDGE_ANSWER_THRESHOLD": "0.7", "KNOWLEDGE_AGREE_FLOOR": "0.5",
           "KNOWLEDGE_CLARIFY_FLOOR": "0.4"}
    settings = ActionSettings.from_env(env)
    assert str(settings.knowledge_dir) == "/srv/kb"
    assert settings.retrieval == RetrievalSettings(answer_threshold=0.7, agree_floor=0.5, clarify_floor=0.4)
    defaults = ActionSettings.from_env({"KNOWLEDGE_DIR": ""})
    assert defaults.knowledge_dir.parts[-3:] == ("bot", "data", "knowledge")
    assert defaults.retrieval == RetrievalSettings(answer_threshold=0.62, agree_floor=0.45, clarify_floor=0.35)
    with pytest.raises(ValueError):
        ActionSettings.from_env({"KNOWLEDGE_AGREE_FLOOR": "high"})


def test_the_process_reads_its_settings_once(kb_dir, monkeypatch):
    assert action_settings().knowledge_dir == kb_dir
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kb_dir / "elsewhere"))
    assert action_settings().knowledge_dir == kb_dir and knowledge_dir() == kb_dir
    assert get_index().settings == action_settings().retrieval


def test_malformed_entries_are_reported(tmp_path):
    with pytest.raises(KnowledgeError):
        parse_entry({"id": "x", "intent": "ask_pets"}, "bad.yml")
    (tmp_path / "a.yml").write_text("entries: [{id: x, intent: i, answer: a}]\n")
    (tmp_path / "b.yml").write_text("entries: [{id: x, intent: i, answer: b}]\n")
    with pytest.raises(KnowledgeError, match="duplicate entry id"):
        load_entries(tmp_path)


def test_malformed_file_is_reported(tmp_path):
    (tmp_path / "bad.yml").write_text("version: 1\n")
    with pytest.raises(KnowledgeError):
        load_entries(tmp_path)


def test_the_project_knowledge_is_complete(monkeypatch):
    routes = yaml.safe_load((ROOT / "bot" / "routes.yml").read_text())["intents"]
    kb = KnowledgeBase(load_entries(PROJECT_KB))
    for intent, spec in routes.items():
        if spec["route"] == "informational":
            entry = kb.default_entry(intent)
            assert entry is not None and entry.short_answer, intent
    for entry in kb.entries:
        assert entry.questions and entry.short_answer and entry.tags and entry.owner and entry.last_reviewed, entry.id


def test_importing_the_actions_loads_no_model():
    code = ("import sys, bot.actions.knowledge\n"
            "heavy = {'torch', 'transformers'} & set(sys.modules)\n"
            "assert not heavy, heavy\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


# --- the pure decision ---------------------------------------------------------------------

def _entry(id_, intent, default=False):
    return KnowledgeEntry(id=id_, intent=intent, answer=id_, default=default)


GENERAL = _entry("bags_general", "ask_baggage_allowance", default=True)
LIGHT = _entry("bags_light", "ask_baggage_allowance")
PETS = _entry("pets", "ask_pets", default=True)
DEFAULTS = {"ask_baggage_allowance": GENERAL, "ask_pets": PETS}
SETTINGS = RetrievalSettings(answer_threshold=0.62, agree_floor=0.45, clarify_floor=0.35, intent_margin=0.06)


@pytest.mark.parametrize(
    "ranked, intent, decision, entry",
    [
        ([(0.80, LIGHT), (0.70, GENERAL)], "ask_baggage_allowance", ANSWER, LIGHT),
        ([(0.80, PETS), (0.76, LIGHT)], "ask_baggage_allowance", ANSWER, LIGHT),  # intent breaks a near-tie
        ([(0.80, PETS), (0.60, LIGHT)], "ask_baggage_allowance", ANSWER, PETS),  # but not a clear win
        ([(0.50, LIGHT), (0.40, PETS)], "ask_baggage_allowance", ANSWER, GENERAL),  # agreement -> general answer
        ([(0.50, LIGHT), (0.40, PETS)], "ask_pets", CLARIFY, LIGHT),  # disagreement -> clarify
        ([(0.50, LIGHT)], "", CLARIFY, LIGHT),
        ([(0.30, LIGHT)], "ask_baggage_allowance", HANDOFF, LIGHT),
        ([], "ask_pets", HANDOFF, None),
    ],
)
def test_decide(ranked, intent, decision, entry):
    result = decide(ranked, intent, SETTINGS, DEFAULTS)
    assert (result.decision, result.entry) == (decision, entry)


def test_the_handoff_reason_names_the_entry_and_score():
    result = decide([(0.30, LIGHT)], "ask_baggage_allowance", SETTINGS, DEFAULTS)
    reason = result.handoff_reason()
    assert result.reason() == reason.raw == "knowledge_handoff:bags_light@0.30"
    assert (reason.code, reason.detail, reason.score) == ("knowledge_handoff", "bags_light", 0.30)
    assert decide([], "ask_pets", SETTINGS).reason() == "knowledge_handoff:none@-1.00"


# --- retrieval on the project's knowledge (real encoder) -----------------------------------

@pytest.mark.parametrize(
    "text, intent, entry_id",
    [
        ("can I take my dog with me in the cabin", "ask_pets", "pets_general"),
        ("do guide dogs fly for free", "ask_pets", "pets_assistance_dogs"),
        ("does the light fare include a checked suitcase", "ask_baggage_allowance", "baggage_allowance_light"),
        ("what's your phone number", "ask_contact_hours", "contact_phone"),
        ("can I bring a power bank on the plane", "ask_dangerous_goods", "dangerous_goods_power_banks"),
    ],
)
def test_retrieval_finds_the_right_entry(project_copy, text, intent, entry_id):
    result = get_index().lookup(get_knowledge_base(), text, intent)
    assert result.decision == ANSWER and result.entry.id == entry_id, result.reason()


@pytest.mark.asyncio
async def test_the_same_entry_answers_on_every_channel_short_in_public(project_copy):
    private, _ = await ask("can I take my dog with me in the cabin", "ask_pets")
    public, _ = await ask("can I take my dog with me in the cabin", "ask_pets",
                          metadata={"channel": "twitter_mention", "public": True})
    entry = entry_for(private[0]["text"])
    assert private[0]["text"] == entry.answer and public[0]["text"] == entry.short_answer
    assert len(public[0]["text"]) <= 280


@pytest.mark.asyncio
async def test_unrelated_text_is_never_answered_confidently(project_copy):
    messages, events = await ask("what's the best pizza place in Naples", "ask_pets")
    assert [m.get("response") for m in messages] in (["utter_clarify"], ["utter_no_knowledge"])
    assert not any(m.get("text") for m in messages)


@pytest.mark.asyncio
async def test_refusal_asks_to_clarify_once_then_hands_off(project_copy):
    text = "what about the fee"
    result = get_index().lookup(get_knowledge_base(), text, "ask_pets")
    assert result.decision == CLARIFY, result.reason()
    messages, events = await ask(text, "ask_pets")
    assert [m.get("response") for m in messages] == ["utter_clarify"] and events == []
    history = [{"event": "user", "text": "earlier"}, {"event": "action", "name": "action_answer_knowledge"},
               {"event": "bot", "text": "Sorry?", "metadata": {"utter_action": "utter_clarify"}},
               {"event": "action", "name": "action_listen"}, {"event": "user", "text": text}]
    messages, events = await ask(text, "ask_pets", events=history)
    slots = {e["name"]: e.get("value") for e in events if e.get("event") == "slot"}
    assert [m.get("response") for m in messages] == ["utter_no_knowledge"]
    assert slots["handoff_active"] is True and "clarification_failed" in [r["raw"] for r in slots["handoff_reasons"]]


def test_clarified_last_turn_looks_at_the_previous_reply_only():
    def tracker(events):
        return make_tracker(default_slots(), events, "x", "ask_pets")

    clarify = {"event": "bot", "metadata": {"utter_action": "utter_clarify"}}
    assert clarified_last_turn(tracker([{"event": "user"}, clarify, {"event": "user"}]))
    assert not clarified_last_turn(tracker([{"event": "user"}, clarify, {"event": "user"}, {"event": "bot"},
                                            {"event": "user"}]))
    assert not clarified_last_turn(tracker([{"event": "user"}]))


@pytest.mark.asyncio
async def test_an_edit_is_served_without_restart_and_only_changed_questions_are_embedded(project_copy):
    index = get_index()
    first, _ = await ask("do guide dogs fly for free", "ask_pets")
    embedded = index.embedded_texts
    path = project_copy / "pets.yml"
    data = yaml.safe_load(path.read_text())
    entry = next(e for e in data["entries"] if e["id"] == "pets_assistance_dogs")
    entry["answer"] = "Recognised assistance dogs always travel free in the cabin (edited)."
    data["entries"].append({
        "id": "pets_snakes", "intent": "ask_pets", "questions": ["Can I fly with my pet snake?"],
        "answer": "Sorry, we don't carry reptiles.", "short_answer": "No reptiles, sorry.",
        "tags": ["pets"], "owner": "content@example.com", "last_reviewed": "2026-11-01",
    })
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    touch_later(path)

    edited, _ = await ask("do guide dogs fly for free", "ask_pets")
    assert edited[0]["text"] != first[0]["text"] and edited[0]["text"].endswith("(edited).")
    snake, _ = await ask("can I travel with my snake", "ask_pets")
    assert snake[0]["text"] == "Sorry, we don't carry reptiles."
    # one new question text (+ the two queries); the unchanged variants were not re-embedded
    assert index.embedded_texts - embedded == 1 + 2


@pytest.mark.asyncio
async def test_without_the_encoder_the_intent_default_answers(project_copy, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("no model")

    monkeypatch.setattr(get_index(), "lookup", broken)
    messages, _ = await ask("can I take my dog", "ask_pets")
    assert messages[0]["text"] == get_knowledge_base().default_entry("ask_pets").answer


@pytest.mark.asyncio
async def test_no_curated_answer_is_honest_and_hands_off(kb_dir):
    messages, events = await ask("do you have a loyalty programme", "ask_loyalty_rules")
    slots = {e["name"]: e.get("value") for e in events if e.get("event") == "slot"}
    assert "don't have a checked answer" in " ".join(render(m) for m in messages)
    assert slots["handoff_active"] is True


def test_the_action_server_warm_up_builds_the_knowledge_index():
    clear_index()
    assert get_index()._built_for is None
    assert warm_up() is True
    assert get_index()._built_for is not None and get_index()._matrix.shape[0] > 0


def test_a_failed_warm_up_is_logged_not_raised(tmp_path, monkeypatch, caplog):
    (tmp_path / "bad.yml").write_text("version: 1\n")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path))
    assert warm_up() is False
    assert "actions.warm_up_failed error=KnowledgeError" in caplog.text
