"""Issue 10 item 9 against a real Redis: login throttling that never tells which names
exist, sessions that end on `passwd` and role changes, and ticket reads in the history.

Clients on other loopback addresses (127.0.0.2, ...) stand for other machines.
"""
from __future__ import annotations

import asyncio
import statistics
import time
from contextlib import asynccontextmanager
from typing import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient

from console import appkeys
from console.cli import manage_users
from socialcare.cli import build_parser
from tests.helpers.console_harness import PASSWORD, add_user, console_server, console_settings, login, make_ticket
from tests.helpers.handoff_support import run_redis

WRONG = "not the password at all"


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("console-security-redis"))


@pytest_asyncio.fixture
async def server(redis_port, tmp_path):
    settings = console_settings(redis_port, tmp_path, login_max_failures=3, login_address_max_failures=6,
                                login_name_max_failures=4, login_name_window_seconds=2)
    async with console_server(settings) as srv:
        await add_user(srv, "ann", "agent")
        await add_user(srv, "sam", "supervisor")
        await add_user(srv, "tia", "trainer")
        yield srv


@asynccontextmanager
async def client_from(server, address: str = "127.0.0.1") -> AsyncIterator[TestClient]:
    """A browser-like client whose connections come from `address` (closing it leaves the
    server running, unlike TestClient's own exit)."""
    jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=str(server.make_url("/")))
    client = TestClient(server, cookie_jar=jar, connector=aiohttp.TCPConnector(local_addr=(address, 0)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.session.close()


async def attempt(client: TestClient, name: str, password: str):
    """One login: (status, body, Retry-After, seconds taken)."""
    token = (await (await client.get("/api/session")).json())["csrf_token"]
    started = time.perf_counter()
    response = await client.post("/api/login", json={"username": name, "password": password},
                                 headers={"X-CSRF-Token": token})
    took = time.perf_counter() - started
    return response.status, await response.json(), response.headers.get("Retry-After"), took


@pytest.mark.asyncio
async def test_known_and_unknown_names_get_the_same_answers_in_the_same_order(server):
    async with client_from(server, "127.0.0.2") as one, client_from(server, "127.0.0.3") as two:
        known = [await attempt(one, "ann", WRONG) for _ in range(5)]
        unknown = [await attempt(two, "nobody", WRONG) for _ in range(5)]
    assert [(s, b) for s, b, _, _ in known] == [(s, b) for s, b, _, _ in unknown]
    assert [s for s, _, _, _ in known] == [401, 401, 401, 429, 429]
    assert known[3][1] == {"error": "too many failed logins; try again later"} and int(known[3][2]) > 800
    # timing: a 401 for an unknown name costs a hash check as a known one does
    known_401 = statistics.median(t for s, _, _, t in known if s == 401)
    unknown_401 = statistics.median(t for s, _, _, t in unknown if s == 401)
    assert 0.25 < unknown_401 / known_401 < 4, (known_401, unknown_401)


@pytest.mark.asyncio
async def test_a_locked_pair_does_not_lock_the_agent_out_elsewhere(server):
    async with client_from(server, "127.0.0.4") as attacker, client_from(server, "127.0.0.5") as agent:
        for _ in range(3):
            assert (await attempt(attacker, "ann", WRONG))[0] == 401
        assert (await attempt(attacker, "ann", PASSWORD))[0] == 429  # this address, this name
        assert (await attempt(agent, "ann", PASSWORD))[0] == 200  # the real agent elsewhere


@pytest.mark.asyncio
async def test_one_address_guessing_across_names_is_stopped(server):
    async with client_from(server, "127.0.0.6") as sprayer, client_from(server, "127.0.0.7") as other:
        for name in ("ann", "sam", "tia", "x1", "x2", "x3"):
            assert (await attempt(sprayer, name, WRONG))[0] == 401
        status, body, wait, _ = await attempt(sprayer, "fresh-name", WRONG)
        assert status == 429 and int(wait) > 800
        assert (await attempt(sprayer, "sam", PASSWORD))[0] == 429
        assert (await attempt(other, "sam", PASSWORD))[0] == 200


@pytest.mark.asyncio
async def test_a_distributed_guess_only_slows_a_name_for_the_short_window(server):
    addresses = [f"127.0.1.{i}" for i in range(1, 5)]
    for address in addresses:  # one failure each: no pair, no address limit is reached
        async with client_from(server, address) as client:
            assert (await attempt(client, "ann", WRONG))[0] == 401
    async with client_from(server, "127.0.1.9") as agent:
        status, _, wait, _ = await attempt(agent, "ann", PASSWORD)
        assert status == 429 and 1 <= int(wait) <= 2
        assert (await attempt(agent, "nobody2", PASSWORD))[0] == 401  # other names are not slowed
        deadline = time.monotonic() + 10
        while (await attempt(agent, "ann", PASSWORD))[0] != 200:
            assert time.monotonic() < deadline, "the name window did not end"
            await asyncio.sleep(0.2)


@pytest.mark.asyncio
async def test_throttle_counters_expire_and_hide_the_typed_name(server):
    async with client_from(server, "127.0.0.8") as client:
        await attempt(client, "typo-in-name-field", WRONG)
    redis = server.app[appkeys.REDIS]
    prefix = server.app[appkeys.SETTINGS].redis.key_prefix
    keys = [k async for k in redis.scan_iter(f"{prefix}:console:loginfail:*")]
    assert len(keys) >= 3
    assert all("typo" not in k for k in keys)
    ttls = [await redis.ttl(k) for k in keys]
    assert all(ttl > 0 for ttl in ttls), ttls


@pytest.mark.asyncio
async def test_passwd_and_role_changes_end_the_sessions(server):
    users = server.app[appkeys.USERS]
    async with client_from(server) as ann, client_from(server) as sam, client_from(server) as tia:
        for client, name in ((ann, "ann"), (sam, "sam"), (tia, "tia")):
            assert (await login(client, name))[0] == 200
            assert (await client.get("/api/tickets")).status == 200
        await users.set_password("ann", "a brand new passphrase")
        assert (await ann.get("/api/tickets")).status == 401
        await users.set_role("sam", "agent")
        assert (await sam.get("/api/tickets")).status == 401
        assert (await tia.get("/api/tickets")).status == 200  # nobody else is touched
        assert (await login(ann, "ann", "a brand new passphrase"))[0] == 200
        assert (await ann.get("/api/tickets")).status == 200
        status, _ = await login(sam, "sam")
        body = await (await sam.get("/api/session")).json()
        assert status == 200 and body["user"]["role"] == "agent"


@pytest.mark.asyncio
async def test_a_deleted_and_recreated_name_does_not_revive_old_sessions(server):
    users = server.app[appkeys.USERS]
    async with client_from(server) as client:
        await login(client, "tia")
        name = server.app[appkeys.SETTINGS].cookie_name
        saved = next(c.value for c in client.session.cookie_jar if c.key == name)
        await users.delete("tia")
        await users.create("tia", "trainer", PASSWORD)
        client.session.cookie_jar.update_cookies({name: saved})
        assert (await client.get("/api/tickets")).status == 401


@pytest.mark.asyncio
async def test_the_cli_role_and_passwd_verbs_end_sessions(server, tmp_path):
    settings = server.app[appkeys.SETTINGS]
    parser = build_parser()
    async with client_from(server) as client:
        await login(client, "ann")
        out = tmp_path / "out.txt"
        with out.open("w") as handle:
            code = await manage_users(parser.parse_args(["console-user", "role", "ann", "trainer"]), settings, None,
                                      handle)
        assert code == 0 and "ann is now trainer; their sessions are ended" in out.read_text()
        assert (await client.get("/api/tickets")).status == 401
        await login(client, "ann")
        with out.open("w") as handle:
            await manage_users(parser.parse_args(["console-user", "passwd", "ann"]), settings,
                               "another long passphrase", handle)
        assert (await client.get("/api/tickets")).status == 401


@pytest.mark.asyncio
async def test_ticket_reads_are_recorded_in_the_history(server):
    store = server.app[appkeys.STORE]
    ticket, _ = await store.create(make_ticket())
    before = (await store.get(ticket.id)).updated_at
    async with client_from(server) as ann, client_from(server) as tia:
        await login(ann, "ann")
        await login(tia, "tia")
        assert (await ann.get(f"/api/tickets/{ticket.id}")).status == 200
        assert (await ann.get(f"/api/tickets/{ticket.id}")).status == 200  # a refresh: one entry
        response = await tia.get(f"/api/tickets/{ticket.id}")
        history = (await response.json())["ticket"]["history"]
        reads = [(h["agent"], h["role"]) for h in history if h["action"] == "read"]
        assert reads == [("ann", "agent"), ("tia", "trainer")]
        assert all(h["at"] >= before for h in history if h["action"] == "read")
        assert (await tia.get("/api/trainer/recent")).status == 200  # the trainer view reads dossiers
        assert (await ann.get("/api/tickets/t-unknown")).status == 404
    stored = await store.get(ticket.id)
    assert stored.updated_at == before and stored.status == "open"
    assert [h["agent"] for h in stored.history if h["action"] == "read"] == ["ann", "tia"]


@pytest.mark.asyncio
async def test_trainer_view_and_live_socket_reads_are_recorded(server):
    store = server.app[appkeys.STORE]
    ticket, _ = await store.create(make_ticket())  # its dossier has a low-confidence turn
    async with client_from(server) as sam, client_from(server) as tia:
        await login(sam, "sam")
        await login(tia, "tia")
        rows = (await (await tia.get("/api/trainer/recent")).json())["messages"]
        assert ticket.id in {r["ticket_id"] for r in rows}
        ws = await sam.ws_connect(f"/api/tickets/{ticket.id}/live?last_id=0")
        await ws.close()
    reads = [(h["agent"], h["role"]) for h in (await store.get(ticket.id)).history if h["action"] == "read"]
    assert reads == [("tia", "trainer"), ("sam", "supervisor")]


@pytest.mark.asyncio
async def test_a_read_keeps_the_expiry_of_a_resolved_ticket(server):
    store = server.app[appkeys.STORE]
    redis = server.app[appkeys.REDIS]
    ticket, _ = await store.create(make_ticket())
    await store.resolve(ticket.id, "sam", "done", force=True)
    await redis.expire(store.keys.ticket(ticket.id), 3600)
    read = await store.record_read(ticket.id, "sam", "supervisor")
    assert read.history[-1]["action"] == "read" and read.status == "resolved"
    assert 0 < await redis.ttl(store.keys.ticket(ticket.id)) <= 3600
