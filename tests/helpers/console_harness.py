"""Helpers for the console tests: the app on a real loopback server, a logged-in client.

The console runs in-process (aiohttp TestServer bound to 127.0.0.1) against a real
redis-server (tests/helpers/handoff_support.run_redis); each test gets its own key
prefix, so tests never see each other's users or tickets.
"""
from __future__ import annotations

import secrets
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Optional, Tuple

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from argon2 import PasswordHasher

from connectors.facebook.client import MessengerClient
from console import appkeys
from console.app import create_app
from console.services import RelayFactory
from console.settings import ConsoleSettings, new_secret_key
from core.settings import RedisSettings, RedisTarget
from handoff.rasa_api import RasaClient
from handoff.reasons import reasons_from_slot
from handoff.relay import Relay
from handoff.senders import MessengerSender, TrackerOnlySender
from handoff.store import new_ticket_id
from handoff.tickets import Ticket
from tests.helpers.fake_server import FakeServer

PASSWORD = "correct horse battery"


def console_settings(redis_port: int, data_dir: Path, **overrides: Any) -> ConsoleSettings:
    """Settings for a test console on `redis_port` with a fresh prefix and secret key."""
    values: Dict[str, Any] = dict(
        secret_key=new_secret_key(),
        redis=RedisSettings(RedisTarget("127.0.0.1", redis_port), "t" + secrets.token_hex(6), embedded=False),
        data_dir=data_dir,
        redis_timeout=5.0,
    )
    values.update(overrides)
    return ConsoleSettings(**values)


async def no_relay(settings: ConsoleSettings, store: Any) -> None:
    """A relay factory for tests that never reply or resolve."""
    return None


@asynccontextmanager
async def console_server(settings: ConsoleSettings,
                         relay_factory: Optional[RelayFactory] = no_relay) -> AsyncIterator[TestServer]:
    """The console app served on 127.0.0.1 (cleanup_ctx runs on start and stop)."""
    server = TestServer(create_app(settings, relay_factory=relay_factory), host="127.0.0.1")
    await server.start_server()
    # Still argon2id, with smaller cost parameters than production so tests stay quick
    # on two shared cores (production uses argon2-cffi's RFC 9106 low-memory profile).
    server.app[appkeys.USERS].hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    try:
        yield server
    finally:
        await server.close()


def new_client(server: TestServer) -> TestClient:
    """A client with its own cookie jar that, like a browser on 127.0.0.1, keeps Secure cookies."""
    jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=str(server.make_url("/")))
    return TestClient(server, cookie_jar=jar)


async def add_user(server: TestServer, name: str, role: str, password: str = PASSWORD) -> None:
    """Create a user straight in the app's user store."""
    await server.app[appkeys.USERS].create(name, role, password)


async def csrf_of(client: TestClient) -> str:
    """The session's CSRF token (GET /api/session)."""
    response = await client.get("/api/session")
    assert response.status == 200
    return (await response.json())["csrf_token"]


async def login(client: TestClient, name: str, password: str = PASSWORD) -> Tuple[int, str]:
    """Log in like the page does; returns (status, csrf token of the new session)."""
    token = await csrf_of(client)
    response = await client.post("/api/login", json={"username": name, "password": password},
                                 headers={"X-CSRF-Token": token})
    body = await response.json()
    return response.status, body.get("csrf_token", "")


def make_ticket(ticket_id: str = "", *, sender: str = "", channel: str = "rest", priority: int = 3,
                sla_in: float = 900.0, dossier: Optional[Dict[str, Any]] = None, reasons=("route:diagnostic:report_lost_bag@0.97",)):
    """An open handoff.tickets.Ticket created now, with a small dossier."""
    now = time.time()
    return Ticket(
        id=ticket_id or new_ticket_id(),
        sender_id=sender or "cust-" + secrets.token_hex(4),
        channel=channel,
        priority=priority,
        sla_deadline=now + sla_in,
        reasons=reasons_from_slot(list(reasons)),
        created_at=now,
        dossier=dossier if dossier is not None else {
            "summary": {"headline": "Dana (rest): lost bag.", "lines": [], "text": "Dana (rest): lost bag."},
            "profile": {"display_name": "Dana"},
            "transcript": [{"speaker": "customer", "text": "my bag never arrived", "timestamp": now - 60,
                            "channel": channel, "intent": "report_lost_bag", "confidence": 0.41}],
            "knowledge": [{"id": "baggage_delayed", "intent": "report_lost_bag", "answer": "Report it at the desk.",
                           "short_answer": "Desk first.", "score": 0.8}],
        },
    )


class FakeRasaAPI(FakeServer):
    """Records ``POST /conversations/<sender>/tracker/events`` like Rasa's HTTP API
    (token in ``?token=``); `fail_next` makes it refuse, as an unreachable Rasa would."""

    def __init__(self, token: str = "rasa-test-token") -> None:
        super().__init__()
        self.token = token

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/conversations/{sender}/tracker/events", self._events)
        return app

    async def _events(self, request: web.Request) -> web.Response:
        record = await self._record(request)
        faulted = await self._maybe_fault(record)
        if faulted is not None:
            return faulted
        if record.query.get("token") != self.token:
            return self._answer(record, {"status": "failure", "reason": "NotAuthenticated"}, 401)
        return self._answer(record, {"sender_id": request.match_info["sender"], "events": None}, 200)

    def events_of(self, sender: str) -> List[Dict[str, Any]]:
        """Every event appended to `sender`'s tracker, in order."""
        return [e for r in self.successful(f"/conversations/{sender}/") for e in (r.json or [])]


def messenger_relay(graph_url: str, rasa: FakeRasaAPI, page_token: str = "page-token") -> RelayFactory:
    """A relay factory: the real handoff Relay with a Messenger sender on `graph_url` and
    the Rasa client on the fake Rasa."""

    async def factory(settings: ConsoleSettings, store: Any) -> Any:
        relay = Relay(store, RasaClient(rasa.base_url, rasa.token),
                      {"messenger": MessengerSender(MessengerClient(page_token, graph_url)), "rest": TrackerOnlySender()})
        await relay.start()
        return relay

    return factory


def messenger_dossier(psid: str, last_customer_at: float, text: str = "my bag never arrived in Dublin") -> Dict[str, Any]:
    """A small Messenger dossier: who, what they said, when (for the messaging window)."""
    return {
        "summary": {"headline": "Dana (Messenger): lost bag.", "lines": [f"“{text}”"], "text": "Dana (Messenger): lost bag."},
        "profile": {"platform": "messenger", "user_id": psid, "display_name": "Dana Kim", "earlier_tickets": []},
        "transcript": [{"speaker": "customer", "text": text, "timestamp": last_customer_at, "channel": "messenger",
                        "intent": "report_lost_bag", "confidence": 0.93, "sentiment": -0.4}],
        "sentiment": {"points": [{"timestamp": last_customer_at, "score": -0.4}], "first": -0.4, "last": -0.4,
                      "min": -0.4, "trend": "steady"},
        "thread": {"last_customer_at": last_customer_at, "public": False},
        "knowledge": [{"id": "baggage_delayed", "intent": "report_lost_bag", "answer": "Report it at the desk.",
                       "short_answer": "Desk first.", "score": 0.8}],
    }
