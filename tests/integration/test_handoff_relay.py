"""Ticket opening, live customer turns (event broker), agent replies through Messenger (a
recording fake Graph API), the messaging window, resolve -> resume and CSAT; real Redis."""
from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest
import pytest_asyncio

from connectors.facebook.client import MessengerClient
from core.retention import RetentionSettings
from handoff.broker import HandoffEventBroker, route_event
from handoff.config import TeamConfig
from handoff.errors import DeliveryFailed, NotOwner, WindowClosed
from handoff.opening import open_ticket
from handoff.rasa_api import RasaClient
from handoff.reasons import reasons_from_slot
from handoff.relay import Relay
from handoff.routes import HandoffPolicy
from handoff.senders import MessengerSender, TrackerOnlySender
from handoff.store import TicketStore
from handoff.tickets import CLAIMED, RESOLVED
from tests.helpers.fake_platforms import FakeGraphAPI
from tests.helpers.handoff_support import FakeRasaAPI, run_redis

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "handoff" / "fixtures"
T0 = 1764496800.0
ALWAYS_OPEN = TeamConfig(hours={d: (dt.time(0), dt.time(23, 59)) for d in range(7)})
_prefix = itertools.count()
NO_EXPIRY = RetentionSettings(ticket_days=0, transcript_days=0)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("handoff-relay-redis"))


@pytest_asyncio.fixture
async def world(redis_port):
    clock = Clock(T0 + 200)
    store = TicketStore.from_url(f"redis://127.0.0.1:{redis_port}/0", prefix=f"r{next(_prefix)}", timeout=3, clock=clock)
    store.retention = NO_EXPIRY  # the fake clock is in the past: EXPIREAT from it would delete at once
    graph, rasa = FakeGraphAPI(page_token="page-token"), FakeRasaAPI()
    await graph.start()
    await rasa.start()
    messenger = MessengerSender(MessengerClient("page-token", graph.graph_url))
    relay = Relay(store, RasaClient(rasa.url, rasa.token), {"messenger": messenger, "rest": TrackerOnlySender()},
                  config=ALWAYS_OPEN, clock=clock)
    await relay.start()
    try:
        yield store, relay, graph, rasa, clock
    finally:
        await relay.close()
        await store.close()
        await graph.close()
        await rasa.close()


async def opened(store, clock):
    tracker = json.loads((FIXTURES / "messenger_lost_bag.json").read_text())
    tracker["events"] = [e for e in tracker["events"] if e["timestamp"] <= T0 + 60.5]  # as at the handoff
    reasons = reasons_from_slot(["route:diagnostic:report_lost_bag@0.97", "frustration:-0.62<=-0.50"])
    result = await open_ticket(store, tracker, reasons,
                               channel="messenger", now=clock(), config=ALWAYS_OPEN,
                               policy=HandoffPolicy(vip_tiers=("gold",), reach_followers=float("inf")),
                               profile_extra={"loyalty_tier": "gold"})
    return result


def user_event(sender, text, at):
    return {"sender_id": sender, "event": "user", "text": text, "timestamp": at, "input_channel": "facebook",
            "metadata": {"channel": "messenger"},
            "parse_data": {"intent": {"name": "greet", "confidence": 0.8}, "entities": [], "sentiment": {"compound": -0.2}}}


@pytest.mark.asyncio
async def test_ticket_dossier_priority_and_wait(world):
    store, _relay, _graph, _rasa, clock = world
    result = await opened(store, clock)
    ticket = result.ticket
    assert result.created and ticket.status == "open" and ticket.channel == "messenger"
    assert ticket.priority == 1  # frustration (2), gold tier raises one step
    assert ticket.sla_deadline == pytest.approx(clock() + 15 * 60)
    assert ticket.dossier["summary"]["headline"] and ticket.dossier["profile"]["loyalty_tier"] == "gold"
    assert result.wait.kind == "busy"  # nobody online
    await store.heartbeat("ann")
    again = await opened(store, clock)
    assert not again.created and again.ticket.id == ticket.id
    assert again.wait.kind == "wait" and again.wait.ahead == 0


@pytest.mark.asyncio
async def test_customer_messages_during_the_handoff_reach_the_ticket_live(world):
    store, _relay, _graph, _rasa, clock = world
    ticket = (await opened(store, clock)).ticket
    assert await route_event(store, user_event("PSID123", "the handoff message", T0 + 60)) is None
    assert await route_event(store, user_event("PSID123", "hello?? anyone", clock() + 5)) == "turn"
    assert await route_event(store, user_event("someone-else", "hi", clock() + 5)) is None
    assert await route_event(store, {"event": "bot", "sender_id": "PSID123", "text": "x"}) is None
    turns = [t for _, t in await store.transcript(ticket.id)]
    assert [(t.speaker, t.text, t.channel, t.intent) for t in turns] == [
        ("customer", "hello?? anyone", "messenger", "greet")]


@pytest.mark.asyncio
async def test_broker_worker_handles_published_events_in_order(world):
    store, _relay, _graph, _rasa, clock = world
    ticket = (await opened(store, clock)).ticket
    broker = HandoffEventBroker(store)
    for i in range(5):
        broker.publish(user_event("PSID123", f"msg {i}", clock() + i + 1))
    broker.publish({"event": "action", "sender_id": "PSID123", "name": "action_listen"})
    await broker.drain()
    await broker.stop()
    assert [t.text for _, t in await store.transcript(ticket.id)] == [f"msg {i}" for i in range(5)]


@pytest.mark.asyncio
async def test_agent_reply_goes_out_on_messenger_and_into_the_tracker(world):
    store, relay, graph, rasa, clock = world
    ticket = (await opened(store, clock)).ticket
    with pytest.raises(NotOwner):
        await relay.send_agent_reply(ticket.id, "Hi", "ann")
    await store.claim(ticket.id, "ann")
    turn = await relay.send_agent_reply(ticket.id, "Hi, I'm Ann. I'm on it.", "ann")
    assert turn.speaker == "agent" and turn.delivered and turn.error is None
    sent = graph.successful("/me/messages")
    assert len(sent) == 1 and sent[0].json["recipient"]["id"] == "PSID123"
    assert sent[0].json["message"]["text"] == "Hi, I'm Ann. I'm on it." and "tag" not in sent[0].json
    recorded = [e for s, e in rasa.events if s == "PSID123"]
    assert recorded[-1]["event"] == "bot" and recorded[-1]["metadata"] == {"handoff_agent": "ann", "ticket_id": ticket.id}
    assert [t.speaker for _, t in await store.transcript(ticket.id)] == ["agent"]
    with pytest.raises(NotOwner):
        await relay.send_agent_reply(ticket.id, "me too", "bob")


@pytest.mark.asyncio
async def test_messenger_human_agent_tag_after_24h_and_closed_after_7_days(world):
    store, relay, graph, _rasa, clock = world
    ticket = (await opened(store, clock)).ticket
    await store.claim(ticket.id, "ann")
    clock.now = T0 + 60 + 30 * 3600
    await relay.send_agent_reply(ticket.id, "Update on your bag", "ann")
    body = graph.successful("/me/messages")[-1].json
    assert (body["messaging_type"], body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    clock.now = T0 + 60 + 8 * 86400
    before = len(graph.requests)
    with pytest.raises(WindowClosed) as caught:
        await relay.send_agent_reply(ticket.id, "Still there?", "ann")
    assert caught.value.alternatives == ("twitter_dm",) and caught.value.status == 409
    assert len(graph.requests) == before  # nothing was sent
    # a customer message reopens the window
    await route_event(store, user_event("PSID123", "yes I'm here", clock.now - 60))
    await relay.send_agent_reply(ticket.id, "Great", "ann")
    assert "tag" not in graph.successful("/me/messages")[-1].json


@pytest.mark.asyncio
async def test_resolve_resumes_the_bot_and_stores_the_csat_answer(world):
    store, relay, graph, rasa, clock = world
    ticket = (await opened(store, clock)).ticket
    await store.claim(ticket.id, "ann")
    done = await relay.resolve(ticket.id, "ann", resolution="bag found, delivery booked", ask_csat=True)
    assert done.status == RESOLVED and await store.active_ticket("PSID123") is None
    kinds = rasa.kinds("PSID123")
    assert kinds[:4] == ["resume", "slot", "slot", "slot"] and kinds[-1] == "bot"
    assert "1 (poor) to 5 (excellent)" in graph.successful("/me/messages")[-1].json["message"]["text"]
    assert await route_event(store, user_event("PSID123", "what about my refund?", clock() + 10)) is None
    assert await route_event(store, user_event("PSID123", "4/5", clock() + 20)) == "csat"
    assert (await store.get(ticket.id)).csat == 4
    assert await route_event(store, user_event("PSID123", "5", clock() + 30)) is None  # asked once


@pytest.mark.asyncio
async def test_resolve_keeps_the_ticket_when_rasa_cannot_resume(world):
    store, relay, _graph, rasa, clock = world
    ticket = (await opened(store, clock)).ticket
    await store.claim(ticket.id, "ann")
    rasa.fail = True
    with pytest.raises(DeliveryFailed):
        await relay.resolve(ticket.id, "ann")
    stored = await store.get(ticket.id)
    assert stored.status == CLAIMED and (await store.active_ticket("PSID123")).id == ticket.id


@pytest.mark.asyncio
async def test_x_replies_go_by_dm_or_as_a_public_reply_to_the_latest_post(redis_port):
    from connectors.twitter.client import XClient
    from handoff.senders import XSender
    from tests.helpers.fake_platforms import FakeXAPI

    clock = Clock(T0 + 200)
    store = TicketStore.from_url(f"redis://127.0.0.1:{redis_port}/0", prefix=f"x{next(_prefix)}", timeout=3, clock=clock)
    x, rasa = FakeXAPI({"ck": ("cs", "at", "as")}), FakeRasaAPI()
    await x.start()
    await rasa.start()
    client = XClient("ck", "cs", "at", "as", x.base_url)
    relay = Relay(store, RasaClient(rasa.url, rasa.token),
                  {"twitter_dm": XSender(client, "twitter_dm"), "twitter_mention": XSender(client, "twitter_mention")},
                  config=ALWAYS_OPEN, clock=clock)
    await relay.start()
    try:
        tracker = json.loads((FIXTURES / "x_mention_complaint.json").read_text())
        mention = (await open_ticket(store, tracker, reasons_from_slot(["reach:48210>=10000"]),
                                     channel="twitter_mention",
                                     now=clock(), config=ALWAYS_OPEN)).ticket
        await store.claim(mention.id, "ann")
        await relay.send_agent_reply(mention.id, "Sorry about the wait, we're on it. Please DM us.", "ann")
        [post] = x.successful("/2/tweets")
        assert post.json["reply"]["in_reply_to_tweet_id"] == "1850000000000000001"
        tracker["sender_id"] = "9002"
        for event in tracker["events"]:
            if event["event"] == "user":
                event["metadata"] = {**event["metadata"], "channel": "twitter_dm", "user_id": "9002", "public": False}
        dm = (await open_ticket(store, tracker, reasons_from_slot(["route:feedback:complain@0.91"]),
                                channel="twitter_dm",
                                now=clock(), config=ALWAYS_OPEN)).ticket
        await store.claim(dm.id, "ann")
        await relay.send_agent_reply(dm.id, "Here are the details of your rebooking.", "ann")
        [sent] = x.successful("/dm_conversations/with/9002/messages")
        assert sent.json["text"] == "Here are the details of your rebooking."
    finally:
        await relay.close()
        await store.close()
        await x.close()
        await rasa.close()


@pytest.mark.asyncio
async def test_dossier_takes_the_semantic_suggestions_and_falls_back_to_lexical(world):
    store, _relay, _graph, _rasa, clock = world
    tracker = json.loads((FIXTURES / "messenger_lost_bag.json").read_text())
    seen = {}

    async def semantic(texts, intents):
        seen["texts"], seen["intents"] = list(texts), list(intents)
        return [{"id": "bags-delayed", "intent": "ask_baggage_allowance", "answer": "A", "short_answer": "a",
                 "score": 0.71}]

    result = await open_ticket(store, tracker, reasons_from_slot(["route:diagnostic:report_lost_bag@0.97"]),
                               channel="messenger",
                               now=clock(), config=ALWAYS_OPEN, suggest=semantic)
    assert [k["id"] for k in result.ticket.dossier["knowledge"]] == ["bags-delayed"]
    assert seen["texts"] and "report_lost_bag" in seen["intents"]

    class Entry:
        id, intent, answer, short_answer = "lost-bags", "report_lost_bag", "File a report.", "DM us."
        questions, tags = ("my bag did not arrive",), ("bag", "lost")

    async def unavailable(texts, intents):
        return None

    other = dict(tracker, sender_id="someone-else")
    fallback = await open_ticket(store, other, reasons_from_slot(["route:diagnostic:report_lost_bag@0.97"]),
                                 channel="messenger",
                                 now=clock(), config=ALWAYS_OPEN, knowledge_entries=[Entry()], suggest=unavailable)
    assert [k["id"] for k in fallback.ticket.dossier["knowledge"]] == ["lost-bags"]


@pytest.mark.asyncio
async def test_csat_is_skipped_outside_the_24h_window_and_noted_on_the_ticket(world):
    store, relay, graph, rasa, clock = world
    ticket = (await opened(store, clock)).ticket
    await store.claim(ticket.id, "ann")
    clock.now = T0 + 60 + 30 * 3600  # 30 h after the customer's last message
    await relay.send_agent_reply(ticket.id, "Your bag is on its way", "ann")  # a person: HUMAN_AGENT is right
    assert graph.successful("/me/messages")[-1].json["tag"] == "HUMAN_AGENT"
    sent_before = len(graph.successful("/me/messages"))
    done = await relay.resolve(ticket.id, "ann", resolution="delivered", ask_csat=True)
    assert len(graph.successful("/me/messages")) == sent_before  # no automated message went out
    assert all(e.get("metadata", {}).get("handoff_csat") is None for s, e in rasa.events if s == "PSID123")
    assert done.status == RESOLVED and done.history[-1]["action"] == "csat_skipped"
    assert done.history[-1]["reason"] == "outside_window" and done.history[-1]["window"] == "human_agent"
    assert (await store.get(ticket.id)).history[-1]["action"] == "csat_skipped"
    assert [t.text for _, t in await store.transcript(ticket.id)][-1].startswith("satisfaction question skipped")
    assert await store.csat_pending("PSID123") is None  # a later "4" is not taken as a score
    assert await route_event(store, user_event("PSID123", "4", clock() + 10)) is None


@pytest.mark.asyncio
async def test_csat_within_24h_goes_out_without_a_tag(world):
    store, relay, graph, _rasa, clock = world
    ticket = (await opened(store, clock)).ticket
    await store.claim(ticket.id, "ann")
    clock.now = T0 + 60 + 23 * 3600
    await relay.resolve(ticket.id, "ann", ask_csat=True)
    body = graph.successful("/me/messages")[-1].json
    assert "1 (poor) to 5 (excellent)" in body["message"]["text"] and "tag" not in body
    assert await store.csat_pending("PSID123") == ticket.id


@pytest.mark.asyncio
async def test_agent_public_reply_with_an_email_is_blocked_and_goes_out_by_dm_on_request(redis_port):
    from connectors.twitter.client import XClient
    from handoff.errors import InvalidTransition, PersonalDataInPublic
    from handoff.senders import XSender
    from tests.helpers.fake_platforms import FakeXAPI

    clock = Clock(T0 + 200)
    store = TicketStore.from_url(f"redis://127.0.0.1:{redis_port}/0", prefix=f"p{next(_prefix)}", timeout=3, clock=clock)
    x, rasa = FakeXAPI({"ck": ("cs", "at", "as")}), FakeRasaAPI()
    await x.start()
    await rasa.start()
    client = XClient("ck", "cs", "at", "as", x.base_url)
    relay = Relay(store, RasaClient(rasa.url, rasa.token),
                  {"twitter_dm": XSender(client, "twitter_dm"), "twitter_mention": XSender(client, "twitter_mention")},
                  config=ALWAYS_OPEN, clock=clock)
    await relay.start()
    try:
        tracker = json.loads((FIXTURES / "x_mention_complaint.json").read_text())
        tracker["slots"] = {"last_name": "Okonkwo"}
        mention = (await open_ticket(store, tracker, reasons_from_slot(["reach:48210>=10000"]),
                                     channel="twitter_mention", now=clock(), config=ALWAYS_OPEN)).ticket
        await store.claim(mention.id, "ann")
        text = "Hi! We've written to you at traveller@example.com about your refund."
        with pytest.raises(PersonalDataInPublic) as caught:
            await relay.send_agent_reply(mention.id, text, "ann")
        assert caught.value.status == 422 and caught.value.alternatives == ("twitter_dm",)
        assert caught.value.choices == ("send_by_dm", "edit") and "***" in caught.value.redacted
        with pytest.raises(PersonalDataInPublic):  # a slot value of this customer is personal data too
            await relay.send_agent_reply(mention.id, "Thanks Mrs Okonkwo, looking into it", "ann")
        assert x.successful("/2/tweets") == [] and await store.transcript(mention.id) == []
        with pytest.raises(InvalidTransition):
            await relay.send_agent_reply(mention.id, text, "ann", via="messenger")
        turn = await relay.send_agent_reply(mention.id, text, "ann", via="twitter_dm")
        [dm] = x.successful("/dm_conversations/with/9001/messages")
        assert dm.json["text"] == text and turn.channel == "twitter_dm"
        assert x.successful("/2/tweets") == []  # never public
        await relay.send_agent_reply(mention.id, "Sorry about the wait, we're on it.", "ann")  # clean: public
        assert len(x.successful("/2/tweets")) == 1
    finally:
        await relay.close()
        await store.close()
        await x.close()
        await rasa.close()
