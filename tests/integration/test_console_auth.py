"""Console auth against a real Redis: sessions, CSRF, roles, hashed passwords, logout."""
from __future__ import annotations

import pytest
import pytest_asyncio
from argon2 import PasswordHasher

from console import appkeys
from tests.helpers.console_harness import (
    PASSWORD,
    add_user,
    console_server,
    console_settings,
    csrf_of,
    login,
    make_ticket,
    new_client,
)
from tests.helpers.handoff_support import run_redis


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    yield from run_redis(tmp_path_factory.mktemp("console-auth-redis"))


@pytest_asyncio.fixture
async def server(redis_port, tmp_path):
    async with console_server(console_settings(redis_port, tmp_path, login_max_failures=3)) as srv:
        await add_user(srv, "ann", "agent")
        await add_user(srv, "sam", "supervisor")
        await add_user(srv, "tia", "trainer")
        yield srv


@pytest_asyncio.fixture
async def client(server):
    async with new_client(server) as c:
        yield c


@pytest.mark.asyncio
async def test_no_session_gets_401_on_the_api_and_a_redirect_on_pages(client):
    for path in ("/api/tickets", "/api/tickets/t-1", "/api/canned", "/api/supervisor/overview", "/api/live"):
        response = await client.get(path)
        assert response.status == 401, path
        assert (await response.json())["error"] == "login required"
    for path in ("/", "/supervisor", "/trainer"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 302, path
        assert response.headers["Location"] == "/login"
    # A POST without a session is refused before anything happens.
    token = await csrf_of(client)
    response = await client.post("/api/tickets/t-1/claim", headers={"X-CSRF-Token": token})
    assert response.status == 401


@pytest.mark.asyncio
async def test_public_routes_answer_without_a_session(client):
    assert (await client.get("/health")).status == 200
    assert (await client.get("/login")).status == 200
    assert (await client.get("/static/common.js")).status == 200
    body = await (await client.get("/api/session")).json()
    assert body["user"] is None and len(body["csrf_token"]) >= 32


@pytest.mark.asyncio
async def test_wrong_password_and_unknown_user_are_rejected(client):
    status, _ = await login(client, "ann", "not the password")
    assert status == 401
    status, _ = await login(client, "nobody", PASSWORD)
    assert status == 401
    assert (await client.get("/api/tickets")).status == 401
    status, token = await login(client, "ann")
    assert status == 200 and token
    assert (await client.get("/api/tickets")).status == 200


@pytest.mark.asyncio
async def test_repeated_failures_lock_the_name_out(client):
    for _ in range(3):
        assert (await login(client, "ann", "wrong password!"))[0] == 401
    # Locked: even the right password is refused until the window passes.
    assert (await login(client, "ann"))[0] == 429


@pytest.mark.asyncio
async def test_passwords_are_stored_as_argon2id_hashes(server):
    users = server.app[appkeys.USERS]
    stored = await users.stored_password_field("ann")
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)
    raw = await server.app[appkeys.REDIS].hgetall(users.keys.user("ann"))
    assert all(PASSWORD not in value for value in raw.values())


@pytest.mark.asyncio
async def test_missing_or_wrong_csrf_token_gets_403(server, client):
    store = server.app[appkeys.STORE]
    ticket, _ = await store.create(make_ticket())
    # Login itself needs the token.
    response = await client.post("/api/login", json={"username": "ann", "password": PASSWORD})
    assert response.status == 403
    status, token = await login(client, "ann")
    assert status == 200
    for headers in ({}, {"X-CSRF-Token": ""}, {"X-CSRF-Token": token[:-2] + "xx"}):
        response = await client.post(f"/api/tickets/{ticket.id}/claim", headers=headers)
        assert response.status == 403, headers
    assert (await store.get(ticket.id)).owner is None
    response = await client.post(f"/api/tickets/{ticket.id}/claim", headers={"X-CSRF-Token": token})
    assert response.status == 200
    assert (await store.get(ticket.id)).owner == "ann"


@pytest.mark.asyncio
async def test_roles_agent_cannot_use_supervisor_endpoints(server):
    async with new_client(server) as agent, new_client(server) as boss, new_client(server) as trainer:
        _, agent_token = await login(agent, "ann")
        await login(boss, "sam")
        _, trainer_token = await login(trainer, "tia")
        assert (await agent.get("/api/supervisor/overview")).status == 403
        assert (await agent.get("/supervisor", allow_redirects=False)).status == 403
        assert (await agent.get("/api/trainer/recent")).status == 403
        assert (await boss.get("/api/supervisor/overview")).status == 200
        assert (await boss.get("/supervisor")).status == 200
        assert (await boss.get("/api/trainer/recent")).status == 200
        assert (await trainer.get("/api/trainer/recent")).status == 200
        assert (await trainer.get("/api/supervisor/overview")).status == 403
        # A trainer reads tickets but never works them.
        assert (await trainer.get("/api/tickets")).status == 200
        response = await trainer.post("/api/tickets/t-x/claim", headers={"X-CSRF-Token": trainer_token})
        assert response.status == 403


@pytest.mark.asyncio
async def test_session_cookie_is_encrypted_httponly_secure_and_strict(server):
    async with new_client(server) as client:
        token = await csrf_of(client)
        response = await client.post("/api/login", json={"username": "ann", "password": PASSWORD},
                                     headers={"X-CSRF-Token": token})
        assert response.status == 200
        cookie = response.cookies[server.app[appkeys.SETTINGS].cookie_name]
        assert cookie["httponly"] and cookie["secure"]
        assert cookie["samesite"] == "Strict"
        assert "ann" not in cookie.value and token not in cookie.value


@pytest.mark.asyncio
async def test_tampered_cookie_is_no_session(server):
    async with new_client(server) as client:
        await login(client, "ann")
        name = server.app[appkeys.SETTINGS].cookie_name
        value = next(c.value for c in client.session.cookie_jar if c.key == name)
        client.session.cookie_jar.update_cookies({name: value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")})
        assert (await client.get("/api/tickets")).status == 401


@pytest.mark.asyncio
async def test_logout_ends_the_session_even_for_a_replayed_cookie(server):
    async with new_client(server) as client:
        _, token = await login(client, "ann")
        name = server.app[appkeys.SETTINGS].cookie_name
        saved = next(c.value for c in client.session.cookie_jar if c.key == name)
        response = await client.post("/api/logout", headers={"X-CSRF-Token": token})
        assert response.status == 200
        assert (await client.get("/api/tickets")).status == 401
        client.session.cookie_jar.update_cookies({name: saved})
        assert (await client.get("/api/tickets")).status == 401


@pytest.mark.asyncio
async def test_deleted_user_is_out_at_once(server):
    async with new_client(server) as client:
        await login(client, "ann")
        assert (await client.get("/api/tickets")).status == 200
        await server.app[appkeys.USERS].delete("ann")
        assert (await client.get("/api/tickets")).status == 401


@pytest.mark.asyncio
async def test_pages_carry_security_headers_and_refuse_cross_site_websockets(server):
    async with new_client(server) as client:
        await login(client, "ann")
        page = await client.get("/")
        assert page.status == 200
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Frame-Options"] == "DENY"
        response = await client.get("/api/live", headers={"Origin": "http://evil.example"})
        assert response.status == 403
