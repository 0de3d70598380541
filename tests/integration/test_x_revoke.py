"""X's revoke (AAA ``user_event.revoke`` and XAA ``oauth.revoke``) parses to an erasure
request for that user, which the handoff's request processor carries out."""
from __future__ import annotations

import json

import pytest
import redis.asyncio as aioredis

from connectors.events import IgnoredEvent
from connectors.intake.erasures import ErasureRequests, erasures_of, record_erasures
from connectors.intake.keys import IntakeKeys
from connectors.twitter.events import parse_webhook
from handoff.erasure_run import process_requests
from tests.helpers.handoff_support import run_redis

BRAND = "1790000000000000001"
USER = "63046977"
AAA_REVOKE = {"user_event": {"revoke": {"date_time": "2018-05-24T09:48:12+00:00", "target": {"app_id": "13090192"},
                                        "source": {"user_id": USER}}}}
XAA_REVOKE = {"data": {"event_uuid": "5934540941047412905", "filter": {}, "event_type": "oauth.revoke",
                       "payload": {"date_time": "2026-07-23T21:44:05+00:00", "user_id": USER, "app_id": "29820954"}}}


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("revoke-redis"))


@pytest.mark.parametrize("body", [AAA_REVOKE, {"for_user_id": BRAND, **AAA_REVOKE}, XAA_REVOKE])
def test_revoke_events_ask_for_the_users_erasure(body):
    events = parse_webhook(body, BRAND)
    assert [type(e) for e in events] == [IgnoredEvent] and events[0].reason == "revoke"
    assert erasures_of(events) == [("twitter", USER)]


@pytest.mark.parametrize("body", [
    {"user_event": {"revoke": {"source": {"user_id": BRAND}}}},  # the brand itself: erase nobody
    {"user_event": {"revoke": {"source": {}}}},
    {"data": {"event_type": "oauth.revoke", "filter": {}, "payload": {}}},
])
def test_revoke_without_a_customer_erases_nobody(body):
    assert erasures_of(parse_webhook(body, BRAND)) == []


@pytest.mark.asyncio
async def test_recorded_revoke_erases_the_x_user(redis_port):
    r = aioredis.Redis(host="127.0.0.1", port=redis_port, decode_responses=True, socket_timeout=5)
    keys = IntakeKeys("rev1")
    try:
        await r.set(keys.tracker(USER), json.dumps({"name": USER, "events": []}))
        await r.set(keys.tracker("42"), json.dumps({"name": "42", "events": []}))
        [code] = await record_erasures(r, keys, parse_webhook(XAA_REVOKE, BRAND))
        assert (await ErasureRequests(r, keys).status(code))["status"] == "pending"
        assert await process_requests(r, "rev1") == 1
        assert (await ErasureRequests(r, keys).status(code))["status"] == "done"
        assert await r.get(keys.tracker(USER)) is None and await r.get(keys.tracker("42")) is not None
        assert [k async for k in r.scan_iter(match="rev1:*") if USER in k] == []
        assert await r.xlen(keys.erasure_requests()) == 0
    finally:
        await r.close()
