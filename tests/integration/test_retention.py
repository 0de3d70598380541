"""Retention against a real Redis: resolved tickets and transcripts expire, open ones
never do; Rasa's tracker store expires trackers from endpoints.yml's ``record_exp``."""
from __future__ import annotations

import asyncio
import itertools

import pytest
import pytest_asyncio
import redis
import redis.asyncio as aioredis

from core.paths import PROJECT_ROOT
from core.retention import DAY_S, RetentionSettings
from core.settings import SettingsError
from handoff.keys import HandoffKeys
from handoff.reasons import reasons_from_slot
from handoff.store import TicketStore, new_ticket_id
from handoff.tickets import Ticket, TranscriptTurn
from socialcare.settings import Settings, rasa_environment
from tests.helpers.handoff_support import run_redis

_prefixes = itertools.count()


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("retention-redis"))


@pytest_asyncio.fixture
async def client(redis_port):
    c = aioredis.Redis(host="127.0.0.1", port=redis_port, decode_responses=True, socket_timeout=3)
    yield c
    await c.close()


def make_ticket(sender: str) -> Ticket:
    return Ticket(id=new_ticket_id(), sender_id=sender, channel="messenger", priority=3, sla_deadline=1000.0,
                  reasons=reasons_from_slot(["route:diagnostic:report_lost_bag@0.97"]), dossier={"summary": "x"})


@pytest.mark.asyncio
async def test_resolved_ticket_and_transcript_expire_open_ones_never(client):
    keys = HandoffKeys(f"ret{next(_prefixes)}")
    store = TicketStore(client, keys, retention=RetentionSettings(ticket_days=7, transcript_days=3))
    ticket, _ = await store.create(make_ticket("cust-1"))
    await store.append_turn(ticket.id, TranscriptTurn("customer", "hello", 1.0))
    await store.claim(ticket.id, "ann")
    for key in (keys.ticket(ticket.id), keys.transcript(ticket.id), keys.customer("cust-1")):
        assert await client.ttl(key) == -1, key  # open / claimed: no expiry
    await store.resolve(ticket.id, "ann", "done", ask_csat=True)
    ticket_ttl, transcript_ttl = await client.ttl(keys.ticket(ticket.id)), await client.ttl(keys.transcript(ticket.id))
    assert 7 * DAY_S - 60 < ticket_ttl <= 7 * DAY_S
    assert 3 * DAY_S - 60 < transcript_ttl <= 3 * DAY_S
    assert 7 * DAY_S - 60 < await client.ttl(keys.customer("cust-1")) <= 7 * DAY_S
    await store.set_csat(ticket.id, 5)  # a later write keeps the expiry date
    assert 7 * DAY_S - 60 < await client.ttl(keys.ticket(ticket.id)) <= 7 * DAY_S
    # a new ticket of the same customer makes the index permanent again
    second, _ = await store.create(make_ticket("cust-1"))
    assert await client.ttl(keys.customer("cust-1")) == -1
    assert await client.ttl(keys.ticket(second.id)) == -1


@pytest.mark.asyncio
async def test_zero_days_keeps_resolved_tickets_forever(client):
    keys = HandoffKeys(f"ret{next(_prefixes)}")
    store = TicketStore(client, keys, retention=RetentionSettings(ticket_days=0, transcript_days=0))
    ticket, _ = await store.create(make_ticket("cust-2"))
    await store.claim(ticket.id, "ann")
    await store.resolve(ticket.id, "ann")
    assert await client.ttl(keys.ticket(ticket.id)) == -1
    assert await client.ttl(keys.transcript(ticket.id)) == -1


@pytest.mark.asyncio
async def test_old_resolved_index_entries_are_pruned(client):
    now = [1_000_000.0]
    keys = HandoffKeys(f"ret{next(_prefixes)}")
    store = TicketStore(client, keys, clock=lambda: now[0], retention=RetentionSettings(ticket_days=1))
    old, _ = await store.create(make_ticket("a"))
    await store.claim(old.id, "ann")
    await store.resolve(old.id, "ann")
    now[0] += 2 * DAY_S
    new, _ = await store.create(make_ticket("b"))
    await store.claim(new.id, "ann")
    await store.resolve(new.id, "ann")
    assert await client.zrange(keys.resolved, 0, -1) == [new.id]


def test_tracker_store_from_endpoints_yml_expires_trackers(redis_port, monkeypatch):
    from rasa.core.tracker_store import TrackerStore  # deferred on purpose: heavy Rasa import
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    settings = Settings.from_env({"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "REDIS_KEY_PREFIX": "rettr",
                                  "TRACKER_TTL_DAYS": "2"})
    env = {**rasa_environment(settings, settings.redis_target()), "ACTION_ENDPOINT_URL": "http://x"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "tracker_store")
    store = TrackerStore.create(config, Domain.empty())
    tracker = DialogueStateTracker.from_events("psid-42", [UserUttered("hi")])
    asyncio.run(store.save(tracker))
    sync = redis.Redis(host="127.0.0.1", port=redis_port, socket_timeout=3)
    try:
        ttl = sync.ttl("rettr:tracker:psid-42")
    finally:
        sync.close()
    assert 2 * DAY_S - 60 < ttl <= 2 * DAY_S


def test_retention_settings_from_env_and_rasa_variable():
    settings = RetentionSettings.from_env({"TRACKER_TTL_DAYS": "0", "TICKET_TTL_DAYS": "5"})
    assert settings.tracker_ttl_s is None and settings.tracker_record_exp() == ""
    assert settings.ticket_ttl_s == 5 * DAY_S and settings.transcript_ttl_s == 90 * DAY_S
    assert RetentionSettings().tracker_record_exp() == str(30 * DAY_S)
    env = rasa_environment(Settings.from_env({}), Settings.from_env({}).redis_target())
    assert env["TRACKER_TTL_S"] == str(30 * DAY_S)
    with pytest.raises(SettingsError):
        RetentionSettings.from_env({"TICKET_TTL_DAYS": "-1"})
