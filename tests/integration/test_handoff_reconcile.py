"""Reconciliation against a real Redis and a fake Rasa HTTP API (trackers with a paused
flag): a paused conversation whose ticket was lost gets a new ticket (recent pause) or is
resumed (old pause); the handoff action indexes the pause, resolve clears it; the console
runs the pass periodically."""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from console import appkeys
from handoff.config import TeamConfig
from handoff.rasa_api import RasaClient
from handoff.reconcile import (
    FORGET,
    KEEP,
    REOPEN,
    RESUME,
    Reconciler,
    ReconcileSettings,
    mark_paused,
    paused_senders,
    reconcile_once,
)
from handoff.relay import Relay
from handoff.senders import TrackerOnlySender
from handoff.store import TicketStore
from handoff.tickets import Ticket
from tests.conftest import free_port
from tests.helpers.console_harness import console_server, console_settings
from tests.helpers.handoff_support import run_redis

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "handoff" / "fixtures"
TOKEN = "rasa-test-token"
SETTINGS = ReconcileSettings(interval_s=1, reopen_hours=24)
_prefix = itertools.count()


class FakeRasa:
    """``GET /conversations/<id>/tracker`` and ``POST .../tracker/events`` over in-memory
    trackers; a ``resume`` event unpauses, like Rasa's ConversationResumed."""

    def __init__(self) -> None:
        self.trackers = {}
        self.appended = []
        self.down = False
        self.url, self._runner = "", None

    def paused_tracker(self, sender, name="messenger_lost_bag", paused=True):
        data = json.loads((FIXTURES / f"{name}.json").read_text())
        data.update(sender_id=sender, paused=paused)
        data["slots"] = {**data.get("slots", {}), "handoff_reasons": ["route:diagnostic:report_lost_bag@0.97"]}
        self.trackers[sender] = data

    async def start(self):
        async def tracker(request):
            if self.down:
                return web.json_response({}, status=503)
            if request.query.get("token") != TOKEN:
                return web.json_response({}, status=401)
            sender = request.match_info["sender"]
            return web.json_response(self.trackers.get(sender, {"sender_id": sender, "events": [], "paused": False}))

        async def events(request):
            if request.query.get("token") != TOKEN:
                return web.json_response({}, status=401)
            sender = request.match_info["sender"]
            for event in await request.json():
                self.appended.append((sender, event))
                if event.get("event") == "resume" and sender in self.trackers:
                    self.trackers[sender]["paused"] = False
            return web.json_response({"sender_id": sender})

        app = web.Application()
        app.router.add_get("/conversations/{sender}/tracker", tracker)
        app.router.add_post("/conversations/{sender}/tracker/events", events)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"

    async def close(self):
        await self._runner.cleanup()


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("handoff-reconcile-redis"))


@pytest_asyncio.fixture
async def world(redis_port):
    store = TicketStore.from_url(f"redis://127.0.0.1:{redis_port}/0", prefix=f"c{next(_prefix)}", timeout=3)
    rasa = FakeRasa()
    await rasa.start()
    client = RasaClient(rasa.url, TOKEN)
    try:
        yield store, rasa, client
    finally:
        await client.close()
        await rasa.close()
        await store.close()


@pytest.mark.asyncio
async def test_lost_tickets_are_reopened_or_the_bot_resumed(world):
    store, rasa, client = world
    now = time.time()
    for sender in ("lost-recent", "lost-old", "live", "gone"):
        rasa.paused_tracker(sender)
    rasa.trackers["gone"]["paused"] = False  # resumed by someone else (or the tracker expired)
    await store.create(Ticket(id="t-live", sender_id="live", channel="messenger", created_at=now - 60))
    for sender, hours_ago in (("lost-recent", 2), ("lost-old", 30), ("live", 1), ("gone", 1)):
        await mark_paused(store, sender, now - hours_ago * 3600)
    report = await reconcile_once(store, client, settings=SETTINGS, config=TeamConfig(), now=now)
    assert report.counts == {KEEP: 1, FORGET: 1, REOPEN: 1, RESUME: 1, "failed": 0}
    reopened = await store.active_ticket("lost-recent")
    assert reopened is not None and reopened.status == "open" and reopened.channel == "messenger"
    assert [r.code for r in reopened.reasons] == ["route", "reconciled"]
    assert reopened.dossier["transcript"]  # the dossier comes from the tracker
    assert [e["event"] for s, e in rasa.appended if s == "lost-old"][:2] == ["resume", "slot"]
    assert not any(s == "lost-recent" for s, _ in rasa.appended)  # nothing said to the reopened customer
    assert await store.active_ticket("lost-old") is None
    assert sorted(s for s, _ in await paused_senders(store)) == ["live", "lost-recent"]
    again = await reconcile_once(store, client, settings=SETTINGS, config=TeamConfig(), now=now + 60)
    assert again.counts[KEEP] == 2 and again.counts[REOPEN] == 0  # one new ticket, not one per pass


@pytest.mark.asyncio
async def test_rasa_down_keeps_the_entry_for_the_next_pass(world):
    store, rasa, client = world
    rasa.paused_tracker("cust")
    await mark_paused(store, "cust", time.time() - 60)
    rasa.down = True
    report = await reconcile_once(store, client, settings=SETTINGS, config=TeamConfig())
    assert report.counts["failed"] == 1 and [s for s, _ in await paused_senders(store)] == ["cust"]
    rasa.down = False
    assert (await reconcile_once(store, client, settings=SETTINGS, config=TeamConfig())).counts[REOPEN] == 1


@pytest.mark.asyncio
async def test_resolve_clears_the_index_but_not_a_newer_pause(world):
    store, rasa, client = world
    relay = Relay(store, client, {"rest": TrackerOnlySender()}, config=TeamConfig())
    ticket, _ = await store.create(Ticket(id="t-res", sender_id="cust-r", channel="rest", created_at=time.time()))
    await mark_paused(store, "cust-r", time.time() - 5)
    await store.claim(ticket.id, "ann")
    await relay.resolve(ticket.id, "ann", ask_csat=False)
    assert await paused_senders(store) == []
    ticket, _ = await store.create(Ticket(id="t-res2", sender_id="cust-r", channel="rest", created_at=time.time()))
    await mark_paused(store, "cust-r", time.time() + 3600)  # a handoff after the resolve below started
    await store.claim(ticket.id, "ann")
    await relay.resolve(ticket.id, "ann", ask_csat=False)
    assert [s for s, _ in await paused_senders(store)] == ["cust-r"]


@pytest.mark.asyncio
async def test_the_reconciler_loop_runs_passes(world):
    store, rasa, client = world
    rasa.paused_tracker("loop")
    await mark_paused(store, "loop", time.time() - 60)
    reconciler = Reconciler(store, client, SETTINGS, TeamConfig())
    reconciler.start()
    try:
        deadline = time.monotonic() + 10
        while await store.active_ticket("loop") is None:
            assert time.monotonic() < deadline, "no pass reopened the ticket"
            await asyncio.sleep(0.05)
    finally:
        await reconciler.stop()
    assert reconciler.passes >= 1


@pytest.mark.asyncio
async def test_the_console_runs_the_reconciler(redis_port, tmp_path):
    rasa = FakeRasa()
    await rasa.start()
    rasa.paused_tracker("via-console")

    async def factory(settings, store):
        relay = Relay(store, RasaClient(rasa.url, TOKEN), {"rest": TrackerOnlySender()})
        await relay.start()
        return relay

    settings = console_settings(redis_port, tmp_path)
    before = TicketStore.from_url(f"redis://127.0.0.1:{redis_port}/0", prefix=settings.redis.key_prefix, timeout=3)
    await mark_paused(before, "via-console", time.time() - 60)  # paused while no console ran
    try:
        async with console_server(settings, factory) as server:
            store = server.app[appkeys.STORE]
            deadline = time.monotonic() + 20
            while await store.active_ticket("via-console") is None:  # the first pass runs at start
                assert time.monotonic() < deadline, "the console ran no reconcile pass"
                await asyncio.sleep(0.1)
    finally:
        await before.close()
        await rasa.close()


@pytest.mark.asyncio
async def test_conversations_paused_before_the_index_are_found_once_in_rasas_trackers(world):
    from handoff.reconcile import backfill_index

    store, _rasa, _client = world
    prefix = store.keys.prefix

    def dialogue(*events):
        return json.dumps({"py/object": "rasa.shared.core.conversation.Dialogue", "name": "x", "events": list(events)})

    await store.redis.set(f"{prefix}:tracker:old-paused", dialogue({"event": "user", "timestamp": 10.0},
                                                                  {"event": "pause", "timestamp": 11.0}))
    await store.redis.set(f"{prefix}:tracker:resumed", dialogue({"event": "pause", "timestamp": 11.0},
                                                               {"event": "resume", "timestamp": 12.0}))
    await store.redis.rpush(f"{prefix}:tracker:not-a-string", "x")
    await store.redis.set(f"{prefix}:tracker:garbage", "{not json")
    await mark_paused(store, "indexed", 50.0)
    assert await backfill_index(store) == 1
    assert sorted(await paused_senders(store)) == [("indexed", 50.0), ("old-paused", 11.0)]
    await store.redis.zrem(store.keys.paused, "old-paused")
    assert await backfill_index(store) == 0  # once per Redis
    assert [s for s, _ in await paused_senders(store)] == ["indexed"]
