"""`action_handoff_ticket` against a real Redis: ticket + dossier, wait message, pause;
and the handoff actions chain into it (FollowupAction)."""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import handoff_ticket
from bot.actions.conversation import ActionRouteInform
from bot.actions.handoff import ActionClarify, ActionHandoff
from bot.actions.handoff_ticket import ActionHandoffTicket
from handoff.reasons import at_or_above
from handoff.reconcile import paused_senders
from handoff.store import TicketStore
from tests.helpers.action_fakes import DOMAIN, default_slots, render
from tests.helpers.handoff_support import run_redis

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "handoff" / "fixtures"
_prefix = itertools.count()


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("handoff-action-redis"))


@pytest.fixture
def store(redis_port):
    s = TicketStore.from_url(f"redis://127.0.0.1:{redis_port}/0", prefix=f"a{next(_prefix)}", timeout=3)
    handoff_ticket.set_store(s)
    yield s
    handoff_ticket.set_store(None)


def tracker_from(name, slots=None):
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    events = [e for e in data["events"] if e.get("event") != "pause" and "handoff_agent" not in (e.get("metadata") or {})]
    events = events[: next(i for i, e in enumerate(events) if e.get("name") == "action_handoff_ticket")]
    latest = next(e for e in reversed(events) if e["event"] == "user")
    return Tracker(data["sender_id"], {**default_slots(), **data["slots"], **(slots or {})},
                   {**latest["parse_data"], "metadata": latest["metadata"]}, events, False, None, {},
                   events[-1].get("name"))


@pytest.mark.asyncio
async def test_ticket_action_queues_tells_the_wait_and_pauses(store):
    dispatcher = CollectingDispatcher()
    # The recorded tracker holds its reasons as labels, as trackers did before Reason JSON.
    events = await ActionHandoffTicket().run(dispatcher, tracker_from("messenger_lost_bag"), DOMAIN)
    kinds = [e["event"] for e in events]
    assert kinds == ["slot", "action", "pause"] and events[1]["name"] == "action_listen"
    ticket = await store.get(events[0]["value"])
    assert ticket.sender_id == "PSID123" and ticket.channel == "messenger"
    assert [r.code for r in ticket.reasons] == ["route", "frustration"]
    assert ticket.dossier["lookups"] and ticket.dossier["summary"]["headline"]
    assert ticket.dossier["knowledge"] is not None
    text = " ".join(render(m) for m in dispatcher.messages)
    assert "team" in text  # the wait estimate or the opening hours
    assert (await store.active_ticket("PSID123")).id == ticket.id
    assert [s for s, _ in await paused_senders(store)] == ["PSID123"]  # the reconciler's index


@pytest.mark.asyncio
async def test_public_mention_gets_a_ticket_but_no_queue_details_in_public(store):
    dispatcher = CollectingDispatcher()
    data = json.loads((FIXTURES / "x_mention_complaint.json").read_text())
    latest = data["events"][2]
    reach = at_or_above("reach", 48210, 10000).as_json()
    tracker = Tracker(data["sender_id"], {**default_slots(), "handoff_reasons": [reach]},
                      {**latest["parse_data"], "metadata": latest["metadata"]}, data["events"], False, None, {},
                      "action_handoff")
    events = await ActionHandoffTicket().run(dispatcher, tracker, DOMAIN)
    assert events[-1]["event"] == "pause" and dispatcher.messages == []
    ticket = await store.get(events[0]["value"])
    assert ticket.priority <= 2 and ticket.dossier["profile"]["followers"] == 48210
    assert [r.raw for r in ticket.reasons] == ["reach:48210>=10000"] and ticket.reasons[0].score == 1.0


@pytest.mark.asyncio
async def test_queue_outage_is_honest_and_keeps_the_bot_listening(store, monkeypatch):
    class Down:
        async def tickets_of(self, *a, **k):
            raise ConnectionError("redis down")

    handoff_ticket.set_store(Down())
    dispatcher = CollectingDispatcher()
    events = await ActionHandoffTicket().run(dispatcher, tracker_from("messenger_lost_bag"), DOMAIN)
    assert [e["event"] for e in events] == ["slot", "followup"] and events[1]["name"] == "action_listen"
    assert "can't reach our team's queue" in " ".join(render(m) for m in dispatcher.messages)


@pytest.mark.asyncio
async def test_every_handoff_action_follows_up_with_the_ticket_action():
    dispatcher = CollectingDispatcher()
    latest = {"text": "a human please", "intent": {"name": "request_human", "confidence": 0.95}, "metadata": {}}
    tracker = Tracker("s", default_slots(), latest, [{"event": "action", "name": "action_listen"},
                                                     {"event": "user", "text": "a human please", "parse_data": latest}],
                      False, None, {}, "action_listen")
    events = await ActionHandoff().run(dispatcher, tracker, DOMAIN)
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "action_handoff_ticket"}
    clar = [{"event": "action", "name": "action_listen"}, {"event": "user", "text": "x"},
            {"event": "action", "name": "action_clarify"}, {"event": "bot", "text": "?"},
            {"event": "action", "name": "action_listen"}, {"event": "user", "text": "y"}]
    tracker = Tracker("s", default_slots(), {"text": "y", "intent": {"name": "nlu_fallback", "confidence": 0.2}},
                      clar, False, None, {}, "action_listen")
    events = await ActionClarify().run(CollectingDispatcher(), tracker, DOMAIN)
    assert {"event": "followup", "timestamp": None, "name": "action_handoff_ticket"} in events


@pytest.mark.asyncio
async def test_a_score_after_the_csat_question_is_thanked_not_routed():
    def tracker_after(answer):
        events = [{"event": "bot", "text": "How did we do?", "metadata": {"handoff_csat": "t-1"}},
                  {"event": "action", "name": "action_listen"},
                  {"event": "user", "text": answer, "parse_data": {"intent": {"name": "inform"}}}]
        return Tracker("s", default_slots(), {"text": answer, "intent": {"name": "inform", "confidence": 0.99}},
                       events, False, None, {}, "action_listen")

    dispatcher = CollectingDispatcher()
    assert await ActionRouteInform().run(dispatcher, tracker_after("4"), DOMAIN) == []
    assert "Thank you for rating us" in " ".join(render(m) for m in dispatcher.messages)
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker_after("5/5"), DOMAIN)
    assert "Thank you for rating us" in " ".join(render(m) for m in dispatcher.messages)
    dispatcher = CollectingDispatcher()
    await ActionRouteInform().run(dispatcher, tracker_after("K7P2QX"), DOMAIN)
    assert "Thank you" not in " ".join(render(m) for m in dispatcher.messages)


@pytest.mark.asyncio
async def test_semantic_suggestions_keep_only_close_answers(monkeypatch):
    class E:
        def __init__(self, id):
            self.id, self.intent, self.answer, self.short_answer = id, "ask_x", f"answer {id}", f"short {id}"

    class FakeIndex:
        def ranked(self, kb, text):
            assert "dublin" in text
            return [(0.8, E("near")), (0.55, E("ok")), (0.3, E("far"))]

    monkeypatch.setattr(handoff_ticket, "get_index", lambda: FakeIndex())
    got = await handoff_ticket.semantic_suggestions(["hello", "my bag never reached dublin"], [])
    assert [s["id"] for s in got] == ["near", "ok"] and got[0]["score"] == 0.8

    class Broken:
        def ranked(self, kb, text):
            raise RuntimeError("encoder missing")

    monkeypatch.setattr(handoff_ticket, "get_index", lambda: Broken())
    assert await handoff_ticket.semantic_suggestions(["my bag"], []) is None
